"""The benchmark suite (`make bench`) on tiny sizes, so that its code cannot rot.

No timing is asserted: only that every section runs against the real stack (migrated
throwaway database, gunicorn, the encode task, training, a Celery worker when Redis is
reachable) and returns well-formed rows, and that the results are written.
"""

import json

import pytest

from bench import run
from bench.stack import Stack

pytestmark = pytest.mark.django_db(transaction=True)  # the app's tasks run on commit


@pytest.fixture
def stack(tmp_path, shared_faces):
    stack = Stack.create(tmp_path / "stack")
    try:
        stack.migrate()
        yield stack
    finally:
        stack.destroy()


def _is_number(value) -> bool:
    return isinstance(value, int | float) and value >= 0


def test_the_benchmark_runs_every_section_on_tiny_sizes(stack, tmp_path):
    seeded = stack.seed()
    assert seeded["photos"] == {"ready": 9, "rejected": 0}
    sizes = run.Sizes.tiny()

    results = run.run_suite(sizes, stack, seeded, log=lambda message: None)

    assert len(results["checkin"]) == sizes.frames
    for row in results["checkin"]:
        assert row["errors"] == []
        for path in ("http", "pipeline", "recipe"):
            assert row[path]["n"] == sizes.reps and _is_number(row[path]["p50_ms"])
        assert _is_number(row["ratio_http_to_recipe"])
        assert isinstance(row["web_overhead_ms"], float)
        assert isinstance(row["web_overhead_paired_ms"], float)
        assert row["recipe_names"] == row["expected"]
        assert row["app_names"] == row["expected"], row["frame"]
        assert row["same_identities"] is True
    assert [row["kiosks"] for row in results["concurrency"]] == list(sizes.kiosks)
    assert results["kiosk"]["min_face_px"] == 80 and _is_number(results["kiosk"]["http_p50_ms"])
    assert _is_number(results["kiosk"]["parts_sum_ms"])
    for row in results["recall"]:
        assert row["faces"] > 0 and row["app"] >= row["recipe"] > 0
    photo = results["class_photo"]
    assert photo["app_found"] == photo["recipe_found"] == photo["faces"]
    assert _is_number(photo["app_s"]) and _is_number(photo["peak_mib"])
    assert all(row["errors"] == 0 and row["check_ins"] > 0 for row in results["concurrency"])
    by_size = {(row["people"], row["how"]): row for row in results["training"]}
    assert all(_is_number(by_size[(n, "classifier.train")]["n"]) for n in sizes.train_sizes)
    assert _is_number(by_size[(sizes.course_retrain, "training.train_course_now")]["train_s"])
    assert "extrapolated" in by_size[(sizes.train_extrapolated[0], "classifier.train")]["note"]
    assert [row["people"] for row in results["identify"]] == list(sizes.identify_sizes)
    assert all(_is_number(row["p50_ms"]) for row in results["identify"])
    assert results["school"]["courses_retrained"] == sizes.school[2]
    assert results["school"]["only_their_courses"] is True
    assert results["memory"][0]["rss_mib"] > 0
    assert {"target", "measured", "met"} <= set(results["targets"][0])
    liveness = results["liveness"]
    assert liveness["spoofs"]["sequences"] > 0 and liveness["real"]["sequences"] > 0
    assert liveness["swaps"]["sequences"] > 0
    assert _is_number(liveness["added_time"]["added_p50_ms"] + 100)
    assert _is_number(liveness["added_time"]["evaluate_p50_ms"])
    assert liveness["http"]["outcomes"] == {
        "off": ["already_checked_in"],
        "challenge": ["challenge"],
    }

    report, numbers = tmp_path / "docs" / "benchmarks.md", tmp_path / "results.json"
    text = run.write(results, report, numbers)
    assert "## Check-in latency" in text
    assert "## Liveness: head-turn challenge" in text
    assert "**tiny** mode" in text and "load average" in text
    assert "| — |" not in text.split("## Targets")[1].split("\n## ")[0], "a target lost a value"
    assert report.read_text() == text
    assert json.loads(numbers.read_text())["mode"] == "tiny"
