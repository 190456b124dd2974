"""The face encoder: dlib's runtime vs the same network run by ONNX Runtime.

Per face, on the 150x150 chips of the sample enrollment photos, in one run and interleaved
(each repetition times every variant once, so a change in the machine's load hits them
alike): dlib's `compute_face_descriptor`; ONNX Runtime with 1 and 2 intra-op threads, one
face a call (a kiosk's frame) and all faces in one call (a group photo); and the app's whole
per-face step (`encoding.encode`: landmarks, chip, encoder) with each runtime. Also the largest
difference between the two runtimes' encodings, and the resident memory a fresh process
gains by loading the ONNX session.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace

import numpy as np

from bench.frames import PROJECT_ROOT, enrollment_photos
from bench.stats import ms, percentile, timed

RSS_PROBE = """
import os
import numpy as np
from bench.stats import rss_mib
from recognition import faces, onnx_encoder
before = rss_mib(os.getpid())
encoder = onnx_encoder.get_encoder()
encoder.encode(np.zeros((1, 150, 150, 3), dtype=np.uint8))
after_one = rss_mib(os.getpid())
encoder.encode(np.zeros((8, 150, 150, 3), dtype=np.uint8))
print(before, after_one, rss_mib(os.getpid()))
"""


def memory_growth() -> dict:
    """RSS of a fresh process with the face module loaded, then with the session loaded."""
    command = [sys.executable, "-c", RSS_PROBE]
    done = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1:]}
    before, after_one, after_batch = (float(v) for v in done.stdout.split())
    growth = round(max(after_one, after_batch) - before, 1)
    return {
        "rss_before_mib": before,
        "rss_after_mib": after_one,
        "rss_after_batch_mib": after_batch,
        "growth_mib": growth,
    }


def bench_encoder(reps: int, threads: tuple[int, ...] = (1, 2)) -> dict:
    from recognition import detection, dlib_models, encoding, faces, onnx_encoder

    config = faces.FaceConfig(encoder_runtime="dlib")
    samples = []
    for _, path in enrollment_photos():
        image = faces.load_image(path, config)
        for rect in detection.detect(image, config, config.min_detect_px):
            chip = encoding.chips(image, [rect], config)[0]
            samples.append((image, rect, chip))
    chips = np.stack([chip for _, _, chip in samples])
    dlib_encoder = dlib_models.model("encoder")
    onnx = {
        f"onnx, {t} thread{'s' * (t > 1)}": onnx_encoder.OnnxFaceEncoder(threads=t) for t in threads
    }
    reference = np.array([dlib_encoder.compute_face_descriptor(c) for c in chips])
    max_diff = float(np.abs(reference - next(iter(onnx.values())).encode(chips)).max())

    per_face = {"dlib": lambda chip: dlib_encoder.compute_face_descriptor(chip)}
    per_face |= {name: (lambda chip, e=e: e.encode(chip[None])) for name, e in onnx.items()}
    settings = faces.FaceConfig.from_settings()
    steps = {runtime: replace(settings, encoder_runtime=runtime) for runtime in ("dlib", "onnx")}
    for encoder in onnx.values():  # warm up (the first run allocates)
        encoder.encode(chips)
    times = {(name, "one face a call"): [] for name in per_face}
    times |= {(name, f"{len(chips)} faces a call"): [] for name in onnx}
    times |= {(f"app step ({r})", "landmarks + chip + encoding"): [] for r in steps}
    for _ in range(reps):
        for image, rect, chip in samples:
            for name, encode in per_face.items():
                times[(name, "one face a call")].append(timed(encode, chip)[1])
            for runtime, step in steps.items():
                seconds = timed(encoding.encode, image, [rect], step)[1]
                times[(f"app step ({runtime})", "landmarks + chip + encoding")].append(seconds)
        for name, encoder in onnx.items():
            seconds = timed(encoder.encode, chips)[1] / len(chips)
            times[(name, f"{len(chips)} faces a call")].append(seconds)

    def p50(key):
        return percentile(times[key], 50)

    rows = []
    for (name, call), seconds in times.items():
        dlib_p50 = p50(
            ("app step (dlib)", call) if name.startswith("app") else ("dlib", "one face a call")
        )
        rows.append(
            {
                "encoder": name,
                "call": call,
                "p50_ms": ms(p50((name, call)), 2),
                "p95_ms": ms(percentile(seconds, 95), 2),
                "ratio_to_dlib": round(p50((name, call)) / dlib_p50, 3),
            }
        )
    return {
        "faces": len(chips),
        "reps": reps,
        "max_abs_diff": max_diff,
        "app_threads": faces.FaceConfig.from_settings().encoder_threads,
        "rows": rows,
        "memory": memory_growth(),
    }
