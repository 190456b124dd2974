"""Benchmark inputs made from the sample faces: webcam frames and 12-megapixel phone photos."""

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
# EXIF orientation -> the transpose that turns the upright picture into the stored pixels
# (the inverse of what a viewer, or ImageOps.exif_transpose, applies).
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


def expected_faces(faces_root: Path = SHARED_FACES) -> dict[str, tuple[str, ...]]:
    """manifest.csv: file -> the sorted names in it ("unknown" for a stranger)."""
    with (faces_root / "manifest.csv").open() as handle:
        return {
            row["file"]: tuple(sorted(row["expected_faces"].split(";")))
            for row in csv.DictReader(handle)
        }


def _jpeg(image: Image.Image, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=options.pop("quality", JPEG_QUALITY), **options)
    return out.getvalue()


def _fit(image: Image.Image, width: int, height: int, centering=(0.5, 0.5)) -> Image.Image:
    """Crop to the aspect ratio (centred by default), then resize to exactly width x height."""
    return ImageOps.fit(image, (width, height), Image.Resampling.LANCZOS, centering=centering)


def webcam_frames(faces_root: Path = SHARED_FACES) -> list[Frame]:
    """640x480, 853x480 and 1280x720 one-face frames, and a three-face frame 1280 wide."""
    expected = expected_faces(faces_root)
    frames = []
    with Image.open(faces_root / "probe" / "obama-1080p.jpg") as source:
        source = source.convert("RGB")
        for width, height in ((640, 480), (853, 480), (1280, 720)):
            image = _fit(source, width, height)
            frames.append(
                Frame(
                    f"one face {width}x{height}",
                    _jpeg(image),
                    width,
                    height,
                    expected["probe/obama-1080p.jpg"],
                    min_face_px=max(40, round(width / KIOSK_FACE_FRACTION)),
                )
            )
    with Image.open(faces_root / "probe" / "obama_and_biden.jpg") as source:
        source = ImageOps.exif_transpose(source).convert("RGB")
        height = round(source.height * 1280 / source.width)
        image = source.resize((1280, height), Image.Resampling.LANCZOS)
        frames.append(
            Frame(
                f"three faces 1280x{height}",
                _jpeg(image),
                1280,
                height,
                expected["probe/obama_and_biden.jpg"],
            )
        )
    return frames


def enrollment_photos(faces_root: Path = SHARED_FACES) -> list[tuple[str, Path]]:
    """(person folder, path) of every sample enrollment photo."""
    root = faces_root / "enroll"
    return [
        (folder.name, path)
        for folder in sorted(p for p in root.iterdir() if p.is_dir())
        for path in sorted(folder.iterdir())
    ]


def phone_photos(
    target: Path, faces_root: Path = SHARED_FACES, count: int = 5, size=(4000, 3000)
) -> list[tuple[str, Path]]:
    """12-megapixel JPEGs stored sideways with an EXIF orientation, as phones save portraits.

    Each is a sample enrollment photo (one per person, cycling) upscaled to a 3000x4000
    upright portrait, stored as 4000x3000 pixels rotated by 90° (orientation 6 or 8) or
    upside down (3), with the orientation tag that tells viewers how to turn it upright.
    """
    target.mkdir(parents=True, exist_ok=True)
    firsts = {}
    for person, path in enrollment_photos(faces_root):
        firsts.setdefault(person, path)
    sources = list(firsts.items())
    orientations = (6, 8, 3)
    result = []
    for index in range(count):
        person, source_path = sources[index % len(sources)]
        orientation = orientations[index % len(orientations)]
        long_side, short_side = max(size), min(size)
        upright_size = (short_side, long_side) if orientation in (6, 8) else (long_side, short_side)
        with Image.open(source_path) as source:
            # Portrait crops keep the upper part, where the face of a head shot is.
            upright = _fit(
                ImageOps.exif_transpose(source).convert("RGB"), *upright_size, centering=(0.5, 0.2)
            )
        stored = upright.transpose(_STORED_AS[orientation])
        exif = Image.Exif()
        exif[ORIENTATION] = orientation
        path = target / f"phone-{index}-{person}-o{orientation}.jpg"
        path.write_bytes(_jpeg(stored, quality=90, exif=exif.tobytes()))
        result.append((person, path))
    return result
