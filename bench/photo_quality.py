"""Photo-quality gate: the measured numbers behind recognition.quality's thresholds, and the
gate's cost per photo next to the encode time.

`python -m bench.photo_quality` prints the distributions (docs/photo-quality.md).
"""

from __future__ import annotations

import io
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
from PIL import Image, ImageEnhance

from recognition import faces, quality

FACES = Path(__file__).resolve().parent.parent.parent / "shared" / "faces"
UPSCALED_PX = 300
CROP_MARGIN = 0.5


def sample_dir() -> Path:
    for candidate in (FACES, Path.cwd().parent / "shared" / "faces"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("../shared/faces not found")


def enroll_photos() -> list[Path]:
    return sorted((sample_dir() / "enroll").glob("*/*"))


def group_boxes() -> list[tuple[Path, tuple[int, int, int, int]]]:
    """(group photo, (top, left, width, height)) of every ground-truth face."""
    root = sample_dir() / "groups"
    boxes = []
    for name in ("training.xml", "testing.xml"):
        for image in ET.parse(root / name).getroot().iter("image"):
            for box in image.iter("box"):
                values = tuple(int(box.get(k)) for k in ("top", "left", "width", "height"))
                boxes.append((root / image.get("file"), values))
    return boxes


def upscaled_crop(path: Path, box, *, size: int = UPSCALED_PX) -> bytes:
    """What a teacher gets by cropping one face (with a margin) out of a group photo and
    enlarging it to `size` px: JPEG bytes."""
    top, left, width, height = box
    with Image.open(path) as im:
        im = im.convert("RGB")
        mx, my = int(width * CROP_MARGIN), int(height * CROP_MARGIN)
        crop = im.crop(
            (
                max(left - mx, 0),
                max(top - my, 0),
                min(left + width + mx, im.width),
                min(top + height + my, im.height),
            )
        )
        scale = size / max(crop.size)
        crop = crop.resize((round(crop.width * scale), round(crop.height * scale)), Image.BICUBIC)
    out = io.BytesIO()
    crop.save(out, "JPEG", quality=90)
    return out.getvalue()


def darkened(path: Path, factor: float = 0.2) -> bytes:
    with Image.open(path) as im:
        im = ImageEnhance.Brightness(im.convert("RGB")).enhance(factor)
    out = io.BytesIO()
    im.save(out, "JPEG", quality=90)
    return out.getvalue()


def gate(data: bytes, config=None) -> tuple[faces.DetectedFace, dict]:
    """Encode the one face and measure its quality, as the enrollment service does."""
    face = faces.encode_enrollment_photo(data, config)
    image = faces.load_image(data, config)
    chip, landmarks = faces.face_chip_and_landmarks(image, face.box)
    return face, quality.measure(image=image, box=face.box, chip=chip, landmarks=landmarks)


def measure_source(source) -> dict | str:
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    try:
        return gate(data)[1]
    except faces.ImageRejected as rejection:
        return rejection.code


def gate_cost_ms(repeats: int = 5) -> dict:
    """Median ms per photo over the sample enrollment photos: the encode step and the gate
    (chip + 68 landmarks + measures) on top of it."""
    encode, check = [], []
    for path in enroll_photos():
        data = path.read_bytes()
        for _ in range(repeats):
            t0 = time.perf_counter()
            face = faces.encode_enrollment_photo(data)
            t1 = time.perf_counter()
            image = faces.load_image(data)
            chip, landmarks = faces.face_chip_and_landmarks(image, face.box)
            quality.problems(
                quality.measure(image=image, box=face.box, chip=chip, landmarks=landmarks)
            )
            t2 = time.perf_counter()
            encode.append((t1 - t0) * 1000)
            check.append((t2 - t1) * 1000)
    return {
        "photo_quality_gate_ms": round(float(np.median(check)), 1),
        "enrollment_encode_ms": round(float(np.median(encode)), 1),
    }


def distributions() -> dict[str, list]:
    rows = {"enroll": [], "group_crops": [], "dark": [], "turned": []}
    for path in enroll_photos():
        rows["enroll"].append((str(path.relative_to(sample_dir())), measure_source(path)))
        rows["dark"].append((str(path.relative_to(sample_dir())), measure_source(darkened(path))))
    for path, box in group_boxes():
        rows["group_crops"].append((f"{path.name}{box}", measure_source(upscaled_crop(path, box))))
    return rows


if __name__ == "__main__":
    import json
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "attendance_site.settings")
    django.setup()
    for group, items in distributions().items():
        print(group)
        for name, numbers in items:
            print("  ", name, json.dumps(numbers))
    print(gate_cost_ms())
