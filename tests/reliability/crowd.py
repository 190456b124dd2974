"""A 1280x720 frame tiled with copies of one sample face, of decreasing sizes (a cheap crowd)."""

import io
from functools import cache

from PIL import Image

from recognition import faces
from tests.conftest import SHARED_FACES


@cache
def _face_tile() -> Image.Image:
    path = SHARED_FACES / "enroll" / "obama" / "obama.jpg"
    box = faces.encode_enrollment_photo(path).box
    margin = box.width // 2
    with Image.open(path) as image:
        crop = image.convert("RGB").crop(
            (box.left - margin, box.top - margin, box.right + margin, box.bottom + margin)
        )
    return crop


@cache
def crowd_jpeg(count: int) -> bytes:
    """`count` faces (at most 8), the first largest."""
    canvas = Image.new("RGB", (1280, 720), (230, 230, 230))
    for n in range(count):
        side = 320 - 12 * n
        tile = _face_tile().resize((side, side))
        canvas.paste(tile, ((n % 4) * 320, (n // 4) * 360))
    buffer = io.BytesIO()
    canvas.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()
