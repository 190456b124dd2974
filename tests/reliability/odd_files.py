"""Hostile and odd uploads, built in memory from one sample face (cheaply, once per run)."""

import io
import struct
import zlib
from dataclasses import dataclass
from functools import cache

import numpy as np
from PIL import Image

from tests.conftest import SHARED_FACES

FACE = SHARED_FACES / "enroll" / "obama" / "obama.jpg"
ALPHA_PNG = SHARED_FACES / "odd" / "32bit.png"
FIFTY_MB = 50 * 1024 * 1024


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes
    content_type: str

    def as_file(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        return SimpleUploadedFile(self.name, self.data, content_type=self.content_type)


@cache
def face() -> Image.Image:
    with Image.open(FACE) as image:
        return image.convert("RGB")


def _save(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


@cache
def jpeg() -> bytes:
    return _save(face(), "JPEG", quality=90)


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_rgb16(image: Image.Image) -> bytes:
    """A 16-bit-per-channel RGB PNG (Pillow can read them but not write them)."""
    pixels = np.asarray(image, dtype=np.uint16) * 257
    rows = pixels.astype(">u2").reshape(image.height, -1).tobytes()
    stride = image.width * 6
    raw = b"".join(b"\0" + rows[y * stride : (y + 1) * stride] for y in range(image.height))
    header = struct.pack(">IIBBBBB", image.width, image.height, 16, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(raw, 6))
        + _png_chunk(b"IEND", b"")
    )


def decompression_bomb() -> bytes:
    """144 megapixels in a few kilobytes: refused from the header, before decoding."""
    return _save(Image.new("1", (12_000, 12_000)), "PNG")


def fifty_megabytes() -> bytes:
    """A real, decodable JPEG padded after its end marker to 50 MB (decoders ignore the tail)."""
    head = jpeg()
    return head + bytes(FIFTY_MB - len(head))


# Each builder returns an Upload; `face` says whether it holds the one enrolled face in a
# format the service must convert (accepted) or not (refused or rejected with a reason).
BUILDERS = {
    "empty_file": lambda: Upload("empty.jpg", b"", "image/jpeg"),
    "text_named_jpg": lambda: Upload("face.jpg", b"these are not pixels\n" * 50, "image/jpeg"),
    "truncated_jpeg": lambda: Upload("cut.jpg", jpeg()[: len(jpeg()) // 2], "image/jpeg"),
    "png_with_alpha": lambda: Upload("32bit.png", ALPHA_PNG.read_bytes(), "image/png"),
    "grayscale_jpeg": lambda: Upload("gray.jpg", _save(face().convert("L"), "JPEG"), "image/jpeg"),
    "cmyk_jpeg": lambda: Upload("cmyk.jpg", _save(face().convert("CMYK"), "JPEG"), "image/jpeg"),
    "png_16bit_gray": lambda: Upload(
        "gray16.png",
        _save(Image.fromarray(np.asarray(face().convert("L"), dtype=np.uint16) * 257), "PNG"),
        "image/png",
    ),
    "png_16bit_rgb": lambda: Upload("rgb16.png", png_rgb16(face()), "image/png"),
    "animated_gif": lambda: Upload(
        "anim.gif",
        _save(
            face(),
            "GIF",
            save_all=True,
            append_images=[Image.new("RGB", face().size, "white")],
            duration=200,
            loop=0,
        ),
        "image/gif",
    ),
    "webp": lambda: Upload("face.webp", _save(face(), "WEBP", quality=90), "image/webp"),
    "heic": lambda: Upload(
        "IMG_0001.HEIC",
        b"\0\0\0\x18ftypheic\0\0\0\0mif1heic" + bytes(200),
        "image/heic",
    ),
    "svg": lambda: Upload(
        "face.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg" width="640" height="480">'
        b'<circle cx="320" cy="240" r="100"/></svg>',
        "image/svg+xml",
    ),
    "pdf": lambda: Upload(
        "face.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "application/pdf"
    ),
    "fifty_megabytes": lambda: Upload("huge.jpg", fifty_megabytes(), "image/jpeg"),
    "decompression_bomb": lambda: Upload("bomb.png", decompression_bomb(), "image/png"),
    "one_pixel": lambda: Upload(
        "dot.png", _save(Image.new("RGB", (1, 1), "white"), "PNG"), "image/png"
    ),
    "jpeg_sent_as_text_plain": lambda: Upload("face.txt", jpeg(), "text/plain"),
    "jpeg_sent_as_json": lambda: Upload("face.json", jpeg(), "application/json"),
    "text_sent_as_image_jpeg": lambda: Upload("face.jpg", b'{"not": "an image"}', "image/jpeg"),
}
