"""Enrollment at the kiosk: a course's enrollment credential adds its students' frames as
enrollment photos (through the one photo service, encoded by the real pipeline), and does
nothing else; a check-in credential cannot add photos, nor an enrollment credential check in.
A student without consent is refused before any frame is stored.
"""

import io
import time
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageEnhance
from rest_framework.test import APIClient

from attendance.kiosk_enrollment import open_enrollment_kiosk
from people.models import EnrollmentPhoto
from tests.api.conftest import open_session_of
from tests.api.test_kiosk_credential import kiosk_client
from tests.api.test_throttling import _fresh_rate_counters  # noqa: F401 - autouse: empty counters
from tests.factories import CourseFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada():
    return PersonFactory(full_name="Ada Lovelace")


@pytest.fixture
def bob():
    return PersonFactory(full_name="Bob Noconsent", consent_recorded_on=None)


@pytest.fixture
def course(teacher, ada, bob):
    return CourseFactory(teachers=[teacher], roster=[ada, bob])


@pytest.fixture
def kiosk(course, teacher):
    return open_enrollment_kiosk(course=course, opened_by=teacher)


def enroll_client(kiosk) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Kiosk {kiosk.token}")
    return client


def frames_of(shared_faces, name="obama", count=2):
    paths = sorted((shared_faces / "enroll" / name).iterdir())[:count]
    return [SimpleUploadedFile(p.name, p.read_bytes(), content_type="image/jpeg") for p in paths]


def post_frames(client, course, person, frames):
    url = f"/api/courses/{course.pk}/enrollment-kiosk/frames/"
    return client.post(url, {"person": person.pk, "frames": frames}, format="multipart")


def test_the_enrollment_kiosk_adds_each_frame_as_a_photo_and_answers_per_frame(
    course, kiosk, ada, shared_faces, django_capture_on_commit_callbacks
):
    frames = [*frames_of(shared_faces), SimpleUploadedFile("x.jpg", b"not an image")]
    with django_capture_on_commit_callbacks(execute=True):
        response = post_frames(enroll_client(kiosk), course, ada, frames)
    assert response.status_code == 201, response.content
    answers = response.json()["frames"]
    assert [a["frame"] for a in answers] == [0, 1, 2]
    assert [a["status"] for a in answers[:2]] == ["pending", "pending"]
    assert answers[2]["status"] == "refused" and answers[2]["photo"] is None
    assert answers[2]["reason"]
    photos = EnrollmentPhoto.objects.filter(person=ada)
    assert sorted(photos.values_list("pk", flat=True)) == [a["photo"] for a in answers[:2]]
    # encoded in the background like every upload; the kiosk follows them
    url = f"/api/courses/{course.pk}/enrollment-kiosk/progress/?person={ada.pk}"
    progress = enroll_client(kiosk).get(url).json()
    assert [p["status"] for p in progress["photos"]] == ["ready", "ready"]


def test_no_frame_of_a_student_without_consent_is_stored(
    course, kiosk, bob, shared_faces, media_root
):
    before = sorted(str(p) for p in media_root.rglob("*") if p.is_file())
    response = post_frames(enroll_client(kiosk), course, bob, frames_of(shared_faces))
    assert response.status_code == 400
    assert "consent" in response.json()["person"][0]
    assert not EnrollmentPhoto.objects.exists()
    assert sorted(str(p) for p in media_root.rglob("*") if p.is_file()) == before


def test_a_student_of_another_course_or_too_many_frames_are_refused(
    course, kiosk, ada, shared_faces
):
    stranger = PersonFactory()
    CourseFactory(roster=[stranger])
    response = post_frames(enroll_client(kiosk), course, stranger, frames_of(shared_faces))
    assert response.status_code == 400 and "person" in response.json()
    frames = frames_of(shared_faces, count=2) * 3
    response = post_frames(enroll_client(kiosk), course, ada, frames)
    assert response.status_code == 400 and "at most 5 frames" in response.json()["image"][0]
    assert not EnrollmentPhoto.objects.exists()


def test_an_enrollment_credential_cannot_check_in_nor_reach_another_course(
    course, kiosk, ada, shared_faces
):
    session = open_session_of(course)
    client = enroll_client(kiosk)
    with (shared_faces / "probe" / "obama1.jpg").open("rb") as handle:
        response = client.post(f"/api/sessions/{session.pk}/checkin/", {"image": handle})
    assert response.status_code in (401, 403)
    other = CourseFactory(roster=[ada])
    assert post_frames(client, other, ada, frames_of(shared_faces)).status_code == 404
    calls = [
        ("get", "/api/people/"),
        ("get", f"/api/courses/{course.pk}/"),
        ("post", f"/api/courses/{course.pk}/enrollment-kiosk/"),
        ("delete", f"/api/courses/{course.pk}/enrollment-kiosk/"),
        ("get", f"/api/sessions/{session.pk}/"),
        ("post", f"/api/people/{ada.pk}/photos/"),
    ]
    for method, url in calls:
        assert getattr(client, method)(url).status_code in (401, 403), (method, url)
    assert not EnrollmentPhoto.objects.exists()


def test_a_check_in_credential_cannot_add_photos(course, kiosk, ada, shared_faces):
    session = open_session_of(course)
    response = post_frames(kiosk_client(session), course, ada, frames_of(shared_faces))
    assert response.status_code in (401, 403)
    url = f"/api/courses/{course.pk}/enrollment-kiosk/progress/?person={ada.pk}"
    assert kiosk_client(session).get(url).status_code in (401, 403)
    assert not EnrollmentPhoto.objects.exists()


