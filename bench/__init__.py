"""The benchmark suite of issue 5: `make bench` (`python -m bench.run`).

Each section is a function that takes its sizes as arguments and returns rows (plain dicts),
so `tests/bench/test_bench_smoke.py` runs the same code on tiny sizes. `bench.run` wires the
sections to a throwaway database, a gunicorn server and a Celery worker, then writes
`bench/results/results.md` and `results.json`.
"""
