"""The benchmark suite: `make bench` (`python -m bench.run`).

Each section is a function that takes its sizes as arguments and returns rows (plain dicts),
so `tests/bench/test_bench_smoke.py` runs the same code on tiny sizes. `bench.run` wires the
sections to a throwaway database and a gunicorn server; `bench.report` turns the results
into docs/benchmarks.md.
"""
