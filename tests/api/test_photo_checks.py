"""Wrong-photo and duplicate-face checks when a photo is encoded (real dlib, real photos)."""

from pathlib import Path

import pytest
from django.utils import timezone

from people.models import CourseClassifier, EnrollmentPhoto, Person
from tests.api.conftest import client_for, enroll_from_samples
from tests.factories import CourseFactory

pytestmark = pytest.mark.django_db
NEEDS_REVIEW = EnrollmentPhoto.Status.NEEDS_REVIEW


@pytest.fixture
def course(teacher, sample_encodings, shared_faces):
    course = CourseFactory(teachers=[teacher], name="Drama")
    enroll_from_samples(
        course, ["obama", "kit_harington", "rose_leslie"], sample_encodings, shared_faces
    )
    Person.objects.filter(external_id="obama").update(full_name="Barack Obama", external_id="S001")
    return course


@pytest.fixture
def upload(teacher_api, django_capture_on_commit_callbacks):
    def send(person: Person, path: Path) -> EnrollmentPhoto:
        with django_capture_on_commit_callbacks(execute=True), path.open("rb") as handle:
            response = teacher_api.post(
                f"/api/people/{person.pk}/photos/", {"image": handle}, format="multipart"
            )
        assert response.status_code == 202, response.content
        return EnrollmentPhoto.objects.get(pk=response.json()["id"])

    return send


def new_student(course, teacher, name: str, number: str) -> Person:
    person = Person.objects.create(
        full_name=name,
        external_id=number,
        consent_recorded_on=timezone.localdate(),
        created_by=teacher,
    )
    course.roster.add(person)
    return person


def test_obama_uploaded_to_kit_harington_waits_for_review(course, upload, shared_faces):
    kit = Person.objects.get(external_id="kit_harington")
    version = CourseClassifier.objects.get(course=course).version
    photo = upload(kit, shared_faces / "enroll" / "obama" / "obama.jpg")
    photo.refresh_from_db()
    assert photo.status == NEEDS_REVIEW
    assert "looks like Barack Obama (S001)" in photo.review_reason
    assert "may not be Kit Harington" in photo.review_reason
    # not trained on until kept
    classifier = CourseClassifier.objects.get(course=course)
    assert (classifier.version, classifier.photos_count) == (version, 6)


def test_a_second_photo_of_the_same_person_is_ready_without_review(
    course, upload, shared_faces, sample_encodings
):
    rose = Person.objects.get(external_id="rose_leslie")
    rose.photos.all().delete()
    first = upload(rose, shared_faces / "enroll" / "rose_leslie" / "img1.jpg")
    second = upload(rose, shared_faces / "enroll" / "rose_leslie" / "img2.jpg")
    for photo in (first, second):
        photo.refresh_from_db()
        assert (photo.status, photo.review_reason) == ("ready", "")


def test_one_student_enrolled_under_two_names_is_caught(course, teacher, upload, shared_faces):
    proxy = new_student(course, teacher, "Barry Soetoro", "S999")
    photo = upload(proxy, shared_faces / "enroll" / "obama" / "obama2.jpg")
    photo.refresh_from_db()
    assert photo.status == NEEDS_REVIEW
    assert photo.review_reason == "This photo looks like Barack Obama (S001)."
    assert photo.looks_like == Person.objects.get(external_id="S001")  # shown side by side


def test_a_photo_unlike_the_persons_own_photos_is_held(course, teacher, upload, shared_faces):
    student = new_student(course, teacher, "Alex Lacamoire", "S100")
    upload(student, shared_faces / "enroll" / "alex_lacamoire" / "img1.jpg")
    photo = upload(student, shared_faces / "enroll" / "biden" / "biden.jpg")
    photo.refresh_from_db()
    assert photo.status == NEEDS_REVIEW
    assert photo.review_reason == "This may not be Alex Lacamoire: it is unlike their other photos."


def test_the_teacher_keeps_a_held_photo_and_the_course_retrains(
    course, teacher_api, upload, shared_faces, django_capture_on_commit_callbacks
):
    kit = Person.objects.get(external_id="kit_harington")
    photo = upload(kit, shared_faces / "enroll" / "obama" / "obama.jpg")
    with django_capture_on_commit_callbacks(execute=True):
        response = teacher_api.post(f"/api/photos/{photo.pk}/keep/")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "ready" and response.json()["review_reason"] == ""
    assert CourseClassifier.objects.get(course=course).photos_count == 7
    # kept once: encoding it again does not hold it again
    from people.services import reencode_photos

    with django_capture_on_commit_callbacks(execute=True):
        reencode_photos(photo_ids=[photo.pk])
    photo.refresh_from_db()
    assert photo.status == "ready"
    again = teacher_api.post(f"/api/photos/{photo.pk}/keep/")
    assert again.status_code == 409


def test_another_teacher_cannot_keep_a_photo(course, other_teacher, upload, shared_faces):
    kit = Person.objects.get(external_id="kit_harington")
    photo = upload(kit, shared_faces / "enroll" / "obama" / "obama.jpg")
    assert client_for(other_teacher).post(f"/api/photos/{photo.pk}/keep/").status_code == 404
    photo.refresh_from_db()
    assert photo.status == NEEDS_REVIEW


def test_a_held_photo_does_not_keep_training_waiting(course, upload, shared_faces):
    from people.training import encoding_in_progress

    kit = Person.objects.get(external_id="kit_harington")
    upload(kit, shared_faces / "enroll" / "obama" / "obama.jpg")
    assert not encoding_in_progress(course.pk)
