"""`make bench`: run every section, print the report, write it to docs/benchmarks.md and
every number to bench/results/results.json.

    .venv/bin/python -m bench.run [--quick]

The app runs as deployed (see bench.stack); the project's own db.sqlite3 and media/ are
never touched.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from bench.frames import PROJECT_ROOT

REPORT = PROJECT_ROOT / "docs" / "benchmarks.md"
RESULTS = PROJECT_ROOT / "bench" / "results" / "results.json"


@dataclass(frozen=True)
class Sizes:
    """How much of everything to run. `full` is what `make bench` runs."""

    mode: str = "full"
    reps: int = 15
    encoder_reps: int = 5  # per face of the 9 sample faces, each runtime
    frames: int = 4  # the first N webcam frames (640x480, 853x480, 1280x720, three faces)
    kiosks: tuple[int, ...] = (1, 4, 8)
    kiosk_seconds: float = 30
    train_sizes: tuple[int, ...] = (30, 300, 1000, 2000)
    train_reps: dict[int, int] = field(default_factory=lambda: {30: 5, 300: 5, 1000: 1, 2000: 1})
    train_extrapolated: tuple[int, ...] = (3000, 10_000)  # too slow to fit: extrapolated
    trainer_sizes: tuple[int, ...] = (300, 1000, 2000)  # against the replaced trainer
    trainer_probes: int = 1000  # of each kind: genuine, strangers, look-alikes
    course_retrain: int = 300  # students of the course retrained through the database
    identify_sizes: tuple[int, ...] = (30, 300, 2000, 3000, 10_000)
    identify_probes: int = 200
    identify_trained_up_to: int = 2000
    school: tuple[int, int, int] = (10_000, 300, 3)  # students, courses, courses each
    workers: int = 2 * (os.cpu_count() or 1)
    class_photo_size: tuple[int, int] = (4000, 3000)
    class_photo_reps: int = 3

    @classmethod
    def quick(cls) -> Sizes:
        return cls(mode="quick", reps=2, encoder_reps=2, kiosk_seconds=3, identify_probes=50,
                   train_reps={30: 1, 300: 1, 1000: 1, 2000: 1}, trainer_probes=300,
                   class_photo_reps=1)  # fmt: skip

    @classmethod
    def tiny(cls) -> Sizes:
        """For the smoke test: every code path, on the smallest inputs."""
        return replace(
            cls.quick(), mode="tiny", encoder_reps=1, frames=2, kiosks=(1, 2), kiosk_seconds=1,
            train_sizes=(3, 5), train_reps={}, train_extrapolated=(8,), trainer_sizes=(4,),
            trainer_probes=5, course_retrain=4,
            identify_sizes=(3, 10), identify_probes=5, identify_trained_up_to=3,
            school=(60, 6, 3), workers=2, class_photo_size=(1600, 1200),
        )  # fmt: skip


def run_suite(sizes: Sizes, stack, seeded: dict, log=print) -> dict:
    """Every section, on the stack's server and the Django database configured here."""
    import numpy as np
    from django.conf import settings

    from bench import (
        checkin,
        encoder,
        frames,
        liveness,
        photo_quality,
        recall,
        recipe,
        report,
        school,
        training,
    )
    from bench.stack import Gunicorn
    from bench.stats import load_average, machine
    from recognition import classifier, faces

    started = time.perf_counter()
    load_before = load_average()
    config = faces.FaceConfig.from_settings()
    webcam = frames.webcam_frames()[: sizes.frames]
    samples = frames.enrollment_photos()

    log("encoding the sample faces (app and recipe)")
    by_person: dict[str, list] = {}
    for person, path in samples:
        by_person.setdefault(person, []).append(
            faces.encode_enrollment_photo(path, config).encoding
        )
    space = training.EncodingSpace.from_samples(by_person)
    known = recipe.KnownFaces(samples)
    names = {int(pk): name for pk, name in seeded["names"].items()}
    model = classifier.from_bytes(base64.b64decode(seeded["model"]))
    pipeline = checkin.Pipeline(model, names, settings.RECOGNITION_TOLERANCE, config)

    results: dict = {"mode": sizes.mode, "machine": machine()}
    with Gunicorn(stack, sizes.workers) as server:
        kiosk = checkin.Kiosk(
            "127.0.0.1", server.port, seeded["session_id"], seeded["kiosk_token"], names
        )
        log(f"gunicorn on port {server.port} with {sizes.workers} workers: warming up")
        checkin.run_kiosks(
            kiosk, checkin.Upload(webcam[0]), kiosks=sizes.workers * 2, seconds=0, rounds=2
        )
        log(f"check-in latency: {len(webcam)} frames x {sizes.reps} runs")
        results["checkin"] = checkin.bench_checkin(kiosk, webcam, pipeline, known, sizes.reps)
        log(f"concurrent kiosks {sizes.kiosks}, {sizes.kiosk_seconds:g} s each")
        frame = next((f for f in webcam if f.size == "853x480"), webcam[-1])
        results["concurrency"] = checkin.bench_concurrency(
            kiosk, frame, sizes.kiosks, sizes.kiosk_seconds, server.worker_pids
        )
        frame = next(f for f in webcam if f.size == "640x480")
        log(f"kiosk fast path: {frame.name}, faces >= {frame.min_face_px} px")
        measured = next(r for r in results["checkin"] if r["frame"] == frame.name)
        results["kiosk"] = checkin.bench_kiosk(frame, measured, sizes.reps)
        results["memory"] = [server.memory_row()]
        log("liveness: check-in with the challenge on vs off, through gunicorn")
        live_kiosk = replace(
            kiosk, session_id=seeded["liveness_session_id"], token=seeded["liveness_kiosk_token"]
        )
        posts = sizes.reps if sizes.mode == "tiny" else max(sizes.reps, 20)
        liveness_http = liveness.bench_http(kiosk, live_kiosk, webcam[0], posts)

    log("photo-quality gate: cost per photo next to the encode")
    results["photo_quality"] = photo_quality.gate_cost_ms(repeats=3 if sizes.mode == "full" else 1)
    log(f"face encoder: dlib vs ONNX Runtime, {sizes.encoder_reps} runs a face")
    results["encoder"] = encoder.bench_encoder(sizes.encoder_reps)
    log("detection recall vs the recipe (groups and composites)")
    results["recall"] = recall.bench_recall(sizes.mode, log)
    log(f"class photo {sizes.class_photo_size}: app vs recipe, peak memory")
    results["class_photo"] = recall.bench_class_photo(
        stack.root / "class-photo.jpg",
        sizes.class_photo_size,
        pipeline,
        known,
        sizes.class_photo_reps,
    )

    log(f"training {sizes.train_sizes} people")
    results["encoding_space"] = space.describe(np.random.default_rng(5))
    reps = sizes.train_reps.get
    trained = training.bench_training(
        space, sizes.train_sizes, lambda n: reps(n, 1), sizes.train_extrapolated
    )
    log(f"training {sizes.trainer_sizes} people against the replaced trainer")
    results["trainer"] = training.bench_trainer(space, sizes.trainer_sizes, sizes.trainer_probes)
    log(f"retraining a {sizes.course_retrain}-student course through the database")
    retrain = school.bench_course_retrain(
        space, sizes.course_retrain, reps=reps(sizes.course_retrain, 1)
    )
    results["training"] = (
        trained[: len(sizes.train_sizes)] + [retrain] + trained[len(sizes.train_sizes) :]
    )

    log(f"identification against {sizes.identify_sizes} people")
    results["identify"] = training.bench_identify(
        space, sizes.identify_sizes, sizes.identify_probes, sizes.identify_trained_up_to
    )
    students, courses, each = sizes.school
    log(f"a new photo in a school of {students} students, {courses} courses")
    results["school"] = school.bench_new_photo(
        space, samples[0][1], students=students, courses=courses, courses_each=each
    )
    results["liveness"] = {
        **liveness.bench_liveness(mode=sizes.mode, log=log),
        "http": liveness_http,
    }

    results["duration_s"] = round(time.perf_counter() - started, 1)
    results["context"] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "database": stack.database_kind,
        "gunicorn_workers": sizes.workers,
        "face_config": ", ".join(f"{k}={v}" for k, v in asdict(config).items()),
        "load_before": load_before,
        "load_after": load_average(),
        "sizes": {k: v for k, v in asdict(sizes).items() if k != "train_reps"},
    }
    results["targets"] = report.targets(results)
    return results


