"""Reading photos, finding faces and computing their 128-d encodings.

This is the only module of the project that imports dlib, so the choice of detector,
landmark model and encoder lives in one place (`FaceConfig`), and everything else works
with numpy arrays and `DetectedFace`. It loads dlib's models itself, once per process and
on first use, from the files that the `face_recognition_models` wheel ships (nothing is
downloaded); `face_recognition` itself is not imported, so its import-time side effects
(a process-wide Pillow flag, `quit()` when the models are missing) never happen here.

Speed and recall: dlib's HOG detector (80x80 window) runs on a copy scaled so that the
smallest face asked for (`min_detect_px` of the original frame, or a caller's own minimum)
fills its window, upsampled when faces are smaller than the window, so what is found does
not depend on the frame's size. Large detection images are cut into overlapping bands
searched by a thread each (dlib's HOG releases the GIL). Landmarks and the encoding use the
full-resolution frame. The encoder is dlib's network, run by ONNX Runtime (~7 ms a face,
`recognition/onnx_encoder.py`) or by dlib itself (~75 ms, `FACE_ENCODER_RUNTIME=dlib`); with
the former, detection is most of the cost of a frame.

Robustness: photos come from phones and teachers' folders. `load_image` turns anything
Pillow can read into upright 8-bit RGB and turns every kind of bad input into
`ImageRejected`, whose message can be shown to a teacher as it is.
"""

from __future__ import annotations

import functools
import io
import logging
import math
import os
import pickle
import threading
from dataclasses import dataclass
from functools import partial

import dlib
import numpy as np
from PIL import Image, UnidentifiedImageError

from recognition import onnx_encoder
from recognition.encoding import ENCODING_SIZE
from recognition.model_files import model_path

