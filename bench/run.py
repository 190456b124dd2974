"""`make bench`: the benchmark suite of issue 5. Prints the results and writes them to
bench/results/results.md and results.json.

    .venv/bin/python -m bench.run           # full run, ~6 minutes on 2 cores
    .venv/bin/python -m bench.run --quick   # the same sections, fewer runs, ~2 minutes

The app runs as deployed: a throwaway database (SQLite in a temporary folder, or a new
PostgreSQL database when DATABASE_URL is PostgreSQL, dropped afterwards), migrated, the
sample people enrolled through the app's import, gunicorn serving it with DEBUG=false,
and a Celery worker on Redis (redis://127.0.0.1:6379/2, or BENCH_REDIS_URL) when one is
reachable. The project's own db.sqlite3 and media/ are never touched.
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
from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Sizes:
    """How much of everything to run. `full` is what `make bench` runs."""

    mode: str = "full"
    reps: int = 15
    encoder_reps: int = 5  # per face of the 9 sample faces, each runtime (bench.encoder)
    frames: int = 4  # the first N webcam frames (640x480, 853x480, 1280x720, three faces)
    kiosks: tuple[int, ...] = (1, 4, 8)
    kiosk_seconds: float = 30
    enrollment_passes: int = 2
    sample_photos: int = 9
    phone_photos: int = 5
    phone_size: tuple[int, int] = (4000, 3000)
    train_sizes: tuple[int, ...] = (30, 300, 1000)
    train_reps: dict[int, int] = field(default_factory=lambda: {30: 5, 300: 5, 1000: 1})
    train_capped: tuple[int, ...] = (3000, 10_000)
    train_cap_s: float = 60
    course_retrain: int = 300  # students of the course retrained through the database
    identify_sizes: tuple[int, ...] = (30, 300, 3000, 10_000)
    identify_probes: int = 200
    identify_trained_up_to: int = 1000
    school: tuple[int, int, int] = (10_000, 300, 3)  # students, courses, courses each
    celery: bool = True
    workers: int = 2 * (os.cpu_count() or 1)
    class_photo_size: tuple[int, int] = (4000, 3000)
    class_photo_reps: int = 3

    @classmethod
    def quick(cls) -> Sizes:
        return cls(
            mode="quick",
            reps=2,
            encoder_reps=2,
            kiosk_seconds=3,
            enrollment_passes=1,
            train_reps={30: 1, 300: 1, 1000: 1},
            train_cap_s=0,
            identify_probes=50,
            class_photo_reps=1,
        )

    @classmethod
    def tiny(cls) -> Sizes:
        """For the smoke test: every code path, on the smallest inputs."""
        return cls(
            mode="tiny",
            reps=2,
            encoder_reps=1,
            frames=2,
            kiosks=(1, 2),
            kiosk_seconds=1,
            enrollment_passes=1,
            sample_photos=1,
            phone_photos=1,
            phone_size=(800, 600),
            train_sizes=(3, 5),
            train_reps={},
            train_capped=(8,),
            train_cap_s=60,
            course_retrain=4,
            identify_sizes=(3, 10),
            identify_probes=5,
            identify_trained_up_to=3,
            school=(60, 6, 3),
            workers=2,
            class_photo_size=(1600, 1200),
            class_photo_reps=1,
        )


def run_suite(sizes: Sizes, stack, seeded: dict, log=print) -> dict:
    """Every section, on the stack's server and the Django database configured here."""
    import numpy as np
    from django.conf import settings

    from bench import (
        checkin,
        encoder,
        enrollment,
        frames,
        memory,
        recipe,
        report,
        roll_call,
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
    phones = frames.phone_photos(
        stack.root / "phone", count=sizes.phone_photos, size=sizes.phone_size
    )

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
    tolerance = settings.RECOGNITION_TOLERANCE
    pipeline = checkin.Pipeline(model, names, tolerance, config)

    results: dict = {"mode": sizes.mode, "machine": machine()}
    with Gunicorn(stack, sizes.workers) as server:
        kiosk = checkin.Kiosk(
            "127.0.0.1", server.port, seeded["session_id"], seeded["kiosk_token"], names
        )
        log(f"gunicorn on port {server.port} with {sizes.workers} workers: warming up")
        checkin.warm_up(kiosk, webcam[0], sizes.workers)
        log(f"check-in latency: {len(webcam)} frames x {sizes.reps} runs")
        results["checkin"] = checkin.bench_checkin(kiosk, webcam, pipeline, known, sizes.reps)
        concurrency_frame = next((f for f in webcam if f.size == "853x480"), webcam[-1])
        log(f"concurrent kiosks {sizes.kiosks}, {sizes.kiosk_seconds:g} s each")
        results["concurrency"] = checkin.bench_concurrency(
            kiosk, concurrency_frame, sizes.kiosks, sizes.kiosk_seconds, server.worker_pids
        )
        kiosk_frame = next(f for f in webcam if f.size == "640x480")
        log(f"kiosk fast path: {kiosk_frame.name}, faces >= {kiosk_frame.min_face_px} px")
        results["kiosk"] = roll_call.bench_kiosk(kiosk, kiosk_frame, known, sizes.reps)
        results["memory"] = [memory.gunicorn_row(server)]
        from bench import liveness  # issue 12

        log("liveness: check-in with the challenge on vs off, through gunicorn")
        live_kiosk = replace(
            kiosk,
            session_id=seeded["liveness_session_id"],
            token=seeded["liveness_kiosk_token"],
        )
        posts = sizes.reps if sizes.mode == "tiny" else max(sizes.reps, 20)
        liveness_http = liveness.bench_http(kiosk, live_kiosk, webcam[0], posts)

    pipelines = {"app settings": pipeline}
    if faces.FaceConfig() != config:
        pipelines["FaceConfig defaults"] = checkin.Pipeline(
            model, names, tolerance, faces.FaceConfig()
        )
        log("detector settings: the app's settings vs FaceConfig's defaults")
        results["detector"] = checkin.bench_detector_settings(webcam, pipelines, sizes.reps)

    log(f"face encoder: dlib vs ONNX Runtime, {sizes.encoder_reps} runs a face")
    results["encoder"] = encoder.bench_encoder(sizes.encoder_reps)
    log("detection recall vs the recipe (groups and composites)")
    results["recall"] = roll_call.bench_recall(sizes.mode, log)
    class_jpeg, class_frame = roll_call.class_photo_jpeg(sizes.class_photo_size)
    class_path = stack.root / "class-photo.jpg"
    class_path.write_bytes(class_jpeg)
    log(f"class photo {class_frame.size}: app vs recipe, peak memory")
    results["class_photo"] = roll_call.bench_class_photo(
        class_path, class_frame, pipeline, known, sizes.class_photo_reps
    )

    log("enrollment through the encode task")
    results["enrollment"] = enrollment.bench_enrollment(
        {
            "sample photos": samples[: sizes.sample_photos],
            "12 MP phone photos, EXIF-rotated": phones,
        },
        sizes.enrollment_passes,
    )

    log(f"training {sizes.train_sizes} people, then {sizes.train_capped} (capped)")
    results["encoding_space"] = {
        **space.describe(),
        "synthetic": space.check(np.random.default_rng(5)),
    }
    trained = training.bench_training(
        space, sizes.train_sizes, 5, lambda n: sizes.train_reps.get(n, 1)
    )
    capped = training.bench_training_capped(space, sizes.train_capped, 5, sizes.train_cap_s)
    log(f"retraining a {sizes.course_retrain}-student course through the database")
    retrain = school.bench_course_retrain(
        space, sizes.course_retrain, reps=sizes.train_reps.get(sizes.course_retrain, 1)
    )
    results["training"] = trained + [retrain] + capped
    unfinished = [r["people"] for r in capped if not r["finished"]]
    exponent = training.growth_exponent(results["training"])
    if unfinished and exponent:
        results["training_growth"] = {
            "exponent": exponent,
            "extrapolated": {n: training.extrapolate(results["training"], n) for n in unfinished},
        }

    log(f"identification against {sizes.identify_sizes} people")
    results["identify"] = training.bench_identify(
        space,
        sizes.identify_sizes,
        5,
        sizes.identify_probes,
        sizes.identify_trained_up_to,
        tolerance,
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

    if sizes.celery:
        log("Celery worker memory")
        results["memory"].append(
            memory.celery_row(stack, seeded["warm_up_photo_id"], seeded["course_id"])
        )

    results["duration_s"] = round(time.perf_counter() - started, 1)
    results["context"] = {
        "database": stack.database_kind,
        "gunicorn_workers": sizes.workers,
        "face_config": ", ".join(f"{k}={v}" for k, v in asdict(config).items()),
        "load_before": load_before,
        "load_after": load_average(),
        "sizes": {k: v for k, v in asdict(sizes).items() if k != "train_reps"},
    }
    results["targets"] = report.targets(results)
    return results


def write(results: dict, directory: Path = RESULTS_DIR) -> str:
    from bench import report

    directory.mkdir(parents=True, exist_ok=True)
    text = report.markdown(results)
    (directory / "results.md").write_text(text)
    (directory / "results.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    return text


def _configure_django(stack) -> None:
    """This process uses the stack's database too, with tasks run in-process."""
    os.environ.update(stack.env)
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs (~2 minutes)")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default 2 x cores)")
    parser.add_argument("--output", type=Path, default=RESULTS_DIR)
    args = parser.parse_args(argv)
    sizes = Sizes.quick() if args.quick else Sizes()
    if args.workers:
        sizes = replace(sizes, workers=args.workers)

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
        _configure_django(stack)
        results = run_suite(sizes, stack, seeded, log)
    finally:
        stack.destroy()
    results["duration_s"] = round(time.perf_counter() - began, 1)
    from bench import report

    results["targets"] = report.targets(results)
    print(write(results, args.output))
    log(f"written to {args.output}/results.md and results.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
