"""The face seam the rest of the project calls: photos in, faces (box + 128-d encoding) out.

`find_faces` = images -> detection -> encoding: `recognition.images` decodes and bounds an
upload, `recognition.detection` finds every face of at least `min_detect_px` whatever the
frame's size (banded HOG with a thread pool), `recognition.encoding` cuts landmarks and
chips and runs dlib's network (ONNX Runtime or dlib). Settings are one `FaceConfig`
(`recognition.config`); the values handed out are in `recognition.types`. No module outside
the pipeline imports dlib.
"""

from __future__ import annotations

import numpy as np
from django.utils.translation import gettext as _

from recognition import detection, encoding
from recognition.config import FaceConfig
from recognition.encoding import ENCODING_SIZE
from recognition.images import as_rgb, check_image_header, load_image
from recognition.types import DetectedFace, FaceBox, ImageRejected


def find_faces(
    image: np.ndarray,
    config: FaceConfig | None = None,
    *,
    min_face_px: int | None = None,
    max_faces: int | None = None,
    landmarks68: bool = False,
) -> list[DetectedFace]:
    """Every face in an RGB frame (a check-in frame or a group photo), left to right.

    Finds every face of at least `min_face_px` (default: the config's `min_detect_px`)
    whatever the frame's size; a caller that knows its faces are bigger (a kiosk: students
    stand close) asks for more and detection gets cheaper. Landmarks and encodings use the
    full-resolution frame, so scaling costs no encoding accuracy. With `max_faces`, only
    that many faces are encoded: the largest, i.e. nearest the camera. With `landmarks68`,
    each face also carries its 68 landmark points (~0.6 ms a face).
    """
    cfg = config or FaceConfig.from_settings()
    image = as_rgb(image)
    rects = detection.detect(image, cfg, min_face_px or cfg.min_detect_px)
    if max_faces is not None and len(rects) > max_faces:
        largest = sorted(rects, key=lambda r: r.width() * r.height(), reverse=True)[:max_faces]
        rects = sorted(largest, key=lambda r: (r.left(), r.top()))
    found = encoding.encode(image, rects, cfg)
    if not landmarks68:
        return found
    return [
        DetectedFace(face.box, face.encoding, encoding.landmarks68(image, rect))
        for face, rect in zip(found, rects, strict=True)
    ]


def encode_enrollment_photo(source, config: FaceConfig | None = None) -> DetectedFace:
    """The one face of an enrollment photo, or ImageRejected saying what is wrong.

    Detection first looks for faces of at least 1/12 of the photo's longer side (cheap on a
    12-megapixel picture), then, when nothing is found, for faces half that size; never
    below `min_detect_px`.
    """
    cfg = config or FaceConfig.from_settings()
    image = load_image(source, cfg)
    longer = max(image.shape[:2])
    rects = detection.detect(image, cfg, max(cfg.min_detect_px, longer // 12))
    if not rects and longer // 12 > cfg.min_detect_px:
        rects = detection.detect(image, cfg, max(cfg.min_detect_px, longer // 24))
    if not rects:
        raise ImageRejected("no_face")
    if len(rects) > 1:
        raise ImageRejected(
            "multiple_faces",
            _("This photo shows %(count)s faces. Use a photo of this person alone.")
            % {"count": len(rects)},
        )
    box = FaceBox.clipped(rects[0], image.shape)
    if min(box.width, box.height) < cfg.min_face_px:
        raise ImageRejected("face_too_small")
    return encoding.encode(image, rects, cfg)[0]


def detect_faces(
    image: np.ndarray, config: FaceConfig | None = None, *, min_face_px: int | None = None
) -> list[FaceBox]:
    """Where the faces of an RGB frame are (no encodings): what `find_faces` detects."""
    cfg = config or FaceConfig.from_settings()
    image = as_rgb(image)
    rects = detection.detect(image, cfg, min_face_px or cfg.min_detect_px)
    return [FaceBox.clipped(r, image.shape) for r in rects]


# Views of one found face for photo-quality checks (recognition.quality)


def face_chip_and_landmarks(
    image: np.ndarray, box: FaceBox, config: FaceConfig | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The aligned 150x150 chip the encoder sees and the 68 landmark points of the face at
    `box`: what the photo-quality gate measures (recognition.quality)."""
    cfg = config or FaceConfig.from_settings()
    image = as_rgb(image)
    rect = encoding.rectangle(box)
    return encoding.chips(image, [rect], cfg)[0], encoding.landmarks68(image, rect)


__all__ = [
    "ENCODING_SIZE",
    "DetectedFace",
    "FaceBox",
    "FaceConfig",
    "ImageRejected",
    "check_image_header",
    "detect_faces",
    "encode_enrollment_photo",
    "face_chip_and_landmarks",
    "find_faces",
    "load_image",
]
