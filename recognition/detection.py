"""Finding every face of at least a given size in an RGB frame, whatever the frame's size.

dlib's HOG detector (80x80 window) runs on a copy scaled so that the smallest face asked
for fills its window, upsampled when faces are smaller than the window, so what is found
does not depend on the frame's size. Large detection images are cut into overlapping bands
searched by a thread each (dlib's HOG releases the GIL). Rectangles come back in the
full-resolution frame's coordinates: landmarks and encodings use the full frame.
"""

from __future__ import annotations

import functools
import math
import os
import pickle
import threading

import dlib
import numpy as np
from PIL import Image

from recognition import dlib_models
from recognition.config import FaceConfig

HOG_WINDOW_PX = 80  # dlib's frontal face detector: 80x80 window, boxes from ~73 px
BAND_MIN_PIXELS = 1_500_000  # detection work (pixels x 4**upsample) worth splitting
BAND_OVERLAP_FACES = 8  # bands overlap by this many smallest faces
BAND_THRESHOLD_DROP = 0.25  # see _detect_band
_pool = None
_thread_detectors = threading.local()


def detection_plan(min_face_px: int) -> tuple[float, int]:
    """The scale of the detection copy and dlib's upsampling for faces >= min_face_px.

    40 px -> (1.0, 1): the full frame upsampled once; 80 -> (1.0, 0); 160 -> (0.5, 0);
    60 -> (0.67, 1); 30 -> (0.67, 2).
    """
    scale = HOG_WINDOW_PX / max(int(min_face_px), 1)
    upsample = 0
    while scale > 1.0:
        scale /= 2
        upsample += 1
    return scale, upsample


def detect(image: np.ndarray, cfg: FaceConfig, min_face_px: int) -> list[dlib.rectangle]:
    """Face rectangles (every face >= min_face_px) in full-resolution coordinates, sorted
    left to right.

    A large detection image is cut into overlapping bands along its longer side, one
    thread each: a face no bigger than the overlap lies whole in some band (detections
    touching an inner band edge are dropped, the neighbour band has the whole face);
    bigger faces come from one more pass on a copy scaled for them (cheap: far fewer
    pixels). Duplicates are merged.
    """
    scale, upsample = detection_plan(min_face_px)
    small, sx, sy = _detection_copy(image, scale, gray=cfg.detector_model == "hog")
    rows, cols = small.shape[:2]
    workers = min(os.cpu_count() or 1, 4) if cfg.detector_model == "hog" else 1
    if workers < 2 or rows * cols * 4**upsample < BAND_MIN_PIXELS:
        found = _run_detector(small, cfg, upsample)
    else:
        overlap = math.ceil(BAND_OVERLAP_FACES * min_face_px * scale)
        bands = _bands(rows if rows >= cols else cols, workers, overlap)
        jobs = [(small, cfg, upsample, band, rows >= cols) for band in bands]
        found = [r for rects in _thread_pool(workers).map(_detect_band, jobs) for r in rects]
        # faces larger than the overlap may lie across a band edge: one pass for them alone
        # (keeping only what it is for: smaller faces are the bands')
        big_px = round((overlap - 2 * min_face_px * scale) / scale)
        big = [r for r in detect(image, cfg, big_px) if r.width() >= 0.9 * big_px]
        found += [dlib.rectangle(*_scaled(r, sx, sy)) for r in big]
        found = _merge(found)
    rects = [dlib.rectangle(*_scaled(r, 1 / sx, 1 / sy)) for r in found]
    return sorted(rects, key=lambda r: (r.left(), r.top()))


def _run_detector(
    image: np.ndarray, cfg: FaceConfig, upsample: int, adjust: float = 0.0
) -> list[dlib.rectangle]:
    if cfg.detector_model == "cnn":
        return [d.rect for d in dlib_models.model("cnn_detector")(image, upsample)]
    # One HOG detector per thread: dlib's is not safe to share between threads (the band
    # threads here, or a threaded web server's request threads).
    if not hasattr(_thread_detectors, "hog"):
        _thread_detectors.hog = pickle.loads(_hog_detector_bytes())
    detector = _thread_detectors.hog
    return list(detector.run(image, upsample, adjust)[0])


