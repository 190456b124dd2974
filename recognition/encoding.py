"""The 128-d face encoding: computing it (landmarks, aligned chip, dlib's network run by
ONNX Runtime or by dlib) and the value itself (128 float32 numbers, stored as 512 bytes).

The one place that knows the encoding's size and byte layout, shared by the face seam,
the classifier and the models that store encodings. The network runs on ONNX Runtime
(~7 ms a face, `recognition.onnx_encoder`) unless `encoder_runtime` is "dlib" (~75 ms),
jitters are asked for, or the ONNX model could not be built or loaded (then dlib encodes
and a system check says why).
"""

from __future__ import annotations

from pathlib import Path

import dlib
import numpy as np

from recognition import dlib_models, onnx_encoder
from recognition.config import FaceConfig
from recognition.types import DetectedFace, FaceBox

ENCODING_SIZE = 128
CHIP_SIZE = 150  # dlib's encoder input: 150x150 aligned chips
CHIP_PADDING = 0.25  # what compute_face_descriptor uses


def pack(vector) -> bytes:
    """128 float32 values: 512 bytes instead of a 2 KB JSON list."""
    array = np.asarray(vector, dtype=np.float32)
    if array.shape != (ENCODING_SIZE,):
        raise ValueError(f"expected {ENCODING_SIZE} values, got shape {array.shape}")
    return array.tobytes()


def unpack_many(blobs) -> np.ndarray:
    """Stored encodings as one (N, 128) float32 array."""
    data = b"".join(bytes(blob) for blob in blobs)
    return np.frombuffer(data, dtype=np.float32).reshape(-1, ENCODING_SIZE)


def rectangle(box: FaceBox) -> dlib.rectangle:
    """dlib's rectangle of a face box (the inverse of FaceBox.clipped)."""
    return dlib.rectangle(box.left, box.top, box.right, box.bottom)


def landmarks68(image: np.ndarray, rect: dlib.rectangle) -> np.ndarray:
    """The 68 (x, y) points of dlib's large landmark model for one face, read-only."""
    shape = dlib_models.model("landmarks_68")(image, rect)
    points = np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float64)
    points.flags.writeable = False
    return points


def chips(image: np.ndarray, rects: list, config: FaceConfig) -> np.ndarray:
    """(N, 150, 150, 3) uint8: the aligned chip of each face, as dlib's encoder sees it.

    The same chip as compute_face_descriptor of one face: one at a time, as dlib's
    get_face_chips of several faces can sample a face differently.
    """
    predictor = _predictor(config)
    cut = [
        dlib.get_face_chip(image, predictor(image, rect), size=CHIP_SIZE, padding=CHIP_PADDING)
        for rect in rects
    ]
    if not cut:
        return np.zeros((0, CHIP_SIZE, CHIP_SIZE, 3), dtype=np.uint8)
    return np.stack(cut)


def encode_chips_with_dlib(face_chips: np.ndarray, *, weights: Path | None = None) -> np.ndarray:
    """(N, 150, 150, 3) uint8 chips -> (N, 128) float32 by dlib's own network (the
    reference the ONNX graph is checked against), made from `weights` (default: the
    installed .dat)."""
    encoder = dlib_models.encoder_from(weights)
    if len(face_chips) == 0:
        return np.zeros((0, ENCODING_SIZE), dtype=np.float32)
    return np.array(
        [encoder.compute_face_descriptor(np.ascontiguousarray(chip)) for chip in face_chips],
        dtype=np.float32,
    )


ENCODE_BATCH = 16  # faces per run of the encoder network


def encode(image: np.ndarray, rects: list, config: FaceConfig) -> list[DetectedFace]:
    """The faces at `rects` (full-resolution dlib rectangles) with their encodings."""
    onnx = None
    if config.encoder_runtime == "onnx" and config.jitters == 1 and rects:
        onnx = onnx_encoder.usable_encoder(config)
    if onnx is not None:
        # ENCODE_BATCH faces at a time: the network's memory grows with the batch.
        encodings = []
        for start in range(0, len(rects), ENCODE_BATCH):
            encodings.extend(onnx.encode(chips(image, rects[start : start + ENCODE_BATCH], config)))
    else:
        encoder = dlib_models.model("encoder")
        predictor = _predictor(config)
        encodings = [
            encoder.compute_face_descriptor(image, predictor(image, rect), config.jitters)
            for rect in rects
        ]
    faces = []
    for rect, values in zip(rects, encodings, strict=True):
        encoding = np.array(values, dtype=np.float32)
        encoding.flags.writeable = False
        faces.append(DetectedFace(box=FaceBox.clipped(rect, image.shape), encoding=encoding))
    return faces


def _predictor(config: FaceConfig):
    return dlib_models.model("landmarks_5" if config.landmarks_model == "small" else "landmarks_68")
