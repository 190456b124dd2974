"""Who sees and changes whom."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from rest_framework.test import APIClient

from people.models import EnrollmentPhoto, Person
from tests.factories import CourseFactory, PersonFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_creating_a_student_grants_no_access_once_they_moved_to_another_teachers_course(
    teacher, other_teacher
):
    person = PersonFactory(created_by=teacher)
    mine = CourseFactory(teachers=[teacher], roster=[person])
    assert api_as(teacher).get(f"/api/people/{person.pk}/").status_code == 200
    mine.roster.remove(person)
    CourseFactory(teachers=[other_teacher], roster=[person])
    assert api_as(teacher).get(f"/api/people/{person.pk}/").status_code == 404


def test_a_student_not_on_any_course_yet_is_seen_by_their_creator(teacher):
    person = api_as(teacher).post(
        "/api/people/", {"full_name": "New Kid", "external_id": "N-1"}, format="json"
    )
    assert api_as(teacher).get(f"/api/people/{person.json()['id']}/").status_code == 200


def test_a_shared_student_is_changed_only_by_an_administrator_and_deleted_only_from_mine(
    teacher, other_teacher
):
    person = PersonFactory(created_by=teacher, full_name="Shared Student")
    mine = CourseFactory(teachers=[teacher], roster=[person])
    theirs = CourseFactory(teachers=[other_teacher], roster=[person])
    api = api_as(teacher)
    renamed = api.patch(f"/api/people/{person.pk}/", {"full_name": "Renamed"}, format="json")
    assert renamed.status_code == 403
    assert api.delete(f"/api/people/{person.pk}/").status_code == 204
    person.refresh_from_db()
    assert person.full_name == "Shared Student"
    assert list(person.courses.all()) == [theirs]
    assert mine not in person.courses.all()


@pytest.fixture
def world(teacher, shared_faces):
    person = PersonFactory(created_by=teacher)
    course = CourseFactory(teachers=[teacher], roster=[person])
    photo = EnrollmentPhoto(person=person)
    photo.image.save("face.jpg", ContentFile((shared_faces / "probe/obama1.jpg").read_bytes()))
    return {"person": person, "photo": photo, "session": SessionFactory(course=course)}


def test_staff_without_permissions_cannot_reach_students_photos_or_kiosk_links(world, client):
    staff_only = UserFactory(username="helpdesk", is_staff=True)
    api = api_as(staff_only)
    assert api.get(f"/api/people/{world['person'].pk}/").status_code == 404
    assert api.delete(f"/api/people/{world['person'].pk}/").status_code == 404
    rotate = f"/api/sessions/{world['session'].pk}/rotate-kiosk-token/"
    assert api.post(rotate).status_code == 404
    client.force_login(staff_only)
    assert client.get(f"/photos/{world['photo'].pk}/image").status_code == 404
    assert Person.objects.filter(pk=world["person"].pk).exists()


def test_the_explicit_permission_sees_everything(world):
    registrar = UserFactory(username="registrar")
    registrar.user_permissions.add(Permission.objects.get(codename="see_everyone"))
    assert api_as(registrar).get(f"/api/people/{world['person'].pk}/").status_code == 200
