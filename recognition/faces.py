"""Reading photos, finding faces and computing their 128-d encodings.

This is the only module of the project that imports dlib and face_recognition, so the
choice of detector, landmark model and encoder lives in one place (`FaceConfig`), and
everything else works with numpy arrays and `DetectedFace`.

Speed: check-in runs on webcam frames, so detection (dlib's HOG detector, the costly
part on big frames) runs on a copy scaled down to `detection_max_side`, while landmarks
and the encoding use the full-resolution frame. The encoding itself (~75 ms a face on
two cores) is then most of the cost of a frame.

Robustness: photos come from phones and teachers' folders. `load_image` turns anything
Pillow can read into upright 8-bit RGB and turns every kind of bad input into
`ImageRejected`, whose message can be shown to a teacher as it is.
"""

from __future__ import annotations

import io
import logging
import os
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

_load_truncated_images = ImageFile.LOAD_TRUNCATED_IMAGES
with warnings.catch_warnings():
    # face_recognition_models imports pkg_resources, which warns that it is deprecated.
    warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
    # Imported first on purpose: when it is missing, face_recognition prints a hint and
    # calls quit(), which would end the whole server instead of raising ImportError.
    import face_recognition_models  # noqa: F401

    # isort: split
    import dlib
    import face_recognition.api as _fr  # loads the dlib models once per process
# face_recognition.api sets this process-wide to True, which makes Pillow pad a truncated
# upload with grey instead of failing: put back what it was.
ImageFile.LOAD_TRUNCATED_IMAGES = _load_truncated_images

logger = logging.getLogger(__name__)

ENCODING_SIZE = 128


class ImageRejected(Exception):
    """A photo that cannot be used, with a reason code and a message for the teacher.

    `code` is one of `CODES`; views map it to a form error or an HTTP 422 body.
    """

    CODES = {
        "unreadable": "This file could not be read as a photo. Use a JPEG, PNG or WebP image.",
        "too_large": "This photo is too large. Use a smaller photo (at most {limit} megapixels).",
        "no_face": "No face was found in this photo. Use a photo where the face is clearly "
        "visible.",
        "multiple_faces": "This photo shows more than one face. Use a photo of this person alone.",
        "face_too_small": "The face in this photo is too small. Use a closer photo where the "
        "face fills more of the picture.",
    }

    def __init__(self, code: str, message: str | None = None):
        if code not in self.CODES:
            raise ValueError(f"unknown rejection code {code!r}")
        self.code = code
        self.message = message or self.CODES[code]
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class FaceBox:
    """A face's rectangle in full-resolution image pixels (face_recognition's css order)."""

    top: int
    right: int
    bottom: int
    left: int

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top

    def as_dict(self) -> dict[str, int]:
        return {"top": self.top, "right": self.right, "bottom": self.bottom, "left": self.left}


@dataclass(frozen=True, eq=False)
class DetectedFace:
    """One face: where it is and its encoding (float32, shape (128,), read-only).

    `landmarks68`: dlib's 68 landmark points, float64 (68, 2) as (x, y) in full-resolution
    pixels, only when find_faces was asked for them (head pose, recognition.head_pose).
    """

    box: FaceBox
    encoding: np.ndarray
    landmarks68: np.ndarray | None = None


