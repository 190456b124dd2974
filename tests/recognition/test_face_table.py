"""The recorded face table of the fast tier (tests/fakes.py) still says what the real pipeline
finds: same boxes, encodings within the ONNX/dlib bound. When this fails, record it again
(`.venv/bin/python -m tests.fakes`)."""

import numpy as np
import pytest

from recognition import faces
from tests.fakes import FaceTable

pytestmark = pytest.mark.real_faces


@pytest.mark.parametrize(
    "name", ["enroll/obama/obama.jpg", "probe/obama_and_biden.jpg", "groups/2007_007763.jpg"]
)
def test_the_table_matches_the_real_pipeline(shared_faces, name):
    image = faces.load_image(shared_faces / name)
    recorded = FaceTable.load().faces_in(image)
    real = faces.find_faces(image, landmarks68=True)
    assert [f.box for f in recorded] == [f.box for f in real]
    for ours, theirs in zip(recorded, real, strict=True):
        assert np.abs(ours.encoding - theirs.encoding).max() <= 1e-4


def test_an_image_not_in_the_table_holds_no_face():
    assert FaceTable.load().find_faces(np.zeros((64, 64, 3), np.uint8)) == []


@pytest.mark.parametrize("name", ["enroll/obama/obama.jpg", "probe/obama_and_biden.jpg"])
def test_the_recorded_enrollment_answer_is_the_real_one(shared_faces, name):
    path = shared_faces / name
    try:
        real = faces.encode_enrollment_photo(path)
    except faces.ImageRejected as rejection:
        with pytest.raises(faces.ImageRejected) as recorded:
            FaceTable.load().encode_enrollment_photo(path)
        assert (recorded.value.code, str(recorded.value)) == (rejection.code, str(rejection))
        return
    recorded = FaceTable.load().encode_enrollment_photo(path)
    assert recorded.box == real.box
    assert np.abs(recorded.encoding - real.encoding).max() <= 1e-4
