"""Sample faces for the recognition tests, detected and encoded once per test session.

Real dlib on the real photos of ../shared/faces (see its README and manifest.csv): the
face-finding fixtures run the module's own pipeline with its defaults, so the tests
check what the kiosk would do.
"""

import csv
import os
from pathlib import Path

import pytest

from recognition import faces

SAMPLES = (Path(__file__).resolve().parents[2] / ".." / "shared" / "faces").resolve()


def _manifest() -> list[tuple[str, list[str]]]:
    with open(SAMPLES / "manifest.csv", newline="") as f:
        return [(row["file"], row["expected_faces"].split(";")) for row in csv.DictReader(f)]


def _enrollment_photos() -> list[tuple[str, str]]:
    return [
        (p.parent.name, str(p.relative_to(SAMPLES))) for p in sorted(SAMPLES.glob("enroll/*/*"))
    ]


def pytest_generate_tests(metafunc):
    """One test per sample file, named after it (`manifest_entry`, `enrollment_photo`)."""
    if "manifest_entry" in metafunc.fixturenames:
        entries = _manifest()
        metafunc.parametrize("manifest_entry", entries, ids=[file for file, _ in entries])
    if "enrollment_photo" in metafunc.fixturenames:
        photos = _enrollment_photos()
        metafunc.parametrize("enrollment_photo", photos, ids=[path for _, path in photos])


@pytest.fixture(scope="session")
def face_config() -> faces.FaceConfig:
    """The module's measured defaults, whatever the project settings say, except the
    encoder runtime: FACE_ENCODER_RUNTIME=dlib runs these tests on dlib's own encoder."""
    return faces.FaceConfig(encoder_runtime=os.environ.get("FACE_ENCODER_RUNTIME", "onnx"))


@pytest.fixture(scope="session")
def enrolled_faces(face_config) -> dict[str, faces.DetectedFace]:
    """Each enrollment photo (relative path) -> its one face."""
    return {
        path: faces.encode_enrollment_photo(SAMPLES / path, face_config)
        for _, path in _enrollment_photos()
    }


@pytest.fixture(scope="session")
def enrollment_set(enrolled_faces) -> list[tuple[str, faces.DetectedFace]]:
    """(person name, face) for every enrollment photo."""
    return [(Path(path).parent.name, face) for path, face in enrolled_faces.items()]


@pytest.fixture(scope="session")
def probe_faces(face_config) -> dict[str, list[faces.DetectedFace]]:
    """Each manifest file -> every face find_faces returns for it."""
    return {
        file: faces.find_faces(faces.load_image(SAMPLES / file, face_config), face_config)
        for file, _ in _manifest()
    }