def write(results: dict, report_path: Path = REPORT, results_path: Path = RESULTS) -> str:
    """The report as markdown to `report_path`, every number as JSON to `results_path`."""
    from bench import report

    text = report.markdown(results)
    for path, content in (
        (report_path, text),
        (results_path, json.dumps(results, indent=2, default=str) + "\n"),
    ):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return text


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs (~2 minutes)")
    sizes = Sizes.quick() if parser.parse_args(argv).quick else Sizes()

    from bench import report
    from bench.stack import Stack

    began = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - began:6.1f} s] {message}", file=sys.stderr, flush=True)

    stack = Stack.create(Path(tempfile.mkdtemp(prefix="attendance-bench-")))
    try:
        log(f"migrating a throwaway {stack.database_kind} database")
        stack.migrate()
        log("enrolling the sample people through the app's import")
        seeded = stack.seed()
        # This process uses the stack's database too, with tasks run in-process.
        os.environ.update(stack.env)
        os.environ.pop("REDIS_URL", None)
        import django

        django.setup()
        results = run_suite(sizes, stack, seeded, log)
    finally:
        stack.destroy()
    results["duration_s"] = round(time.perf_counter() - began, 1)
    results["targets"] = report.targets(results)
    print(write(results))
    log(f"written to {REPORT} and {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