logger = logging.getLogger(__name__)


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
    - `min_detect_px`: the smallest face (box side, in pixels of the original frame) that
      detection must find. HOG's window is 80 px (its boxes are 73 px and larger), so the
      detection copy is scaled by 80/min_detect_px, with dlib upsampling when that is above
      1: 40 (the default) runs on the full frame with upsample 1, as the plain
      face_recognition recipe does; a kiosk asking for 80 px faces runs upsample 0.
    - `jitters`: re-samplings averaged per encoding (1 = none; N costs N times as much).
    - `landmarks_model`: "small" (5 points, what dlib's encoder was trained with) or
      "large" (68 points).
    - `min_face_px`: enrollment faces smaller than this (box side) are rejected; the encoder
      works on a 150 px chip and small faces give poor encodings.
    - `max_image_pixels`: larger images are rejected before decoding (memory, and
      decompression bombs); also set as Pillow's own guard.
    - `encoder_runtime`: "onnx" (dlib's network and weights run by ONNX Runtime, see
      `recognition.onnx_encoder`; ~10x faster) or "dlib" (dlib itself, the reference).
      Their encodings differ by < 1e-6, so they share one `encoder_name`. With jitters > 1
      dlib encodes (its random jitters cannot be reproduced exactly outside it).
    """

    detector_model: str = "hog"
    min_detect_px: int = 40
    jitters: int = 1
    landmarks_model: str = "small"
    min_face_px: int = 80
    max_image_pixels: int = 50_000_000
    encoder_runtime: str = "onnx"

    def __post_init__(self):
        if self.detector_model not in ("hog", "cnn"):
            raise ValueError(f"detector_model must be 'hog' or 'cnn', not {self.detector_model!r}")
        if self.landmarks_model not in ("small", "large"):
            raise ValueError(
                f"landmarks_model must be 'small' or 'large', not {self.landmarks_model!r}"
            )
        if self.jitters < 1 or self.min_detect_px < 20:
            raise ValueError("jitters >= 1 and min_detect_px >= 20")
        if self.min_face_px < 0 or self.max_image_pixels < 1:
            raise ValueError("min_face_px >= 0 and max_image_pixels >= 1")
        if self.encoder_runtime not in ("onnx", "dlib"):
            raise ValueError(
                f"encoder_runtime must be 'onnx' or 'dlib', not {self.encoder_runtime!r}"
            )

    @classmethod
    def from_settings(cls) -> FaceConfig:
        """The FACE_* Django settings, each falling back to the measured default.

        Works without Django or before settings are configured (tests, scripts).
        """
        names = {
            "detector_model": "FACE_DETECTOR_MODEL",
            "min_detect_px": "FACE_MIN_DETECT_PX",
            "jitters": "FACE_ENCODING_JITTERS",
            "landmarks_model": "FACE_LANDMARKS_MODEL",
            "min_face_px": "FACE_MIN_SIZE_PX",
            "max_image_pixels": "FACE_MAX_IMAGE_PIXELS",
            "encoder_runtime": "FACE_ENCODER_RUNTIME",
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
# dlib's models

_LOADERS = {
    "landmarks_5": dlib.shape_predictor,
    "landmarks_68": dlib.shape_predictor,
    "encoder": dlib.face_recognition_model_v1,
    "cnn_detector": dlib.cnn_face_detection_model_v1,
}


@functools.cache
def _model(name: str):
    """dlib's model `name`, loaded once per process (a few hundred ms, ~100 MB for all)."""
    return _LOADERS[name](str(model_path(name)))


# ---------------------------------------------------------------------------------------
# Loading images

# The formats the app reads; anything else (SVG, PDF, HEIC, PSD…) is "unreadable" without
# Pillow trying every plugin it has on it.
SUPPORTED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF")
# Images with more pixels are scaled down while decoding (JPEG) or right after (others), so
# memory per request stays bounded: 16 MP keeps 12 MP phone photos at full resolution.
MAX_WORKING_PIXELS = 16_000_000
_BAND_ROWS = 64  # rows converted at a time: a few MB per band even at 7000 px wide
# Pillow's own decompression-bomb guard, set once for the process: load_image checks each
# image's size from its header itself, so this is only a backstop for other code paths.
Image.MAX_IMAGE_PIXELS = max(FaceConfig.from_settings().max_image_pixels, 50_000_000)


def load_image(
    source, config: FaceConfig | None = None, *, max_pixels: int | None = None
) -> np.ndarray:
    """Decode bytes, a binary file-like object or a path into upright H×W×3 uint8 RGB.

    Applies the EXIF orientation (phones store portraits sideways), flattens transparency
    over white, converts grayscale, palette, CMYK and 16-bit images, and takes the first
    frame of animations. The pixel count (at most `max_pixels`, by default the config's
    `max_image_pixels`) is checked from the header before decoding; images over
    MAX_WORKING_PIXELS are scaled down. Conversions run in 8-bit steps or in bands of rows,
    never through float64 or full-size copies. Changes no process-wide state.
    Raises only ImageRejected ("unreadable" or "too_large") for bad input.
    """
    cfg = config or FaceConfig.from_settings()
    limit = max_pixels or cfg.max_image_pixels
    try:
        with _open(source) as im:
            _check_size(im.size, limit)
            _draft(im)
            im.load()
            orientation = _orientation(im)
            image = _to_rgb_array(im)
            if not hasattr(source, "read"):  # ours to close; a caller's file stays open
                im.close()  # frees the decoded pixels before the (possible) rotation copy
        return _upright(image, orientation)
    except ImageRejected:
        raise
    except Image.DecompressionBombError:
        raise ImageRejected("too_large", _too_large_message(limit)) from None
    except (UnidentifiedImageError, OSError, SyntaxError, EOFError, ValueError) as exc:
        logger.info("unreadable image: %s", exc)
        raise ImageRejected("unreadable") from None
    except Exception as exc:  # Pillow plugins raise many kinds on malformed files
        logger.warning("unreadable image (unexpected %s)", type(exc).__name__, exc_info=True)
        raise ImageRejected("unreadable") from None


def check_image_header(source, *, max_pixels: int | None = None) -> None:
    """Cheap check at upload time: a supported image format whose size is within the limit.

    Reads only the header (no decoding); a file-like source is rewound afterwards.
    Raises ImageRejected ("unreadable" or "too_large").
    """
    limit = max_pixels or FaceConfig.from_settings().max_image_pixels
    start = source.tell() if hasattr(source, "tell") else None
    try:
        with _open(source) as im:
            _check_size(im.size, limit)
    except ImageRejected:
        raise
    except Image.DecompressionBombError:
        raise ImageRejected("too_large", _too_large_message(limit)) from None
    except Exception as exc:  # not an image of a supported format, or a broken header
        logger.info("unreadable image header: %s", exc)
        raise ImageRejected("unreadable") from None
    finally:
        if start is not None:
            source.seek(start)


def _open(source) -> Image.Image:
    if isinstance(source, bytes | bytearray | memoryview):
        return Image.open(io.BytesIO(bytes(source)), formats=SUPPORTED_FORMATS)
    if isinstance(source, str | os.PathLike):
        return Image.open(os.fspath(source), formats=SUPPORTED_FORMATS)
    if hasattr(source, "read"):
        return Image.open(source, formats=SUPPORTED_FORMATS)
    raise TypeError(f"expected bytes, a binary file or a path, not {type(source).__name__}")


def _too_large_message(limit: int) -> str:
    return ImageRejected.CODES["too_large"].format(limit=f"{limit / 1e6:g}")


def _check_size(size: tuple[int, int], limit: int) -> None:
    width, height = size
    if width < 1 or height < 1:
        raise ImageRejected("unreadable")
    if width * height > limit:
        raise ImageRejected("too_large", _too_large_message(limit))


# EXIF orientation -> the numpy view that turns the stored pixels upright (as Pillow's
# ImageOps.exif_transpose does, without a second full-size image while decoding).
_TRANSPOSITIONS = {
    2: lambda a: a[:, ::-1],
    3: lambda a: a[::-1, ::-1],
    4: lambda a: a[::-1],
    5: lambda a: a.transpose(1, 0, 2),
    6: lambda a: np.rot90(a, -1),
    7: lambda a: a[::-1, ::-1].transpose(1, 0, 2),
    8: lambda a: np.rot90(a, 1),
}


def _orientation(im: Image.Image) -> int:
    """The EXIF orientation (1: as stored); a broken EXIF block leaves the image as stored."""
    try:
        return int(im.getexif().get(0x0112, 1))
    except Exception:
        logger.info("ignoring unreadable EXIF orientation", exc_info=True)
        return 1


def _draft(im: Image.Image) -> None:
    """JPEG decodes at 1/2, 1/4 or 1/8 scale for free: use it for very large photos."""
    width, height = im.size
    factor = _reduction(width * height)
    if factor > 1 and im.format in ("JPEG", "MPO"):
        im.draft(None, (width // factor, height // factor))


def _reduction(pixels: int) -> int:
    factor = 1
    while pixels / (factor * factor) > MAX_WORKING_PIXELS:
        factor += 1
    return factor


def _to_rgb_array(im: Image.Image) -> np.ndarray:
    """8-bit RGB, scaled down by whole factors to at most MAX_WORKING_PIXELS."""
    factor = _reduction(im.width * im.height)
    if im.mode == "RGB" and factor == 1:
        return np.asarray(im, dtype=np.uint8)
    return _convert_in_bands(im, _band_converter(im), factor)


def _upright(image: np.ndarray, orientation: int) -> np.ndarray:
    if orientation not in _TRANSPOSITIONS:
        return image
    return np.ascontiguousarray(_TRANSPOSITIONS[orientation](image))


def _band_converter(im: Image.Image):
    """A function turning a band of rows of `im` into 8-bit RGB."""
    if im.mode.startswith("I") or im.mode == "F":  # 16/32-bit grayscale: rescale, don't clip
        _, high = im.getextrema()
        top = 65535 if im.mode.startswith("I;16") or high > 255 else 255
        return partial(_wide_gray_band_to_rgb, scale=np.float32(255 / top))
    if im.has_transparency_data:  # alpha channel, or a transparent palette/colour entry
        return _flattened_band_on_white
    return partial(Image.Image.convert, mode="RGB")


def _convert_in_bands(im: Image.Image, convert, factor: int) -> np.ndarray:
    rows = factor * max(1, _BAND_ROWS // factor)
    out = np.empty((-(-im.height // factor), -(-im.width // factor), 3), dtype=np.uint8)
    for y in range(0, im.height, rows):
        band = convert(im.crop((0, y, im.width, min(y + rows, im.height))))
        band = band.reduce(factor) if factor > 1 else band
        out[y // factor : y // factor + band.height] = np.asarray(band, dtype=np.uint8)
    return out


def _wide_gray_band_to_rgb(band: Image.Image, *, scale: np.float32) -> Image.Image:
    values = np.asarray(band).astype(np.float32)
    gray = np.rint(np.clip(values * scale, 0, 255)).astype(np.uint8)
    return Image.fromarray(gray).convert("RGB")


def _flattened_band_on_white(band: Image.Image) -> Image.Image:
    rgba = band.convert("RGBA")
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return Image.alpha_composite(white, rgba).convert("RGB")


# ---------------------------------------------------------------------------------------
# Finding and encoding faces


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
    image = _as_rgb_uint8(image)
    rects = _detect(image, cfg, min_face_px or cfg.min_detect_px)
    if max_faces is not None and len(rects) > max_faces:
        largest = sorted(rects, key=lambda r: r.width() * r.height(), reverse=True)[:max_faces]
        rects = sorted(largest, key=lambda r: (r.left(), r.top()))
    found = _encode(image, rects, cfg)
    if not landmarks68:
        return found
    return [
        DetectedFace(face.box, face.encoding, _landmarks68(image, rect))
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
    rects = _detect(image, cfg, max(cfg.min_detect_px, longer // 12))
    if not rects and longer // 12 > cfg.min_detect_px:
        rects = _detect(image, cfg, max(cfg.min_detect_px, longer // 24))
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


def detect_faces(
    image: np.ndarray, config: FaceConfig | None = None, *, min_face_px: int | None = None
) -> list[FaceBox]:
    """Where the faces of an RGB frame are (no encodings): what `find_faces` detects."""
    cfg = config or FaceConfig.from_settings()
    image = _as_rgb_uint8(image)
    return [_box(r, image.shape) for r in _detect(image, cfg, min_face_px or cfg.min_detect_px)]


def _as_rgb_uint8(image: np.ndarray) -> np.ndarray:
    if not isinstance(image, np.ndarray) or image.ndim != 3 or image.shape[2] != 3:
        raise ValueError("expected an H×W×3 RGB array (see load_image)")
    return np.ascontiguousarray(image, dtype=np.uint8)


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


def _detect(image: np.ndarray, cfg: FaceConfig, min_face_px: int) -> list[dlib.rectangle]:
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
        big = [r for r in _detect(image, cfg, big_px) if r.width() >= 0.9 * big_px]
        found += [dlib.rectangle(*_scaled(r, sx, sy)) for r in big]
        found = _merge(found)
    rects = [dlib.rectangle(*_scaled(r, 1 / sx, 1 / sy)) for r in found]
    return sorted(rects, key=lambda r: (r.left(), r.top()))


def _run_detector(
    image: np.ndarray, cfg: FaceConfig, upsample: int, adjust: float = 0.0
) -> list[dlib.rectangle]:
    if cfg.detector_model == "cnn":
        return [d.rect for d in _model("cnn_detector")(image, upsample)]
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
    shape = _model("landmarks_68")(image, rect)
    points = np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float64)
    points.flags.writeable = False
    return points


def _encode(image: np.ndarray, rects: list, cfg: FaceConfig) -> list[DetectedFace]:
    predictor = _model("landmarks_5" if cfg.landmarks_model == "small" else "landmarks_68")
    if cfg.encoder_runtime == "onnx" and cfg.jitters == 1 and rects:
        # The same 150x150 chip as compute_face_descriptor of one face (padding 0.25): one
        # at a time, as dlib's get_face_chips of several faces can sample a face differently.
        chips = [
            dlib.get_face_chip(image, predictor(image, rect), size=150, padding=0.25)
            for rect in rects
        ]
        encodings = list(onnx_encoder.encode(np.stack(chips)))
    else:
        encoder = _model("encoder")
        encodings = [
            encoder.compute_face_descriptor(image, predictor(image, rect), cfg.jitters)
            for rect in rects
        ]
    faces = []
    for rect, values in zip(rects, encodings, strict=True):
        encoding = np.array(values, dtype=np.float32)
        encoding.flags.writeable = False
        faces.append(DetectedFace(box=_box(rect, image.shape), encoding=encoding))
    return faces


__all__ = [
    "ENCODING_SIZE",
    "DetectedFace",
    "FaceBox",
    "FaceConfig",
    "ImageRejected",
    "check_image_header",
    "detect_faces",
    "encode_enrollment_photo",
    "find_faces",
    "load_image",
]
