"""Uploads judged from their header at once, before anything is stored or queued: a class
photo as strictly as an enrollment photo, and a picture of an absurd shape (1 x millions of
pixels: within the pixel limit, yet far costlier than a photo to decode and search)."""

import io

import pytest
from PIL import Image

from attendance.detection_budget import checkin_min_face_px, detection_pixels
from attendance.models import ClassPhoto
from people.models import EnrollmentPhoto
from tests.api.conftest import client_for, open_session_of
from tests.factories import CourseFactory, PersonFactory
from tests.reliability.odd_files import BUILDERS, Upload

pytestmark = pytest.mark.django_db


def png(width: int, height: int, mode: str = "1") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (width, height)).save(buffer, "PNG")
    return buffer.getvalue()


NOT_PHOTOS = {
    "text": BUILDERS["text_named_jpg"],
    "svg": BUILDERS["svg"],
    "html": lambda: Upload(
        "page.html", b"<!doctype html><html><body>hi</body></html>", "text/html"
    ),
    "pdf": BUILDERS["pdf"],
    "png_30000_square": lambda: Upload("huge.png", png(30_000, 30_000), "image/png"),
    "png_1_by_1000000": lambda: Upload("strip.png", png(1, 1_000_000), "image/png"),
}


@pytest.mark.parametrize("kind", NOT_PHOTOS)
def test_a_class_photo_that_is_no_usable_photo_is_refused_at_once(teacher, kind):
    course = CourseFactory(teachers=[teacher])
    session = open_session_of(course)
    upload = NOT_PHOTOS[kind]().as_file()
    response = client_for(teacher).post(
        f"/api/sessions/{session.pk}/class-photos/", {"image": upload}
    )
    assert response.status_code == 400, response.content
    assert response.json()["image"]
    assert not ClassPhoto.objects.exists()


def test_an_enrollment_photo_of_an_absurd_shape_is_refused_saying_why(teacher):
    person = PersonFactory(created_by=teacher)
    CourseFactory(teachers=[teacher]).roster.add(person)
    upload = Upload("strip.png", png(4_000_000, 1, "RGB"), "image/png").as_file()
    response = client_for(teacher).post(f"/api/people/{person.pk}/photos/", {"image": upload})
    assert response.status_code == 400, response.content
    assert "4000000x1" in str(response.json()) and "times as long" in str(response.json())
    assert not EnrollmentPhoto.objects.exists()


@pytest.mark.parametrize("requested", [None, 20, 40, 80])
@pytest.mark.parametrize("shape", [(480, 640), (720, 1280), (2000, 2000), (1, 4_000_000)])
def test_a_check_in_frame_is_searched_within_the_detection_budget(settings, requested, shape):
    smallest = checkin_min_face_px(requested=requested, frame_shape=shape)
    assert smallest >= max(requested or 0, 40)  # never upsampled more than once
    work = detection_pixels(min_face_px=smallest, frame_shape=shape)
    assert work <= settings.CHECKIN_MAX_DETECTION_PIXELS * 1.001


def test_a_kiosk_frame_is_searched_for_the_faces_it_asks_for():
    assert checkin_min_face_px(requested=80, frame_shape=(480, 640)) == 80
    assert checkin_min_face_px(requested=None, frame_shape=(720, 1280)) == 40