_hog_lock = threading.Lock()


def _hog_detector_bytes() -> bytes:
    """dlib's frontal face detector, serialized once per process.

    get_frontal_face_detector() decodes a model embedded in dlib: 0.5 s on an idle core and
    1-2.6 s on a busy machine, paid by every new thread (the two band threads' first large
    frame took that much longer: the slow tail of multi-face check-ins). A copy unpickled
    from these bytes (dlib's own serialization, made here, never read from outside) takes
    about 1 ms and detects the same faces.
    """
    with _hog_lock:  # the band threads start together: build it once
        return _built_hog_detector()


@functools.cache
def _built_hog_detector() -> bytes:
    return pickle.dumps(dlib.get_frontal_face_detector())


def _bands(length: int, count: int, overlap: int) -> list[tuple[int, int]]:
    step = math.ceil((length + (count - 1) * overlap) / count)
    starts = [max(0, min(i * (step - overlap), length - step)) // 8 * 8 for i in range(count)]
    return [(start, min(start + step + 8, length)) for start in starts]


def _detect_band(job) -> list[dlib.rectangle]:
    """Faces whole inside one band, in the coordinates of the whole detection copy.

    HOG's scores depend on where its 8-px cell grid falls: the same face scored 0.43 in a
    whole frame and -0.03 in a band starting 840 px to its left. So bands run with the
    threshold lowered by BAND_THRESHOLD_DROP, and their offsets are multiples of 8 px.
    """
    image, cfg, upsample, (start, end), along_rows = job
    part = image[start:end] if along_rows else image[:, start:end]
    length = image.shape[0] if along_rows else image.shape[1]
    margin = 2  # px of the detection copy
    kept = []
    for r in _run_detector(np.ascontiguousarray(part), cfg, upsample, -BAND_THRESHOLD_DROP):
        low, high = (r.top(), r.bottom()) if along_rows else (r.left(), r.right())
        if (start > 0 and low < margin) or (end < length and high > end - start - margin):
            continue  # cut by an inner band edge: the neighbouring band holds it whole
        dy, dx = (start, 0) if along_rows else (0, start)
        kept.append(dlib.translate_rect(r, dlib.point(dx, dy)))
    return kept


def _thread_pool(workers: int):
    global _pool
    if _pool is None:
        from concurrent.futures import ThreadPoolExecutor

        _pool = ThreadPoolExecutor(workers, thread_name_prefix="face-detect")
    return _pool


def _scaled(r: dlib.rectangle, fx: float, fy: float) -> tuple[int, int, int, int]:
    return round(r.left() * fx), round(r.top() * fy), round(r.right() * fx), round(r.bottom() * fy)


def _merge(rects: list[dlib.rectangle]) -> list[dlib.rectangle]:
    """One rectangle per face: of overlapping ones (IoU > 0.4), the first found is kept."""
    kept: list[dlib.rectangle] = []
    for r in rects:
        if all(_iou(r, k) <= 0.4 for k in kept):
            kept.append(r)
    return kept


def _iou(a: dlib.rectangle, b: dlib.rectangle) -> float:
    inter = a.intersect(b)
    common = 0 if inter.is_empty() else inter.area()
    return common / (a.area() + b.area() - common)


def _detection_copy(
    image: np.ndarray, scale: float, *, gray: bool
) -> tuple[np.ndarray, float, float]:
    """The image scaled by `scale` (at most 1), and the actual x/y scales.

    dlib's bilinear resize takes ~0.5 ms for a 1280x720 frame (Pillow's: ~5 ms). HOG runs
    on grayscale: a third faster than RGB on large frames, and the same faces found.
    """
    height, width = image.shape[:2]
    sx = sy = 1.0
    small = image
    if scale < 1:
        rows, cols = max(1, round(height * scale)), max(1, round(width * scale))
        small = np.ascontiguousarray(dlib.resize_image(image, rows, cols), dtype=np.uint8)
        sx, sy = cols / width, rows / height
    if gray:
        small = np.asarray(Image.fromarray(small).convert("L"))
    return small, sx, sy
