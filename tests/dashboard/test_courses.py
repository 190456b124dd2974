"""The course pages: creating a course, the roster, consent, photo uploads and their status."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from people.models import Course, CourseClassifier, EnrollmentPhoto, Person
from tests.dashboard.conftest import png_bytes
from tests.factories import CourseFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_encoding(monkeypatch):
    """Uploads stay pending: these tests are about the pages, not about dlib."""
    queued = []
    monkeypatch.setattr("people.services.queue_encoding", queued.append)
    return queued


def upload(name="face.png", data=None):
    return SimpleUploadedFile(name, data or png_bytes(), content_type="image/png")


def test_home_lists_the_teachers_courses_and_offers_to_create_one(teacher_client, course):
    page = teacher_client.get(reverse("dashboard:home")).content.decode()
    assert "Mathematics 1" in page
    assert "2 students" in page
    assert 'name="name"' in page


def test_creating_a_course_makes_the_teacher_its_teacher(teacher_client, teacher):
    response = teacher_client.post(reverse("dashboard:course-create"), {"name": "Physics"})
    course = Course.objects.get(name="Physics")
    assert response.url == reverse("dashboard:course", args=[course.pk])
    assert list(course.teachers.all()) == [teacher]


def test_a_course_needs_a_name(teacher_client):
    response = teacher_client.post(reverse("dashboard:course-create"), {"name": ""})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    assert not Course.objects.exists()


def test_the_course_page_shows_photos_with_status_and_rejection_reason(
    teacher_client, course, photo
):
    page = teacher_client.get(reverse("dashboard:course", args=[course.pk])).content.decode()
    assert "Ada Lovelace" in page and "Alan Turing" in page
    assert reverse("people:photo-image", args=[photo.pk]) in page
    assert "Rejected" in page
    assert "No face was found in this photo." in page


def test_the_course_page_shows_the_classifier_state(teacher_client, course):
    url = reverse("dashboard:course", args=[course.pk])
    assert "No photos ready yet" in teacher_client.get(url).content.decode()
    CourseClassifier.objects.update_or_create(
        course=course,
        defaults={"version": 3, "trained_at": timezone.now(), "people_count": 2, "photos_count": 5},
    )
    page = teacher_client.get(url).content.decode()
    assert "5 photos" in page and "2 students" in page


def test_adding_a_student_creates_them_on_the_roster(teacher_client, teacher, course):
    data = {"full_name": "Grace Hopper", "external_id": "S003", "consent_recorded_on": "2025-09-01"}
    teacher_client.post(reverse("dashboard:student-add", args=[course.pk]), data)
    grace = Person.objects.get(external_id="S003")
    assert grace.created_by == teacher
    assert str(grace.consent_recorded_on) == "2025-09-01"
    assert course.roster.filter(pk=grace.pk).exists()


def test_a_student_number_of_another_teachers_student_is_refused(teacher_client, course):
    CourseFactory(roster=[PersonFactory(external_id="S777", full_name="Someone Else")])
    data = {"full_name": "Grace Hopper", "external_id": "S777"}
    response = teacher_client.post(reverse("dashboard:student-add", args=[course.pk]), data)
    assert response.status_code == 400
    assert "belongs to a student of another teacher" in response.content.decode()
    assert course.roster.count() == 2


def test_a_student_the_teacher_created_is_added_back_not_duplicated(
    teacher_client, teacher, course, ada
):
    ada.created_by = teacher
    ada.save()
    course.roster.remove(ada)
    data = {"full_name": "Ada L.", "external_id": ada.external_id}
    teacher_client.post(reverse("dashboard:student-add", args=[course.pk]), data)
    assert course.roster.filter(pk=ada.pk).exists()
    assert Person.objects.filter(external_id=ada.external_id).count() == 1


def test_removing_a_student_keeps_the_person(teacher_client, course, ada):
    teacher_client.post(reverse("dashboard:student-remove", args=[course.pk, ada.pk]))
    assert not course.roster.filter(pk=ada.pk).exists()
    assert Person.objects.filter(pk=ada.pk).exists()


def test_recording_consent_stores_the_date(teacher_client, course, ada):
    url = reverse("dashboard:student-consent", args=[course.pk, ada.pk])
    teacher_client.post(url, {"consent_recorded_on": "2025-09-02"})
    ada.refresh_from_db()
    assert str(ada.consent_recorded_on) == "2025-09-02"


def test_photos_are_refused_until_consent_is_recorded(teacher_client, course, ada, no_encoding):
    url = reverse("dashboard:student-photos", args=[course.pk, ada.pk])
    response = teacher_client.post(url, {"images": [upload()]}, follow=True)
    assert "consent to face recognition before adding photos" in response.content.decode()
    assert not EnrollmentPhoto.objects.exists()


def test_several_photos_are_uploaded_at_once_and_queued(teacher_client, course, ada, no_encoding):
    ada.consent_recorded_on = timezone.localdate()
    ada.save()
    url = reverse("dashboard:student-photos", args=[course.pk, ada.pk])
    response = teacher_client.post(url, {"images": [upload("a.png"), upload("b.png")]}, follow=True)
    assert "2 photos of Ada Lovelace added" in response.content.decode()
    photos = EnrollmentPhoto.objects.filter(person=ada)
    assert photos.count() == 2
    assert sorted(no_encoding) == sorted(photos.values_list("pk", flat=True))


def test_the_webcam_upload_answers_json(teacher_client, course, ada, no_encoding):
    ada.consent_recorded_on = timezone.localdate()
    ada.save()
    url = reverse("dashboard:student-photos", args=[course.pk, ada.pk])
    response = teacher_client.post(
        url, {"images": [upload("webcam.jpg")]}, headers={"accept": "application/json"}
    )
    assert response.status_code == 202
    assert response.json()["photos"][0]["status"] == "pending"


def test_an_empty_file_is_refused_with_its_name(teacher_client, course, ada, no_encoding):
    ada.consent_recorded_on = timezone.localdate()
    ada.save()
    url = reverse("dashboard:student-photos", args=[course.pk, ada.pk])
    empty = SimpleUploadedFile("empty.jpg", b"", content_type="image/jpeg")
    response = teacher_client.post(url, {"images": [empty]}, headers={"accept": "application/json"})
    assert response.status_code == 400
    assert response.json()["errors"][0].startswith("empty.jpg:")


def test_the_status_json_reports_photo_progress_for_polling(teacher_client, course, photo, ada):
    pending = EnrollmentPhoto(person=ada)
    pending.image.save("p.png", SimpleUploadedFile("p.png", png_bytes()), save=True)
    data = teacher_client.get(reverse("dashboard:course-status", args=[course.pk])).json()
    assert data["busy"] is True
    ada_row = next(student for student in data["students"] if student["id"] == ada.pk)
    assert {p["status"] for p in ada_row["photos"]} == {"pending", "rejected"}
    assert "No face was found" in ada_row["html"]
    pending.status = EnrollmentPhoto.Status.READY
    pending.save()
    data = teacher_client.get(reverse("dashboard:course-status", args=[course.pk])).json()
    assert data["busy"] is False


def test_a_teacher_can_delete_a_rejected_photo(teacher_client, course, photo):
    url = reverse("dashboard:photo-delete", args=[course.pk, photo.pk])
    response = teacher_client.post(url, follow=True)
    assert "A photo of Ada Lovelace was deleted" in response.content.decode()
    assert not EnrollmentPhoto.objects.exists()
