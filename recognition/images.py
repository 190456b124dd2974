"""Decoding and bounding an uploaded photo: anything Pillow can read becomes upright 8-bit
RGB, and every kind of bad input becomes `ImageRejected`, whose message can be shown to a
teacher as it is."""

from __future__ import annotations

import io
import logging
import os
from functools import partial

import numpy as np
from PIL import Image, UnidentifiedImageError

from recognition.config import FaceConfig
from recognition.types import ImageRejected

logger = logging.getLogger(__name__)

# The formats the app reads; anything else (SVG, PDF, HEIC, PSD…) is "unreadable" without
# Pillow trying every plugin it has on it.
SUPPORTED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF")
# Images with more pixels are scaled down while decoding (JPEG) or right after (others), so
# memory per request stays bounded: 16 MP keeps 12 MP phone photos at full resolution.
MAX_WORKING_PIXELS = 16_000_000
_BAND_ROWS = 64  # rows converted at a time: a few MB per band even at 7000 px wide


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
    _check_shape(width, height)


# A strip of 1 x millions of pixels passes the pixel limit but costs its decoder, converter
# and detector far more per pixel than a photo (every step pads or tiles it): no camera or
# panorama is this thin, so it is refused from the header like an oversized photo.
MAX_ASPECT_RATIO = 20


def _check_shape(width: int, height: int) -> None:
    if max(width, height) > MAX_ASPECT_RATIO * min(width, height):
        message = ImageRejected.CODES["extreme_shape"].format(
            width=width, height=height, ratio=MAX_ASPECT_RATIO
        )
        raise ImageRejected("extreme_shape", message)


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


def as_rgb(image: np.ndarray) -> np.ndarray:
    """A decoded frame as a contiguous H×W×3 uint8 array, or ValueError."""
    if not isinstance(image, np.ndarray) or image.ndim != 3 or image.shape[2] != 3:
        raise ValueError("expected an H×W×3 RGB array (see load_image)")
    return np.ascontiguousarray(image, dtype=np.uint8)


def guard_pillow(config: FaceConfig) -> None:
    """Pillow's own decompression-bomb guard for the process, set once when the app starts:
    load_image checks each image's size from its header itself, so this is only a backstop
    for other code paths that open images."""
    Image.MAX_IMAGE_PIXELS = max(config.max_image_pixels, 50_000_000)
