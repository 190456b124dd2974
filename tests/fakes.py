"""A deterministic stand-in for the face pipeline, for the fast test tier (`make test-fast`).

Services, views and permission tests need faces to be found, told apart and recognised, not
dlib itself. The stand-in answers the two functions the application calls,
`recognition.faces.find_faces` and `recognition.faces.encode_enrollment_photo`, from a table
recorded once with the real pipeline on the sample photos in ../shared/faces: each decoded
image (keyed by the digest of its RGB pixels) with its faces' boxes, encodings and 68
landmarks. An image not in the table holds no face. Images are still decoded by the real
`load_image`, so unreadable files, size limits and EXIF handling stay real.

Tests that need the real detector or encoder on images of their own making (tiled class
photos, rotated or cropped faces, the recognition tests) are marked `real_faces` and run only
in the full suite.

Record the table again (after a change of the encoder or of the sample photos):
    .venv/bin/python -m tests.fakes
"""

import hashlib
import os
from pathlib import Path

import numpy as np

TABLE = Path(__file__).with_name("face_table.npz")
SHARED_FACES = (Path(__file__).resolve().parent.parent / ".." / "shared" / "faces").resolve()
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png"}


def digest(image: np.ndarray) -> str:
    image = np.ascontiguousarray(image)
    return hashlib.sha256(repr(image.shape).encode() + image.tobytes()).hexdigest()[:32]


class FaceTable:
    """The recorded faces of each known image: digest -> [DetectedFace, ...]."""

    def __init__(self, faces_by_digest: dict, enrollment_by_digest: dict):
        self.faces_by_digest = faces_by_digest
        # digest -> the one face, or (code, message) of the rejection
        self.enrollment_by_digest = enrollment_by_digest

    @classmethod
    def load(cls, path: Path = TABLE) -> "FaceTable":
        from recognition.faces import DetectedFace, FaceBox

        data = np.load(path)
        faces: dict[str, list] = {}
        enrollment: dict = {}
        rows = zip(
            data["keys"],
            data["notes"],
            data["boxes"],
            data["encodings"],
            data["landmarks"],
            strict=True,
        )
        for key, note, box, encoding, landmarks in rows:
            kind, key, note = *str(key).split(":"), str(note)
            encoding = encoding.astype(np.float32)
            encoding.flags.writeable = False
            face = DetectedFace(FaceBox(*(int(v) for v in box)), encoding, landmarks.copy())
            if kind == "enroll":
                enrollment[key] = tuple(note.split("|", 1)) if note else face
            elif note == "none":
                faces.setdefault(key, [])
            else:
                faces.setdefault(key, []).append(face)
        return cls(faces, enrollment)

    def faces_in(self, image: np.ndarray) -> list:
        return list(self.faces_by_digest.get(digest(image), []))

    # --- the stand-ins, with the real functions' signatures -------------------------------

    def find_faces(
        self, image, config=None, *, min_face_px=None, max_faces=None, landmarks68=False
    ):
        from recognition.faces import DetectedFace

        found = self.faces_in(np.asarray(image))
        if max_faces is not None and len(found) > max_faces:
            found = sorted(found, key=lambda f: f.box.width * f.box.height, reverse=True)
            found = sorted(found[:max_faces], key=lambda f: (f.box.left, f.box.top))
        if landmarks68:
            return found
        return [DetectedFace(face.box, face.encoding) for face in found]

    def encode_enrollment_photo(self, source, config=None):
        from recognition import faces

        cfg = config or faces.FaceConfig.from_settings()
        known = self.enrollment_by_digest.get(digest(faces.load_image(source, cfg)))
        if known is None:
            raise faces.ImageRejected("no_face")
        if isinstance(known, tuple):
            code, message = known
            raise faces.ImageRejected(code, message or None)
        return faces.DetectedFace(known.box, known.encoding)


def install(monkeypatch, table: FaceTable) -> None:
    """Put the stand-in at the face seam for one test."""
    from recognition import faces

    monkeypatch.setattr(faces, "find_faces", table.find_faces)
    monkeypatch.setattr(faces, "encode_enrollment_photo", table.encode_enrollment_photo)


def _variants(path: Path):
    """The decoded images the application makes of one file: as an enrollment photo or a
    class photo (the face config's limit) and as a check-in frame (the check-in limit)."""
    from django.conf import settings

    from recognition import faces

    config = faces.FaceConfig.from_settings()
    seen = set()
    for limit in (None, settings.CHECKIN_MAX_IMAGE_PIXELS):
        try:
            image = faces.load_image(path, config, max_pixels=limit)
        except faces.ImageRejected:
            continue
        key = digest(image)
        if key not in seen:
            seen.add(key)
            yield key, image


def record(root: Path = SHARED_FACES, path: Path = TABLE) -> int:
    """Run the real pipeline on every sample photo and write the table; returns its images."""
    from recognition import faces

    rows = {"keys": [], "notes": [], "boxes": [], "encodings": [], "landmarks": []}

    def add(key: str, note: str = "", face=None):
        box = face.box if face else faces.FaceBox(0, 0, 0, 0)
        marks = face.landmarks68 if face is not None and face.landmarks68 is not None else None
        rows["keys"].append(key)
        rows["notes"].append(note)
        rows["boxes"].append(np.array([box.top, box.right, box.bottom, box.left], np.int32))
        rows["encodings"].append(face.encoding if face else np.zeros(128, np.float32))
        rows["landmarks"].append(np.zeros((68, 2)) if marks is None else marks)

    count = 0
    files = sorted(p for p in root.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
    for file in files:
        for variant, (key, image) in enumerate(_variants(file)):
            count += 1
            found = faces.find_faces(image, landmarks68=True)
            for face in found:
                add(f"find:{key}", face=face)
            if not found:
                add(f"find:{key}", "none")
            if variant:  # enrollment photos are decoded with the face config's limit only
                continue
            try:
                add(f"enroll:{key}", face=faces.encode_enrollment_photo(file))
            except faces.ImageRejected as rejection:
                add(f"enroll:{key}", f"{rejection.code}|{rejection.message}")
    arrays = {name: np.array(values) for name, values in rows.items()}
    arrays["encodings"] = arrays["encodings"].astype(np.float32)
    arrays["landmarks"] = arrays["landmarks"].astype(np.float32)
    np.savez_compressed(path, **arrays)
    return count


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "attendance_site.settings")
    import django

    django.setup()
    print(f"{record()} images recorded in {TABLE}")
