"""Class-photo roll call: upload -> every face detected and identified -> roster marked;
unknown faces assigned by the teacher. Real dlib on a picture built from the sample faces."""

import contextlib
import io
import time
from functools import partial

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from attendance import services
from attendance.models import AttendanceRecord, ClassPhoto
from bench.frames import _STORED_AS, ORIENTATION
from bench.frames import SHARED_FACES as SAMPLES
from bench.recall import composite, found
from people.models import Person
from recognition import faces
from tests.api.conftest import client_for, encode_samples, enroll_from_samples, open_session_of
from tests.factories import CourseFactory

pytestmark = pytest.mark.django_db
KNOWN = ["alex_lacamoire", "biden", "kit_harington", "obama"]


def make_class_picture():
    """9 faces of 70-110 px in a 2400x1800 picture stored sideways with EXIF orientation 6,
    as a phone saves it: (JPEG bytes, the upright frame with its true boxes and people)."""
    frame = composite(1800, 2400, [70, 75, 80, 85, 90, 95, 100, 105, 110], seed=3)
    upright = Image.fromarray(frame.image)
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    out = io.BytesIO()
    upright.transpose(_STORED_AS[6]).save(out, "JPEG", quality=90, exif=exif.tobytes())
    return out.getvalue(), frame


@pytest.fixture(scope="module")
def class_picture():
    return make_class_picture()


def enroll_class(course):
    """KNOWN enrolled with their sample photos' encodings; Rose on the roster, no photo."""
    enroll_from_samples(course, KNOWN, encode_samples(KNOWN, SAMPLES), SAMPLES)
    course.roster.add(
        Person.objects.create(
            full_name="Rose Leslie", external_id="rose_leslie", consent_recorded_on="2026-09-01"
        )
    )


@pytest.fixture
def course(teacher, sample_encodings, shared_faces):
    course = CourseFactory(teachers=[teacher], name="Year 9")
    enroll_from_samples(course, KNOWN, sample_encodings, shared_faces)
    rose = Person.objects.create(
        full_name="Rose Leslie", external_id="rose_leslie", consent_recorded_on="2026-09-01"
    )
    course.roster.add(rose)  # on the roster, but no photo yet: her face is unknown
    return course


@pytest.fixture(autouse=True)
def _commits(request):
    """Run on-commit callbacks (the queued task, the file deletion) in db-wrapped tests."""
    global _commit
    if "real_worker" in request.fixturenames:
        _commit = contextlib.nullcontext
    else:
        _commit = partial(
            request.getfixturevalue("django_capture_on_commit_callbacks"), execute=True
        )
    yield


_commit = contextlib.nullcontext


def upload(api, session, data, name="class.jpg"):
    with _commit():
        return api.post(
            f"/api/sessions/{session.pk}/class-photos/",
            {"image": SimpleUploadedFile(name, data, "image/jpeg")},
            format="multipart",
        )


