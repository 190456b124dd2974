"""7000x7000 PNGs of ~100 KB (a 16-bit grayscale one and an RGBA one) with a face in the
middle, written row by row so that building them costs no memory."""

import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

from tests.reliability.odd_files import FACE, _png_chunk

SIDE = 7000


def _face_rows() -> np.ndarray:
    with Image.open(FACE) as image:
        return np.asarray(image.convert("RGB"))


def write_big_png(path: Path, kind: str) -> Path:
    """kind: "gray16" (16-bit grayscale) or "rgba" (8-bit RGBA, a transparent border)."""
    face = _face_rows()
    top, left = (SIDE - face.shape[0]) // 2, (SIDE - face.shape[1]) // 2
    if kind == "gray16":
        depth, colour, channels, dtype = 16, 0, 1, ">u2"
        face = (face.mean(axis=2) * 257).astype(dtype)[:, :, None]
        background = np.full((SIDE, 1), 40_000, dtype=dtype)
    elif kind == "rgba":
        depth, colour, channels, dtype = 8, 6, 4, np.uint8
        alpha = np.full(face.shape[:2] + (1,), 255, dtype=np.uint8)
        face = np.concatenate([face, alpha], axis=2)
        background = np.zeros((SIDE, 4), dtype=dtype)  # fully transparent
    else:
        raise ValueError(kind)
    plain = b"\0" + background.tobytes()
    packer = zlib.compressobj(9)
    chunks = []
    for y in range(SIDE):
        if top <= y < top + face.shape[0]:
            row = background.copy()
            row[left : left + face.shape[1]] = face[y - top].reshape(-1, channels)
            chunks.append(packer.compress(b"\0" + row.tobytes()))
        else:
            chunks.append(packer.compress(plain))
    chunks.append(packer.flush())
    header = struct.pack(">IIBBBBB", SIDE, SIDE, depth, colour, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", b"".join(chunks))
        + _png_chunk(b"IEND", b"")
    )
    return path


def write_strip_png(path: Path, width: int, height: int) -> Path:
    """A flat grey 8-bit RGB PNG of `width` x `height` (1 x 45,000,000 is ~130 KB), its
    pixel stream compressed a megabyte at a time so that building it costs little memory."""
    row = b"\0" + b"\x80" * (3 * width)
    total, piece = (
        len(row) * height,
        b"\x80" * 2**20 if width > 2**20 else row * (2**20 // len(row) + 1),
    )
    packer = zlib.compressobj(9)
    chunks = []
    if width > 2**20:  # one long row: its filter byte, then the grey pixels
        chunks.append(packer.compress(b"\0"))
        for start in range(0, 3 * width, len(piece)):
            chunks.append(packer.compress(piece[: min(len(piece), 3 * width - start)]))
    else:
        for start in range(0, total, len(piece)):
            chunks.append(packer.compress(piece[: min(len(piece), total - start)]))
    chunks.append(packer.flush())
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", b"".join(chunks))
        + _png_chunk(b"IEND", b"")
    )
    return path