def test_a_replaced_closed_or_expired_link_stops_working(
    course, kiosk, teacher, teacher_api, ada, shared_faces
):
    old = enroll_client(kiosk)
    newer = open_enrollment_kiosk(course=course, opened_by=teacher)
    assert post_frames(old, course, ada, frames_of(shared_faces)).status_code == 401
    newer.expires_at = timezone.now() - timedelta(seconds=1)
    newer.save()
    assert (
        post_frames(enroll_client(newer), course, ada, frames_of(shared_faces)).status_code == 401
    )
    response = teacher_api.post(f"/api/courses/{course.pk}/enrollment-kiosk/")
    assert response.status_code == 201 and "/enroll-kiosk/" in response.json()["kiosk_url"]
    token = response.json()["kiosk_url"].rstrip("/").rsplit("/", 1)[1]
    assert teacher_api.delete(f"/api/courses/{course.pk}/enrollment-kiosk/").status_code == 204
    closed = APIClient()
    closed.credentials(HTTP_AUTHORIZATION=f"Kiosk {token}")
    assert post_frames(closed, course, ada, frames_of(shared_faces)).status_code == 401
    assert not EnrollmentPhoto.objects.exists()


def test_frames_are_rate_limited_per_enrollment_credential(settings, course, kiosk, ada):
    settings.CHECKIN_RATE_PER_CREDENTIAL = "3/min"
    url = f"/api/courses/{course.pk}/enrollment-kiosk/frames/"
    client = enroll_client(kiosk)
    codes = [client.post(url, {}, format="multipart").status_code for _ in range(5)]
    assert codes == [400, 400, 400, 429, 429]


def test_frames_are_body_limited(settings, course, kiosk):
    settings.MAX_UPLOAD_BYTES = 1024
    url = f"/api/courses/{course.pk}/enrollment-kiosk/frames/"
    response = enroll_client(kiosk).generic(
        "POST",
        url,
        b"x",
        CONTENT_TYPE="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(5 * 1024 + 2 * 1024 * 1024),
    )
    assert response.status_code == 413


@pytest.mark.parametrize("person", ["", "abc", "²", "99999999999999999999999", "-1"])
def test_a_person_that_is_no_id_is_a_clear_400(course, kiosk, person):
    url = f"/api/courses/{course.pk}/enrollment-kiosk/frames/"
    response = enroll_client(kiosk).post(url, {"person": person}, format="multipart")
    assert response.status_code == 400
    assert response.json() == {
        "code": "student_not_available",
        "detail": "Choose a student of this course.",
        "person": ["Choose a student of this course."],
    }
    progress = enroll_client(kiosk).get(
        f"/api/courses/{course.pk}/enrollment-kiosk/progress/", {"person": person}
    )
    assert progress.status_code == 400


def test_a_json_list_body_is_a_clear_400(course, kiosk):
    url = f"/api/courses/{course.pk}/enrollment-kiosk/frames/"
    response = enroll_client(kiosk).post(url, [1, 2], format="json")
    assert response.status_code == 400


@pytest.mark.worker
def test_kiosk_frames_are_encoded_by_a_real_worker_and_the_kiosk_sees_them_ready(
    real_worker, teacher, shared_faces
):
    student = PersonFactory(full_name="Kit Harington")
    course = CourseFactory(teachers=[teacher], roster=[student])
    client = enroll_client(open_enrollment_kiosk(course=course, opened_by=teacher))
    response = post_frames(client, course, student, frames_of(shared_faces, "kit_harington"))
    assert response.status_code == 201, response.content
    assert [frame["status"] for frame in response.json()["frames"]] == ["pending", "pending"]
    url = f"/api/courses/{course.pk}/enrollment-kiosk/progress/?person={student.pk}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        photos = client.get(url).json()["photos"]
        if all(photo["status"] not in ("pending", "processing") for photo in photos):
            break
        time.sleep(0.5)
    assert [photo["status"] for photo in photos] == ["ready", "ready"], photos


def kiosk_frame(path, *, scale=1.0, light=1.0) -> SimpleUploadedFile:
    """A 1280x720 camera frame with the photo in the middle, made smaller (the student
    stands further away) or darker."""
    photo = Image.open(path).convert("RGB")
    photo = photo.resize((int(photo.width * scale), int(photo.height * scale)))
    photo = ImageEnhance.Brightness(photo).enhance(light)
    frame = Image.new("RGB", (1280, 720), (90, 90, 90))
    frame.paste(photo.crop((0, 0, min(photo.width, 1280), min(photo.height, 720))), (0, 0))
    data = io.BytesIO()
    frame.save(data, "JPEG", quality=92)
    return SimpleUploadedFile("frame.jpg", data.getvalue(), content_type="image/jpeg")


@pytest.mark.real_faces  # frames made here: the stand-in knows only the recorded sample photos
def test_the_progress_says_why_a_frame_was_not_usable_as_the_gates_codes(
    course, kiosk, ada, shared_faces, django_capture_on_commit_callbacks
):
    """The kiosk's advice (come closer, face the light) comes from these codes."""
    path = sorted((shared_faces / "enroll" / "obama").iterdir())[0]
    far = kiosk_frame(path, scale=90 / max(Image.open(path).size))
    dark = kiosk_frame(path, scale=600 / max(Image.open(path).size), light=0.2)
    with django_capture_on_commit_callbacks(execute=True):
        answers = post_frames(enroll_client(kiosk), course, ada, [far, dark]).json()["frames"]
    assert [a["problems"] for a in answers] == [[], []]  # still to be checked
    url = f"/api/courses/{course.pk}/enrollment-kiosk/progress/?person={ada.pk}"
    photos = enroll_client(kiosk).get(url).json()["photos"]
    assert photos[0]["status"] == "rejected", photos
    assert photos[0]["problems"][0] in {"no_face", "face_too_small"}, photos
    assert photos[1]["status"] == "needs_review" and "dark" in photos[1]["problems"], photos
