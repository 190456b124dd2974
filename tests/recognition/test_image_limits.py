"""load_image's limits: no process-wide state changed per call,
only the supported formats opened, check-in frames limited to far fewer pixels than photos."""

import io
import warnings

import numpy as np
import pytest
from PIL import Image

from recognition import faces
from recognition.faces import FaceConfig, ImageRejected


def encoded(image: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


def test_loading_an_image_changes_no_process_wide_state(shared_faces, monkeypatch):
    guard = Image.MAX_IMAGE_PIXELS

    def no_catch_warnings(*args, **kwargs):
        raise AssertionError("load_image must not swap the process's warning filters")

    monkeypatch.setattr(warnings, "catch_warnings", no_catch_warnings)
    config = FaceConfig(max_image_pixels=2_000_000)
    faces.load_image(shared_faces / "enroll/obama/obama.jpg", config)
    with pytest.raises(ImageRejected):
        faces.load_image(shared_faces / "enroll/obama/obama.jpg", FaceConfig(max_image_pixels=10))
    assert guard == Image.MAX_IMAGE_PIXELS


@pytest.mark.parametrize("fmt", ["PPM", "TGA", "PCX", "ICO"])
def test_it_opens_only_the_supported_formats(fmt):
    data = encoded(Image.new("RGB", (64, 64), (200, 10, 10)), fmt)
    assert Image.open(io.BytesIO(data)).format == fmt  # Pillow itself would read it
    with pytest.raises(ImageRejected) as caught:
        faces.load_image(data, FaceConfig())
    assert caught.value.code == "unreadable"
    with pytest.raises(ImageRejected):
        faces.check_image_header(io.BytesIO(data))


def test_the_header_check_reads_no_pixels_and_rewinds_the_file(shared_faces):
    with open(shared_faces / "enroll/obama/obama.jpg", "rb") as handle:
        faces.check_image_header(handle)
        assert handle.tell() == 0
    with pytest.raises(ImageRejected) as caught:
        faces.check_image_header(io.BytesIO(encoded(Image.new("1", (12_000, 12_000)), "PNG")))
    assert caught.value.code == "too_large"


def test_a_very_large_photo_is_scaled_down_by_a_whole_factor():
    big = Image.new("L", (5000, 4000), 128)  # 20 MP > MAX_WORKING_PIXELS
    image = faces.load_image(encoded(big, "PNG"), FaceConfig())
    assert image.shape == (2000, 2500, 3) and image.dtype == np.uint8


def test_check_in_refuses_frames_over_its_own_pixel_limit(db, teacher, settings):
    from rest_framework.test import APIClient

    from tests.api.conftest import open_session_of
    from tests.factories import CourseFactory

    settings.CHECKIN_RATE_PER_CREDENTIAL = settings.CHECKIN_RATE_PER_ADDRESS = ""
    session = open_session_of(CourseFactory(teachers=[teacher]))
    client = APIClient()
    client.force_authenticate(teacher)
    frame = io.BytesIO(encoded(Image.new("RGB", (3000, 2000), "white"), "JPEG"))  # 6 MP
    frame.name = "frame.jpg"
    response = client.post(f"/api/sessions/{session.pk}/checkin/", {"image": frame})
    assert response.status_code == 400
    assert "at most 4 megapixels" in str(response.json())


def test_loading_leaves_the_callers_file_open_for_later_readers(shared_faces):
    """Check-in reads the upload again to keep a snapshot after decoding it."""
    for name in ("lin-manuel-miranda.png", "obama1.jpg"):
        with (shared_faces / "probe" / name).open("rb") as handle:
            faces.load_image(handle)
            assert not handle.closed, name
