"""Benchmark inputs made from the sample faces: webcam frames and the enrollment photos."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED_FACES = (PROJECT_ROOT / ".." / "shared" / "faces").resolve()
KIOSK_FACE_FRACTION = 8  # the kiosk asks for faces of at least 1/8 of its frame's width
JPEG_QUALITY = 85  # what the kiosk page sends (static/js/camera.js)
ORIENTATION = 0x0112
# EXIF orientation -> the transpose that turns the upright picture into the pixels a phone
# stores (the inverse of what a viewer, or ImageOps.exif_transpose, applies).
_STORED_AS = {
    3: Image.Transpose.ROTATE_180,
    6: Image.Transpose.ROTATE_90,
    8: Image.Transpose.ROTATE_270,
}


@dataclass(frozen=True)
class Frame:
    """One input image: JPEG bytes, its size, and the people expected in it."""

    name: str
    data: bytes
    width: int
    height: int
    expected: tuple[str, ...]
    min_face_px: int | None = None  # what the kiosk asks for (None: the server's default)

    @property
    def size(self) -> str:
        return f"{self.width}x{self.height}"


def _frame(name: str, image: Image.Image, expected, min_face_px=None) -> Frame:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=JPEG_QUALITY)
    return Frame(name, out.getvalue(), image.width, image.height, expected, min_face_px)


def webcam_frames(faces_root: Path = SHARED_FACES) -> list[Frame]:
    """640x480, 853x480 and 1280x720 one-face frames, and a three-face frame 1280 wide."""
    with (faces_root / "manifest.csv").open() as handle:
        expected = {
            row["file"]: tuple(sorted(row["expected_faces"].split(";")))
            for row in csv.DictReader(handle)
        }
    frames = []
    with Image.open(faces_root / "probe" / "obama-1080p.jpg") as source:
        for width, height in ((640, 480), (853, 480), (1280, 720)):
            image = ImageOps.fit(source.convert("RGB"), (width, height), Image.Resampling.LANCZOS)
            name, people = f"one face {width}x{height}", expected["probe/obama-1080p.jpg"]
            frames.append(_frame(name, image, people, max(40, round(width / KIOSK_FACE_FRACTION))))
    with Image.open(faces_root / "probe" / "obama_and_biden.jpg") as source:
        source = ImageOps.exif_transpose(source).convert("RGB")
        height = round(source.height * 1280 / source.width)
        image = source.resize((1280, height), Image.Resampling.LANCZOS)
        frames.append(
            _frame(f"three faces 1280x{height}", image, expected["probe/obama_and_biden.jpg"])
        )
    return frames


def enrollment_photos(faces_root: Path = SHARED_FACES) -> list[tuple[str, Path]]:
    """(person folder, path) of every sample enrollment photo."""
    folders = sorted(p for p in (faces_root / "enroll").iterdir() if p.is_dir())
    return [(folder.name, path) for folder in folders for path in sorted(folder.iterdir())]
