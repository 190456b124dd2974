"""The face encoder: dlib's runtime vs the same network run by ONNX Runtime (issue 15).

Per face, on the 150x150 chips of the sample enrollment photos, measured in one run and
interleaved (each repetition times every variant once, so a change in the machine's load
hits them alike):
- dlib: `compute_face_descriptor` on the chip (the `dlib-bin` wheel, no BLAS);
- ONNX Runtime with 1 and 2 intra-op threads, one face a call (a kiosk's frame), and
  all faces in one call (a group photo);
- the app's whole per-face step (`encoding.encode`: landmarks, chip, encoder) with each
  runtime, as the settings configure it.
Also the largest difference between the two runtimes' encodings, and the resident memory a
process gains by loading the ONNX session (measured in a fresh interpreter).
"""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import replace

import numpy as np

from bench.frames import PROJECT_ROOT, enrollment_photos
from bench.stats import ms, percentile

RSS_PROBE = """
import numpy as np
from bench.stats import rss_mib
import os
from recognition import faces, onnx_encoder
before = rss_mib(os.getpid())
encoder = onnx_encoder.get_encoder()
encoder.encode(np.zeros((1, 150, 150, 3), dtype=np.uint8))
after_one = rss_mib(os.getpid())
encoder.encode(np.zeros((8, 150, 150, 3), dtype=np.uint8))
print(before, after_one, rss_mib(os.getpid()))
"""


def _samples():
    from recognition import detection, encoding, faces

    config = faces.FaceConfig(encoder_runtime="dlib")
    rows = []
    for _, path in enrollment_photos():
        image = faces.load_image(path, config)
        for rect in detection.detect(image, config, config.min_detect_px):
            rows.append((image, rect, encoding.chips(image, [rect], config)[0]))
    return rows


def _time(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def memory_growth() -> dict:
    """RSS of a fresh process with the face module loaded, then with the session loaded."""
    done = subprocess.run(
        [sys.executable, "-c", RSS_PROBE],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1:]}
    before, after_one, after_batch = (float(v) for v in done.stdout.split())
    return {
        "rss_before_mib": before,
        "rss_after_mib": after_one,
        "rss_after_batch_mib": after_batch,
        "growth_mib": round(max(after_one, after_batch) - before, 1),
    }


def bench_encoder(reps: int, threads: tuple[int, ...] = (1, 2)) -> dict:
    from recognition import dlib_models, encoding, faces, onnx_encoder

    samples = _samples()
    chips = np.stack([chip for _, _, chip in samples])
    encoders = {t: onnx_encoder.OnnxFaceEncoder(threads=t) for t in threads}
    dlib_encoder = dlib_models.model("encoder")

    reference = np.array([dlib_encoder.compute_face_descriptor(c) for c in chips])
    converted = encoders[threads[0]].encode(chips)
    max_diff = float(np.abs(reference - converted).max())

    settings = faces.FaceConfig.from_settings()
    app = {runtime: replace(settings, encoder_runtime=runtime) for runtime in ("dlib", "onnx")}
    variants = {"dlib": lambda c: dlib_encoder.compute_face_descriptor(c)}
    for t, encoder in encoders.items():
        variants[f"onnx, {t} thread{'s' if t > 1 else ''}"] = lambda c, encoder=encoder: (
            encoder.encode(c[None])
        )
    for encoder in encoders.values():  # warm up (the first run allocates)
        encoder.encode(chips)
    per_face = {name: [] for name in variants}
    batch = {t: [] for t in threads}
    whole = {runtime: [] for runtime in app}
    for _ in range(reps):
        for image, rect, chip in samples:
            for name, fn in variants.items():
                per_face[name].append(_time(lambda fn=fn, chip=chip: fn(chip)))
            for runtime, config in app.items():
                whole[runtime].append(
                    _time(lambda c=config: encoding.encode(image, [rect], c))  # noqa: B023
                )
        for t, encoder in encoders.items():
            batch[t].append(_time(lambda e=encoder: e.encode(chips)) / len(chips))

    dlib_p50 = percentile(per_face["dlib"], 50)
    rows = []
    for name, seconds in per_face.items():
        p50 = percentile(seconds, 50)
        rows.append(
            {
                "encoder": name,
                "call": "one face a call",
                "p50_ms": ms(p50, 2),
                "p95_ms": ms(percentile(seconds, 95), 2),
                "ratio_to_dlib": round(p50 / dlib_p50, 3),
            }
        )
    for t, seconds in batch.items():
        p50 = percentile(seconds, 50)
        rows.append(
            {
                "encoder": f"onnx, {t} thread{'s' if t > 1 else ''}",
                "call": f"{len(chips)} faces a call",
                "p50_ms": ms(p50, 2),
                "p95_ms": ms(percentile(seconds, 95), 2),
                "ratio_to_dlib": round(p50 / dlib_p50, 3),
            }
        )
    whole_dlib = percentile(whole["dlib"], 50)
    for runtime, seconds in whole.items():
        p50 = percentile(seconds, 50)
        rows.append(
            {
                "encoder": f"app step ({runtime})",
                "call": "landmarks + chip + encoding",
                "p50_ms": ms(p50, 2),
                "p95_ms": ms(percentile(seconds, 95), 2),
                "ratio_to_dlib": round(p50 / whole_dlib, 3),
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