@dataclass(frozen=True)
class FaceConfig:
    """How faces are detected and encoded. Defaults are measured on the sample faces.

    - `detector_model`: "hog" (fast on CPU) or "cnn" (more accurate, far too slow without
      a GPU for a kiosk).
    - `upsample`: times dlib doubles the detection copy; 1 finds faces down to ~40 px of
      the copy, 0 only from ~80 px.
    - `detection_max_side`: the detection copy's longer side at most (px); boxes are scaled
      back to the full image. 480 with upsample 1 finds every face of the sample set (and
      of it rescaled 0.6x-2x) and costs ~30 ms whatever the frame size; 440-460 already
      miss the smallest face of the set, and 640 with upsample 0 misses it too.
    - `jitters`: re-samplings averaged per encoding (1 = none; N costs N times as much).
    - `landmarks_model`: "small" (5 points, what dlib's encoder was trained with) or
      "large" (68 points).
    - `min_face_px`: enrollment faces smaller than this (box side) are rejected; the encoder
      works on a 150 px chip and small faces give poor encodings.
    - `max_image_pixels`: larger images are rejected before decoding (memory, and
      decompression bombs); also set as Pillow's own guard.
    """

    detector_model: str = "hog"
    upsample: int = 1
    detection_max_side: int = 480
    jitters: int = 1
    landmarks_model: str = "small"
    min_face_px: int = 80
    max_image_pixels: int = 50_000_000

    def __post_init__(self):
        if self.detector_model not in ("hog", "cnn"):
            raise ValueError(f"detector_model must be 'hog' or 'cnn', not {self.detector_model!r}")
        if self.landmarks_model not in ("small", "large"):
            raise ValueError(
                f"landmarks_model must be 'small' or 'large', not {self.landmarks_model!r}"
            )
        if self.upsample < 0 or self.jitters < 1 or self.detection_max_side < 32:
            raise ValueError("upsample >= 0, jitters >= 1 and detection_max_side >= 32")
        if self.min_face_px < 0 or self.max_image_pixels < 1:
            raise ValueError("min_face_px >= 0 and max_image_pixels >= 1")

    @classmethod
    def from_settings(cls) -> FaceConfig:
        """The FACE_* Django settings, each falling back to the measured default.

        Works without Django or before settings are configured (tests, scripts).
        """
        names = {
            "detector_model": "FACE_DETECTOR_MODEL",
            "upsample": "FACE_DETECTOR_UPSAMPLE",
            "detection_max_side": "FACE_DETECTION_MAX_SIDE",
            "jitters": "FACE_ENCODING_JITTERS",
            "landmarks_model": "FACE_LANDMARKS_MODEL",
            "min_face_px": "FACE_MIN_SIZE_PX",
            "max_image_pixels": "FACE_MAX_IMAGE_PIXELS",
        }
        try:
            from django.conf import settings
            from django.core.exceptions import ImproperlyConfigured
        except ImportError:
            return cls()
        defaults = cls()
        try:
            values = {
                field: getattr(settings, name, getattr(defaults, field))
                for field, name in names.items()
            }
        except ImproperlyConfigured:
            return defaults
        return cls(**values)

    @property
    def encoder_name(self) -> str:
        """What produced an encoding; encodings with different names are not comparable."""
        return f"dlib-resnet-v1/{self.landmarks_model}/j{self.jitters}"


# ---------------------------------------------------------------------------------------
# Loading images


def load_image(source, config: FaceConfig | None = None) -> np.ndarray:
    """Decode bytes, a binary file-like object or a path into upright H×W×3 uint8 RGB.

    Applies the EXIF orientation (phones store portraits sideways), flattens transparency
    over white, converts grayscale, palette, CMYK and 16-bit images, and takes the first
    frame of animations. The pixel count is checked from the header before decoding.
    Raises only ImageRejected ("unreadable" or "too_large") for bad input.
    """
    cfg = config or FaceConfig.from_settings()
    # Pillow's own guard, for code paths that decode before our check (e.g. some plugins).
    Image.MAX_IMAGE_PIXELS = cfg.max_image_pixels
    try:
        with warnings.catch_warnings():
            # Pillow only warns between 1x and 2x its limit: make that a rejection too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with _open(source) as im:
                _check_size(im.size, cfg.max_image_pixels)
                im.load()
                im = _upright(im)
                return _to_rgb_array(im)
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected("too_large", _too_large_message(cfg.max_image_pixels)) from None
    except (UnidentifiedImageError, OSError, SyntaxError, EOFError, ValueError) as exc:
        logger.info("unreadable image: %s", exc)
        raise ImageRejected("unreadable") from None
    except Exception as exc:  # Pillow plugins raise many kinds on malformed files
        logger.warning("unreadable image (unexpected %s)", type(exc).__name__, exc_info=True)
        raise ImageRejected("unreadable") from None


