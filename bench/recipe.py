"""The plain face_recognition recipe everybody copies, as the baseline of every comparison.

`load_image_file` + `face_locations` (HOG, the default upsample=1) on the full image +
`face_encodings`, then the nearest known encoding within the usual tolerance 0.6.
"""

from __future__ import annotations

import io
import warnings

import numpy as np
from PIL import ImageFile

_strict_pillow = ImageFile.LOAD_TRUNCATED_IMAGES
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
    import face_recognition
# face_recognition turns this on for the whole process; the tests that compare the app
# with the recipe run in the app's process, so put back Pillow's strictness.
ImageFile.LOAD_TRUNCATED_IMAGES = _strict_pillow

TOLERANCE = 0.6
UNKNOWN = "unknown"


def faces_in(source) -> list[np.ndarray]:
    """Encodings of every face of an image (a path, or JPEG bytes), the recipe's way."""
    if isinstance(source, bytes | bytearray):
        source = io.BytesIO(source)
    image = face_recognition.load_image_file(source)
    locations = face_recognition.face_locations(image)
    return face_recognition.face_encodings(image, locations)


class KnownFaces:
    """The recipe's "known faces": one encoding per enrollment photo and its name."""

    def __init__(self, photos: list[tuple[str, object]]):
        names, encodings = [], []
        for name, path in photos:
            found = faces_in(path)
            if found:
                names.append(name)
                encodings.append(found[0])
        self.names = names
        self.encodings = np.array(encodings)

    def names_of(self, encodings) -> list[str]:
        """Nearest known face within the tolerance, else "unknown"; sorted."""
        result = []
        for encoding in encodings:
            distances = face_recognition.face_distance(self.encodings, encoding)
            best = int(np.argmin(distances))
            result.append(self.names[best] if distances[best] <= TOLERANCE else UNKNOWN)
        return sorted(result)

    def identify(self, source) -> list[str]:
        return self.names_of(faces_in(source))