def wait_until_processed(api, session, photo_id, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        body = api.get(f"/api/sessions/{session.pk}/class-photos/{photo_id}/").json()
        if body["status"] in ("done", "failed") or time.monotonic() > deadline:
            return body
        time.sleep(0.3)


def check_the_journey(api, session, class_picture):
    data, frame = class_picture
    answer = upload(api, session, data)
    assert answer.status_code == 202, answer.content
    result = wait_until_processed(api, session, answer.json()["id"])
    assert result["status"] == "done", result
    assert (result["width"], result["height"]) == (1800, 2400)  # upright
    # every face of the picture is found (HOG may add a box in a photo's background)
    boxes = [
        (f["box"]["left"], f["box"]["top"], f["box"]["right"], f["box"]["bottom"])
        for f in result["faces"]
    ]
    assert found(frame.boxes, boxes) == 9
    assert result["found"] == len(result["faces"]) >= 9
    named = sorted(f["person"]["full_name"] for f in result["faces"] if f["person"])
    expected = sorted(p.replace("_", " ").title() for p in frame.people if p in KNOWN)
    assert named == expected
    unknown = [f for f in result["faces"] if f["person"] is None]
    assert len(unknown) >= 2 and {f["outcome"] for f in unknown} == {"unknown"}
    # Rose's faces (on the roster, no photo yet) are among the unknown ones
    rose_boxes = [b for b, p in zip(frame.boxes, frame.people, strict=True) if p == "rose_leslie"]
    unknown = [
        f
        for f in unknown
        if found(
            rose_boxes, [(f["box"]["left"], f["box"]["top"], f["box"]["right"], f["box"]["bottom"])]
        )
    ]
    assert len(unknown) == 2
    records = AttendanceRecord.objects.filter(session=session)
    assert {r.person.full_name for r in records} == set(expected)
    assert {r.method for r in records} == {"class_photo"}
    assert {r.status for r in records} == {"present"}
    # the teacher names an unknown face: Rose is marked, by this teacher
    rose = Person.objects.get(full_name="Rose Leslie")
    face = unknown[0]["index"]
    with _commit():
        assigned = api.post(
            f"/api/sessions/{session.pk}/class-photos/{result['id']}/assign/",
            {"face": face, "person": rose.pk},
            format="json",
        )
    assert assigned.status_code == 200, assigned.content
    assert assigned.json()["person"]["full_name"] == "Rose Leslie"
    assert assigned.json()["outcome"] == "assigned"
    record = AttendanceRecord.objects.get(session=session, person=rose)
    assert (record.method, record.status) == ("class_photo", "present")
    return result


@pytest.mark.real_faces
def test_a_class_photo_marks_every_recognised_student_and_forgets_the_picture_at_close(
    teacher_api, course, class_picture, media_root
):
    session = open_session_of(course)
    result = check_the_journey(teacher_api, session, class_picture)
    photo = ClassPhoto.objects.get(pk=result["id"])
    assert photo.image  # the live page shows it again after a reload
    picture = teacher_api.get(result["image_url"])
    assert picture.status_code == 200 and picture["Cache-Control"] == "private, no-store"
    with _commit():
        services.close_session(session=session)
    photo.refresh_from_db()
    assert not photo.image
    assert not list((media_root / "class_photos").glob("*"))
    assert teacher_api.get(result["image_url"]).status_code == 404


def test_the_picture_outlives_the_session_only_with_snapshot_retention(
    teacher_api, course, class_picture, settings
):
    settings.CHECKIN_SNAPSHOT_RETENTION_DAYS = 7
    session = open_session_of(course)
    answer = upload(teacher_api, session, class_picture[0])
    services.close_session(session=session)
    photo = ClassPhoto.objects.get(pk=answer.json()["id"])
    assert photo.status == "done" and photo.image


def test_another_teacher_cannot_read_the_picture(teacher_api, course, class_picture, other_teacher):
    session = open_session_of(course)
    answer = upload(teacher_api, session, class_picture[0])
    url = reverse("session-class-photo-image", args=[session.pk, answer.json()["id"]])
    assert client_for(other_teacher).get(url).status_code == 404


@pytest.mark.real_faces
def test_assigning_refuses_named_faces_strangers_and_bad_indexes(
    teacher_api, course, class_picture, other_teacher
):
    session = open_session_of(course)
    result = check_the_journey(teacher_api, session, class_picture)
    url = f"/api/sessions/{session.pk}/class-photos/{result['id']}/assign/"
    rose = Person.objects.get(full_name="Rose Leslie")
    named = next(f["index"] for f in result["faces"] if f["person"])
    assert teacher_api.post(url, {"face": named, "person": rose.pk}).status_code == 409
    assert teacher_api.post(url, {"face": 99, "person": rose.pk}).status_code == 400
    assert teacher_api.post(url, {"face": "x", "person": rose.pk}).status_code == 400
    outsider = Person.objects.create(
        full_name="Not Enrolled", external_id="outsider", consent_recorded_on="2026-09-01"
    )
    outsider_face = [f for f in result["faces"] if f["person"] is None]
    answer = teacher_api.post(url, {"face": outsider_face[-1]["index"], "person": outsider.pk})
    assert answer.status_code == 404


def test_unreadable_pictures_fail_with_a_reason_and_bad_uploads_are_refused(
    teacher_api, course, settings
):
    session = open_session_of(course)
    refused = upload(teacher_api, session, b"not an image at all")
    assert refused.status_code == 400 and "could not be read" in str(refused.json())
    whole, _ = make_class_picture()
    answer = upload(teacher_api, session, whole[: len(whole) // 3])  # a good header, cut short
    assert answer.status_code == 202
    body = wait_until_processed(teacher_api, session, answer.json()["id"])
    assert body["status"] == "failed" and "could not be read" in body["error"]
    assert upload(teacher_api, session, b"").status_code == 400
    settings.CLASS_PHOTO_MAX_UPLOAD_BYTES = 1024
    assert upload(teacher_api, session, b"x" * 2048).status_code == 400
    missing = teacher_api.post(f"/api/sessions/{session.pk}/class-photos/", {}, format="multipart")
    assert missing.status_code == 400


def test_class_photos_need_an_open_session_and_its_teacher(
    teacher_api, other_teacher_api, course, class_picture
):
    session = open_session_of(course, opened_at=None)
    assert upload(teacher_api, session, class_picture[0]).status_code == 409
    open_session = open_session_of(course)
    assert upload(other_teacher_api, open_session, class_picture[0]).status_code == 404
    assert (
        other_teacher_api.get(f"/api/sessions/{open_session.pk}/class-photos/1/").status_code == 404
    )


@pytest.mark.parametrize("value", ["abc", "5", "100000"])
def test_check_in_refuses_a_bad_min_face_px(teacher_api, course, shared_faces, value):
    session = open_session_of(course)
    with (shared_faces / "probe" / "obama1.jpg").open("rb") as handle:
        answer = teacher_api.post(
            f"/api/sessions/{session.pk}/checkin/",
            {"image": handle, "min_face_px": value},
            format="multipart",
        )
    assert answer.status_code == 400
    assert "min_face_px" in answer.json()


@pytest.mark.worker
def test_the_class_photo_journey_through_a_real_worker(real_worker, teacher, class_picture):
    api = client_for(teacher)
    course = CourseFactory(teachers=[teacher], name="Year 10")
    enroll_class(course)
    session = open_session_of(course)
    started = time.monotonic()
    check_the_journey(api, session, class_picture)
    assert time.monotonic() - started < 60


@pytest.mark.real_faces  # a crowd made here, not one of the recorded sample photos
def test_a_photo_of_more_faces_than_the_cap_identifies_the_largest_and_says_so(
    teacher_api, course, settings
):
    from tests.reliability.crowd import crowd_jpeg

    settings.CLASS_PHOTO_MAX_FACES = 3
    session = open_session_of(course)
    answer = upload(teacher_api, session, crowd_jpeg(8))  # 8 faces, the first largest
    body = wait_until_processed(teacher_api, session, answer.json()["id"])
    assert body["status"] == "done" and body["found"] == 3
    assert body["faces_capped_at"] == 3
    widths = sorted(face["box"]["right"] - face["box"]["left"] for face in body["faces"])
    every = faces.find_faces(faces.load_image(crowd_jpeg(8)))
    assert widths == sorted(face.box.width for face in every)[-3:]
    settings.CLASS_PHOTO_MAX_FACES = 8
    answer = upload(teacher_api, session, crowd_jpeg(8))
    body = wait_until_processed(teacher_api, session, answer.json()["id"])
    assert body["found"] == 8 and body["faces_capped_at"] is None