def _open(source) -> Image.Image:
    if isinstance(source, bytes | bytearray | memoryview):
        return Image.open(io.BytesIO(bytes(source)))
    if isinstance(source, str | os.PathLike):
        return Image.open(os.fspath(source))
    if hasattr(source, "read"):
        return Image.open(source)
    raise TypeError(f"expected bytes, a binary file or a path, not {type(source).__name__}")


def _too_large_message(limit: int) -> str:
    return ImageRejected.CODES["too_large"].format(limit=f"{limit / 1e6:g}")


def _check_size(size: tuple[int, int], limit: int) -> None:
    width, height = size
    if width < 1 or height < 1:
        raise ImageRejected("unreadable")
    if width * height > limit:
        raise ImageRejected("too_large", _too_large_message(limit))


def _upright(im: Image.Image) -> Image.Image:
    """Apply the EXIF orientation; a broken EXIF block leaves the image as stored."""
    try:
        ImageOps.exif_transpose(im, in_place=True)  # no copy of a 12-megapixel photo
    except Exception:
        logger.info("ignoring unreadable EXIF orientation", exc_info=True)
    return im


def _to_rgb_array(im: Image.Image) -> np.ndarray:
    mode = im.mode
    if mode.startswith("I") or mode == "F":  # 16/32-bit grayscale: rescale, don't clip
        values = np.asarray(im, dtype=np.float64)
        wide = mode.startswith("I;16") or values.max(initial=0) > 255
        top = 65535.0 if wide else 255.0
        gray = np.clip(values * (255.0 / top), 0, 255).round().astype(np.uint8)
        return np.ascontiguousarray(np.repeat(gray[:, :, None], 3, axis=2))
    if im.has_transparency_data:  # alpha channel, or a transparent palette/colour entry
        rgba = im.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        im = Image.alpha_composite(background, rgba)
    if im.mode != "RGB":
        im = im.convert("RGB")
    return np.asarray(im, dtype=np.uint8)


# ---------------------------------------------------------------------------------------
# Finding and encoding faces


def find_faces(
    image: np.ndarray, config: FaceConfig | None = None, *, landmarks68: bool = False
) -> list[DetectedFace]:
    """Every face in an RGB frame (a check-in frame or a group photo), left to right.

    Detection runs on a copy scaled down to `detection_max_side`; landmarks and encodings
    use the full-resolution frame, so scaling costs no encoding accuracy. With
    `landmarks68`, each face also carries its 68 landmark points (~0.6 ms a face).
    """
    cfg = config or FaceConfig.from_settings()
    image = _as_rgb_uint8(image)
    rects = _detect(image, cfg, cfg.detection_max_side)
    found = _encode(image, rects, cfg)
    if not landmarks68:
        return found
    return [
        DetectedFace(face.box, face.encoding, _landmarks68(image, rect))
        for face, rect in zip(found, rects, strict=True)
    ]


def encode_enrollment_photo(source, config: FaceConfig | None = None) -> DetectedFace:
    """The one face of an enrollment photo, or ImageRejected saying what is wrong.

    When nothing is found on the scaled-down copy of a big photo (a small face in a
    12-megapixel picture), detection is retried once on a copy twice as large.
    """
    cfg = config or FaceConfig.from_settings()
    image = load_image(source, cfg)
    rects = _detect(image, cfg, cfg.detection_max_side)
    if not rects and max(image.shape[:2]) > cfg.detection_max_side:
        rects = _detect(image, cfg, 2 * cfg.detection_max_side)
    if not rects:
        raise ImageRejected("no_face")
    if len(rects) > 1:
        raise ImageRejected(
            "multiple_faces",
            f"This photo shows {len(rects)} faces. Use a photo of this person alone.",
        )
    box = _box(rects[0], image.shape)
    if min(box.width, box.height) < cfg.min_face_px:
        raise ImageRejected("face_too_small")
    return _encode(image, rects, cfg)[0]


