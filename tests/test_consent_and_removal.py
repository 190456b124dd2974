"""Consent withdrawal and removing a person go through one service each
(people.consent.withdraw_consent, people.services.remove_person), so the API, the dashboard
and the admin apply the same rules: a student shared with another teacher's course is changed
only by someone who sees everyone, and a withdrawn consent takes pending face crops with it."""

import datetime
import os

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from attendance.models import PendingReview
from people.models import EnrollmentPhoto, Person
from tests.factories import CourseFactory, PersonFactory, SessionFactory

pytestmark = pytest.mark.django_db
CONSENT = datetime.date(2026, 9, 1)


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def shared(teacher, other_teacher, shared_faces):
    """A student on a course of `teacher` (A) and one of `other_teacher` (B), with a photo."""
    person = PersonFactory(created_by=teacher, consent_recorded_on=CONSENT)
    course_a = CourseFactory(teachers=[teacher], roster=[person])
    course_b = CourseFactory(teachers=[other_teacher], roster=[person])
    photo = EnrollmentPhoto(person=person, status=EnrollmentPhoto.Status.READY)
    photo.image.save("face.jpg", ContentFile((shared_faces / "probe/obama1.jpg").read_bytes()))
    return {"person": person, "a": course_a, "b": course_b, "photo": photo}


def assert_untouched(shared):
    person = Person.objects.get(pk=shared["person"].pk)
    assert person.consent_recorded_on == CONSENT
    assert EnrollmentPhoto.objects.filter(pk=shared["photo"].pk).exists()
    assert os.path.exists(shared["photo"].image.path)


def test_the_api_refuses_another_teachers_withdrawal_of_a_shared_student(other_teacher, shared):
    url = f"/api/people/{shared['person'].pk}/"
    answer = api_as(other_teacher).patch(url, {"consent_recorded_on": None}, format="json")
    assert answer.status_code == 403
    assert_untouched(shared)


def test_the_dashboard_refuses_it_the_same_way(other_teacher, shared):
    client = logged_in(other_teacher)
    url = reverse("dashboard:student-consent-withdraw", args=[shared["b"].pk, shared["person"].pk])
    page = client.get(url)
    assert page.status_code == 403 and "ask an administrator" in page.content.decode()
    assert client.post(url).status_code == 403
    assert_untouched(shared)


def test_someone_who_sees_everyone_withdraws_a_shared_students_consent(superuser, shared):
    url = reverse("dashboard:student-consent-withdraw", args=[shared["b"].pk, shared["person"].pk])
    assert logged_in(superuser).post(url).status_code == 302
    assert Person.objects.get(pk=shared["person"].pk).consent_recorded_on is None
    assert not EnrollmentPhoto.objects.filter(person=shared["person"]).exists()


def test_a_student_of_mine_only_is_withdrawn_from_the_dashboard(teacher, shared):
    shared["b"].roster.remove(shared["person"])
    url = reverse("dashboard:student-consent-withdraw", args=[shared["a"].pk, shared["person"].pk])
    assert logged_in(teacher).post(url).status_code == 302
    assert Person.objects.get(pk=shared["person"].pk).consent_recorded_on is None


@pytest.fixture
def pending_review(teacher, shared_faces):
    person = PersonFactory(consent_recorded_on=CONSENT)
    session = SessionFactory(course=CourseFactory(teachers=[teacher], roster=[person]))
    review = PendingReview(session=session, candidate=person, distance=0.63)
    review.crop.save("face.jpg", ContentFile((shared_faces / "probe/obama1.jpg").read_bytes()))
    return review


def test_withdrawn_consent_deletes_pending_face_crops(
    teacher, pending_review, django_capture_on_commit_callbacks
):
    person, crop = pending_review.candidate, pending_review.crop.path
    api = api_as(teacher)
    assert api.get(f"/api/reviews/{pending_review.pk}/crop/").status_code == 200
    course = person.courses.get()
    url = reverse("dashboard:student-consent-withdraw", args=[course.pk, person.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert logged_in(teacher).post(url).status_code == 302
    assert not PendingReview.objects.filter(pk=pending_review.pk).exists()
    assert not os.path.exists(crop)
    assert api.get(f"/api/reviews/{pending_review.pk}/crop/").status_code == 404
    assert api.post(f"/api/reviews/{pending_review.pk}/confirm/").status_code == 404


def test_withdrawal_through_the_api_also_deletes_pending_crops(teacher, pending_review):
    url = f"/api/people/{pending_review.candidate.pk}/"
    answer = api_as(teacher).patch(url, {"consent_recorded_on": None}, format="json")
    assert answer.status_code == 200 and answer.json()["consent_recorded_on"] is None
    assert not PendingReview.objects.exists()


def test_removing_a_shared_student_takes_them_off_my_courses_only(teacher, shared):
    assert api_as(teacher).delete(f"/api/people/{shared['person'].pk}/").status_code == 204
    assert list(Person.objects.get(pk=shared["person"].pk).courses.all()) == [shared["b"]]


def test_removing_my_own_student_deletes_them_with_their_photos(teacher, shared):
    shared["b"].roster.remove(shared["person"])
    assert api_as(teacher).delete(f"/api/people/{shared['person'].pk}/").status_code == 204
    assert not Person.objects.filter(pk=shared["person"].pk).exists()
    assert not EnrollmentPhoto.objects.exists()
