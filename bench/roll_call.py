"""Issue 11: detection recall vs the recipe at any frame size, the kiosk's fast path, and a
12-megapixel class photo (wall time vs the recipe, peak memory of the task's work)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time

import numpy as np
from PIL import Image

from bench import recall
from bench.checkin import Upload, post
from bench.frames import PROJECT_ROOT, Frame
from bench.recipe import KnownFaces, face_recognition
from bench.stats import summary_ms


def recall_frames(mode: str) -> list[tuple[str, list]]:
    """(label, frames) of the recall table; `tiny` keeps one small frame of each kind."""
    if mode == "tiny":
        groups = recall.group_frames()[:1]
        return [
            ("groups, native size", groups),
            ("composite 1280x720, 9 faces of 40 px", [recall.composite(1280, 720, [40] * 9)]),
        ]
    rows = [
        ("groups, native size (360-500 px wide)", recall.group_frames()),
        ("groups upscaled to 1280 px wide", recall.group_frames(1280)),
    ]
    if mode == "full":
        rows.append(("groups upscaled to 3000 px wide", recall.group_frames(3000)))
    for px in (40, 60, 80):
        rows.append(
            (f"composite 1280x720, 9 faces of {px} px", [recall.composite(1280, 720, [px] * 9)])
        )
    sizes = [40 + (i * 40) // 29 for i in range(30)]
    rows.append(
        ("composite 4000x3000, 30 faces of 40-80 px", [recall.composite(4000, 3000, sizes)])
    )
    return rows


def bench_recall(mode: str, log=print) -> list[dict]:
    from recognition import faces

    faces.detect_faces(np.zeros((100, 100, 3), np.uint8))  # load settings and models first
    rows = []
    for label, frames in recall_frames(mode):
        log(f"recall: {label}")
        row = recall.recall_row(label, frames)
        row["app_s"], row["recipe_s"] = round(row["app_s"], 3), round(row["recipe_s"], 3)
        row["ratio"] = round(row["app_s"] / row["recipe_s"], 3) if row["recipe_s"] else None
        rows.append(row)
    return rows


def _p50(function, reps: int) -> float:
    times = []
    for _ in range(reps):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return summary_ms(times)["p50_ms"]


def bench_kiosk(kiosk, frame: Frame, known: KnownFaces, reps: int) -> dict:
    """640x480 kiosk frame, faces >= frame.min_face_px: HTTP check-in p50 vs the recipe and
    vs the sum of its own parts (decode, detection, landmarks + encoding), same run."""
    from recognition import detection, encoding, faces

    config = faces.FaceConfig.from_settings()
    upload = Upload(frame)
    image = faces.load_image(frame.data, config)
    rects = detection.detect(image, config, frame.min_face_px)
    http = []
    for _ in range(reps):
        status, _, seconds = post(kiosk, upload)
        if status == 200:
            http.append(seconds)
    parts = {
        "decode": _p50(lambda: faces.load_image(frame.data, config), reps),
        "detection": _p50(lambda: detection.detect(image, config, frame.min_face_px), reps),
        "landmarks_encoding": _p50(lambda: encoding.encode(image, rects, config), reps),
    }
    recipe = _p50(lambda: known.identify(frame.data), reps)
    http_p50 = summary_ms(http)["p50_ms"] if http else None
    parts_sum = round(sum(parts.values()), 1)
    return {
        "frame": frame.name,
        "min_face_px": frame.min_face_px,
        "faces": len(rects),
        "http_p50_ms": http_p50,
        "recipe_p50_ms": recipe,
        "parts_ms": parts,
        "parts_sum_ms": parts_sum,
        "ratio_to_recipe": round(http_p50 / recipe, 3) if http_p50 else None,
        "ratio_to_parts": round(http_p50 / parts_sum, 3) if http_p50 else None,
    }


def class_photo_jpeg(size=(4000, 3000), low=60, high=120):
    count = 30 if size[0] * size[1] >= 8_000_000 else 6
    sizes = [low + (i * (high - low)) // max(count - 1, 1) for i in range(count)]
    frame = recall.composite(*size, sizes, seed=11)
    out = io.BytesIO()
    Image.fromarray(frame.image).save(out, "JPEG", quality=90)
    return out.getvalue(), frame


def bench_class_photo(path, frame, pipeline, known: KnownFaces, reps: int) -> dict:
    """The task's work on a 12 MP class photo (load + detect all faces >= FACE_MIN_DETECT_PX
    + encode + identify) vs the recipe, wall time on this machine's cores; faces found."""
    from recognition import faces

    data = path.read_bytes()
    app_times, recipe_times = [], []
    app_boxes = recipe_boxes = []
    for _ in range(reps):
        started = time.perf_counter()
        image = faces.load_image(data)
        detected = faces.find_faces(image)
        pipeline_names = pipeline.names_of(detected)
        app_times.append(time.perf_counter() - started)
        app_boxes = [(f.box.left, f.box.top, f.box.right, f.box.bottom) for f in detected]
        started = time.perf_counter()
        image = face_recognition.load_image_file(io.BytesIO(data))
        locations = face_recognition.face_locations(image)
        recipe_names = known.names_of(face_recognition.face_encodings(image, locations))
        recipe_times.append(time.perf_counter() - started)
        recipe_boxes = [(left, top, right, bottom) for top, right, bottom, left in locations]
    app_s, recipe_s = float(np.median(app_times)), float(np.median(recipe_times))
    low, high = frame.face_px
    app_found = recall.found(frame.boxes, app_boxes)
    recipe_found = recall.found(frame.boxes, recipe_boxes)
    return {
        "photo": f"{frame.size}, {len(frame.boxes)} faces of {low}-{high} px",
        "faces": len(frame.boxes),
        "app_found": app_found,
        "recipe_found": recipe_found,
        "app_boxes": len(app_boxes),
        "recipe_boxes": len(recipe_boxes),
        "app_named": sum(n != "unknown" for n in pipeline_names),
        "recipe_named": sum(n != "unknown" for n in recipe_names),
        "app_s": round(app_s, 2),
        "recipe_s": round(recipe_s, 2),
        "ratio": round(app_s / recipe_s, 3),
        "cores": os.cpu_count(),
        "peak_mib": peak_memory_mib(path),
    }


_PEAK = """
import json, sys
from recognition import faces
image = faces.load_image(sys.argv[1])
found = faces.find_faces(image)
hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"faces": len(found), "peak_mib": int(hwm.split()[1]) / 1024}))
"""
# VmHWM, not getrusage's ru_maxrss: after fork/vfork + exec, ru_maxrss starts from the
# parent's peak (Linux carries it over at exec), which made a 0.6 GB child read 1.5 GB.


def peak_memory_mib(path) -> float | None:
    """Peak resident memory of a fresh process doing the task's face work on the photo
    (dlib models loaded, decode, detection in bands, encodings)."""
    result = subprocess.run(
        [sys.executable, "-c", _PEAK, str(path)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
    )
    if result.returncode:
        return None
    return round(json.loads(result.stdout.strip().splitlines()[-1])["peak_mib"], 1)