def _as_rgb_uint8(image: np.ndarray) -> np.ndarray:
    if not isinstance(image, np.ndarray) or image.ndim != 3 or image.shape[2] != 3:
        raise ValueError("expected an H×W×3 RGB array (see load_image)")
    return np.ascontiguousarray(image, dtype=np.uint8)


def _detect(image: np.ndarray, cfg: FaceConfig, max_side: int) -> list[dlib.rectangle]:
    """Face rectangles in full-resolution coordinates, sorted left to right."""
    if cfg.detector_model == "cnn":
        small, sx, sy = _detection_copy(image, max_side, gray=False)
        found = [d.rect for d in _fr.cnn_face_detector(small, cfg.upsample)]
    else:
        small, sx, sy = _detection_copy(image, max_side, gray=True)
        found = list(_fr.face_detector(small, cfg.upsample))
    rects = [
        dlib.rectangle(
            round(r.left() / sx), round(r.top() / sy), round(r.right() / sx), round(r.bottom() / sy)
        )
        for r in found
    ]
    return sorted(rects, key=lambda r: (r.left(), r.top()))


def _detection_copy(
    image: np.ndarray, max_side: int, *, gray: bool
) -> tuple[np.ndarray, float, float]:
    """The image scaled so its longer side is at most max_side, and the x/y scales.

    dlib's bilinear resize takes ~0.5 ms for a 1280x720 frame (Pillow's: ~5 ms) and,
    measured on the sample faces at 0.6x to 2x their size, misses no face. HOG runs on
    grayscale: ~10 ms less a frame than RGB, and the same faces found.
    """
    height, width = image.shape[:2]
    scale = max_side / max(height, width)
    sx = sy = 1.0
    small = image
    if scale < 1:
        rows, cols = max(1, round(height * scale)), max(1, round(width * scale))
        small = np.ascontiguousarray(dlib.resize_image(image, rows, cols), dtype=np.uint8)
        sx, sy = cols / width, rows / height
    if gray:
        small = np.asarray(Image.fromarray(small).convert("L"))
    return small, sx, sy


def _box(rect: dlib.rectangle, shape: tuple[int, ...]) -> FaceBox:
    """The rectangle clipped to the image (partial faces reach past the edge)."""
    height, width = shape[:2]
    return FaceBox(
        top=max(rect.top(), 0),
        right=min(rect.right(), width),
        bottom=min(rect.bottom(), height),
        left=max(rect.left(), 0),
    )


def _landmarks68(image: np.ndarray, rect: dlib.rectangle) -> np.ndarray:
    """The 68 (x, y) points of dlib's large landmark model for one face, read-only."""
    shape = _fr.pose_predictor_68_point(image, rect)
    points = np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float64)
    points.flags.writeable = False
    return points


def _encode(image: np.ndarray, rects: list, cfg: FaceConfig) -> list[DetectedFace]:
    predictor = (
        _fr.pose_predictor_5_point
        if cfg.landmarks_model == "small"
        else _fr.pose_predictor_68_point
    )
    faces = []
    for rect in rects:
        shape = predictor(image, rect)
        encoding = np.asarray(
            _fr.face_encoder.compute_face_descriptor(image, shape, cfg.jitters), dtype=np.float32
        )
        encoding.flags.writeable = False
        faces.append(DetectedFace(box=_box(rect, image.shape), encoding=encoding))
    return faces


__all__ = [
    "ENCODING_SIZE",
    "DetectedFace",
    "FaceBox",
    "FaceConfig",
    "ImageRejected",
    "encode_enrollment_photo",
    "find_faces",
    "load_image",
]
