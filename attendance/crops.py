"""Face crops: the face of a kiosk frame with a margin, as a small JPEG (never the frame)."""

import io

import numpy as np
from PIL import Image

from recognition.faces import FaceBox

# Margin around the face box, as a fraction of its size on each side: enough for the
# detector to find the face again when a crop is added as an enrollment photo.
MARGIN = 0.5


def face_crop_jpeg(image: np.ndarray, box: FaceBox, *, margin: float = MARGIN) -> bytes:
    """The face `box` of an RGB `image` (H×W×3) with `margin` around it, as JPEG bytes."""
    height, width = image.shape[:2]
    pad_x, pad_y = int(box.width * margin), int(box.height * margin)
    top, bottom = max(box.top - pad_y, 0), min(box.bottom + pad_y, height)
    left, right = max(box.left - pad_x, 0), min(box.right + pad_x, width)
    buffer = io.BytesIO()
    Image.fromarray(image[top:bottom, left:right]).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()
