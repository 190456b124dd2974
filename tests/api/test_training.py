"""Training: coalesced bursts, classifier versions, and retraining after deletions."""

import time

import pytest

from people import model_cache
from people.models import CourseClassifier, EnrollmentPhoto
from people.training import pending_since
from recognition import faces
from tests.api.conftest import enroll_from_samples, open_session_of
from tests.api.test_enrollment_journey import upload
from tests.factories import CourseFactory, PersonFactory

ENCODER = faces.FaceConfig.from_settings().encoder_name


def wait_for(condition, timeout=90, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {message}")


@pytest.mark.worker
def test_a_burst_of_ten_uploads_trains_the_course_at_most_twice(
    real_worker, teacher, teacher_api, shared_faces
):
    people = [PersonFactory(created_by=teacher) for _ in range(5)]
    course = CourseFactory(teachers=[teacher], roster=people)
    wait_for(
        lambda: (
            CourseClassifier.objects.filter(course=course).exists()
            and pending_since(course.pk) is None
        ),
        message="the roster's initial training",
    )
    before = CourseClassifier.objects.get(course=course).version
    images = sorted((shared_faces / "enroll").glob("*/*"))[:9] + [
        shared_faces / "enroll" / "obama" / "obama.jpg"
    ]
    # each photo to its own person: another person's face would be held for review
    owner = dict(zip(sorted({path.parent.name for path in images}), people, strict=True))
    for path in images:
        assert upload(teacher_api, owner[path.parent.name].pk, path).status_code == 202

    def settled():
        photos_done = not EnrollmentPhoto.objects.filter(
            person__in=people, status__in=["pending", "processing"]
        ).exists()
        row = CourseClassifier.objects.get(course=course)
        return photos_done and pending_since(course.pk) is None and row.photos_count == 10

    wait_for(settled, message="all photos encoded and the course trained")
    time.sleep(4)  # a third training, if one were queued, would have run by now
    after = CourseClassifier.objects.get(course=course)
    assert 1 <= after.version - before <= 2
    assert after.photos_count == 10


@pytest.mark.django_db
def test_the_check_in_path_sees_a_new_version_once_training_is_done(
    teacher, sample_encodings, shared_faces
):
    course = CourseFactory(teachers=[teacher])
    enroll_from_samples(course, ["obama"], sample_encodings, shared_faces)
    version, model = model_cache.current_model(course.pk, encoder=ENCODER)
    assert list(model.person_ids) == [course.roster.get().pk]
    enroll_from_samples(course, ["biden"], sample_encodings, shared_faces)
    new_version, new_model = model_cache.current_model(course.pk, encoder=ENCODER)
    assert new_version > version
    assert len(new_model.person_ids) == 2
    assert (
        model_cache.current_model(course.pk, encoder=ENCODER)[1] is new_model
    )  # cached until the next version


@pytest.mark.django_db(transaction=True)
def test_deleting_a_person_removes_their_files_and_encodings_and_retrains(
    teacher, teacher_api, sample_encodings, shared_faces, media_root
):
    course = CourseFactory(teachers=[teacher])
    people = enroll_from_samples(course, ["obama", "biden"], sample_encodings, shared_faces)
    obama = people["obama"]
    files = [media_root / photo.image.name for photo in obama.photos.all()]
    assert files and all(path.exists() for path in files)
    before = CourseClassifier.objects.get(course=course)

    response = teacher_api.delete(f"/api/people/{obama.pk}/")

    assert response.status_code == 204
    assert not any(path.exists() for path in files)
    assert not EnrollmentPhoto.objects.filter(person_id=obama.pk).exists()
    after = CourseClassifier.objects.get(course=course)
    assert after.version > before.version
    assert after.people_count == 1
    assert obama.pk not in model_cache.current_model(course.pk, encoder=ENCODER)[1].person_ids


@pytest.mark.django_db(transaction=True)
def test_deleting_a_photo_removes_its_file_and_retrains(
    teacher, teacher_api, sample_encodings, shared_faces, media_root
):
    course = CourseFactory(teachers=[teacher])
    enroll_from_samples(course, ["obama", "biden"], sample_encodings, shared_faces)
    photo = EnrollmentPhoto.objects.filter(person__external_id="biden").first()
    path = media_root / photo.image.name
    before = CourseClassifier.objects.get(course=course).photos_count

    assert teacher_api.delete(f"/api/photos/{photo.pk}/").status_code == 204

    assert not path.exists()
    assert CourseClassifier.objects.get(course=course).photos_count == before - 1


@pytest.mark.django_db
def test_a_course_of_one_person_falls_back_to_distance(
    teacher, teacher_api, sample_encodings, shared_faces
):
    course = CourseFactory(teachers=[teacher])
    enroll_from_samples(course, ["obama"], sample_encodings, shared_faces)
    session = open_session_of(course)
    for name, expected in [("obama1.jpg", "Obama"), ("lin-manuel-miranda.png", None)]:
        with (shared_faces / "probe" / name).open("rb") as handle:
            faces = teacher_api.post(
                f"/api/sessions/{session.pk}/checkin/", {"image": handle}, format="multipart"
            ).json()["faces"]
        assert [face["person"] and face["person"]["full_name"] for face in faces] == [expected]
