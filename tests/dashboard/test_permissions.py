"""Every dashboard URL × who asks: the course's teacher, another teacher, a staff user who is
not a superuser (without and with `people.see_everyone`), nobody.

Another teacher gets 404 (not 403: a page must not confirm that a course exists), and so does
plain staff: `is_staff` opens the admin site, nothing more. Anonymous visitors are sent to
the login page.
"""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from attendance.models import AttendanceRecord
from people.models import EnrollmentPhoto

pytestmark = pytest.mark.django_db

PAGES = [
    ("dashboard:course", "course"),
    ("dashboard:course-status", "course"),
    ("dashboard:report", "course"),
    ("dashboard:report-csv", "course"),
    ("dashboard:session", "session"),
    ("dashboard:session-status", "session"),
    ("people:photo-image", "photo"),
]

ACTIONS = [
    ("dashboard:student-add", "course", {"full_name": "Eve", "external_id": "S999"}),
    ("dashboard:session-create", "course", {"starts_at": "2030-01-01T09:00"}),
    ("dashboard:session-open", "session", {}),
    ("dashboard:session-close", "session", {}),
    ("dashboard:session-set-status", "session", {"person": "{ada}", "status": "excused"}),
    ("dashboard:kiosk-rotate", "session", {}),
]

PERSON_ACTIONS = [
    ("dashboard:student-remove", {}),
    ("dashboard:student-consent", {"consent_recorded_on": "2030-01-01"}),
    ("dashboard:student-photos", {}),
]


@pytest.fixture
def objects(course, session, photo, ada):
    return {"course": course, "session": session, "photo": photo, "ada": ada}


def url_of(name, objects, kind):
    return reverse(name, args=[objects[kind].pk])


def fill(data, objects):
    return {key: value.format(ada=objects["ada"].pk) for key, value in data.items()}


@pytest.mark.parametrize(("name", "kind"), PAGES)
def test_the_courses_teacher_can_open_every_page(teacher_client, objects, name, kind):
    response = teacher_client.get(url_of(name, objects, kind))
    response.close()  # the photo is a streamed file
    assert response.status_code == 200


@pytest.mark.parametrize(("name", "kind"), PAGES)
def test_another_teacher_gets_404_for_every_page(other_client, objects, name, kind):
    assert other_client.get(url_of(name, objects, kind)).status_code == 404


@pytest.fixture
def staff_client(client, plain_staff):
    client.force_login(plain_staff)
    return client


@pytest.fixture
def see_everyone_client(client, plain_staff):
    plain_staff.user_permissions.add(Permission.objects.get(codename="see_everyone"))
    client.force_login(plain_staff)
    return client


@pytest.mark.parametrize(("name", "kind"), PAGES)
def test_staff_without_permissions_get_404_for_every_page(staff_client, objects, name, kind):
    assert staff_client.get(url_of(name, objects, kind)).status_code == 404


@pytest.mark.parametrize(("name", "kind"), PAGES)
def test_staff_who_see_everyone_open_every_page(see_everyone_client, objects, name, kind):
    response = see_everyone_client.get(url_of(name, objects, kind))
    response.close()
    assert response.status_code == 200


@pytest.mark.parametrize(("name", "kind", "data"), ACTIONS)
def test_staff_without_permissions_cannot_act_on_the_course(
    staff_client, objects, name, kind, data
):
    assert staff_client.post(url_of(name, objects, kind), fill(data, objects)).status_code == 404


@pytest.mark.parametrize(("name", "data"), PERSON_ACTIONS)
def test_staff_without_permissions_cannot_change_the_roster(staff_client, objects, name, data):
    url = reverse(name, args=[objects["course"].pk, objects["ada"].pk])
    assert staff_client.post(url, data).status_code == 404
    assert objects["course"].roster.filter(pk=objects["ada"].pk).exists()


@pytest.mark.parametrize(("name", "kind"), PAGES)
def test_an_anonymous_visitor_is_sent_to_log_in(client, objects, name, kind):
    url = url_of(name, objects, kind)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login") + "?next=")


@pytest.mark.parametrize(("name", "kind", "data"), ACTIONS)
def test_another_teacher_cannot_act_on_the_course(other_client, objects, name, kind, data):
    response = other_client.post(url_of(name, objects, kind), fill(data, objects))
    assert response.status_code == 404


@pytest.mark.parametrize(("name", "data"), PERSON_ACTIONS)
def test_another_teacher_cannot_change_the_roster(other_client, objects, name, data):
    url = reverse(name, args=[objects["course"].pk, objects["ada"].pk])
    assert other_client.post(url, data).status_code == 404
    assert objects["course"].roster.filter(pk=objects["ada"].pk).exists()


@pytest.mark.parametrize(("name", "kind", "data"), ACTIONS)
def test_an_anonymous_visitor_cannot_act(client, objects, name, kind, data):
    response = client.post(url_of(name, objects, kind), fill(data, objects))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_nothing_changed_after_the_refused_actions(other_client, objects):
    for name, kind, data in ACTIONS:
        other_client.post(url_of(name, objects, kind), fill(data, objects))
    objects["session"].refresh_from_db()
    assert objects["session"].opened_at is None and objects["session"].closed_at is None
    assert not AttendanceRecord.objects.exists()
    assert objects["course"].sessions.count() == 1
    assert EnrollmentPhoto.objects.count() == 1


def test_the_home_page_lists_only_the_teachers_own_courses(other_client, course):
    page = other_client.get(reverse("dashboard:home")).content.decode()
    assert course.name not in page


def test_another_teacher_cannot_see_the_kiosk_link(other_client, session):
    response = other_client.get(reverse("dashboard:session", args=[session.pk]))
    assert session.kiosk_token not in response.content.decode()


def test_a_teacher_cannot_upload_photos_of_a_student_of_another_course(
    teacher_client, teacher, course
):
    from tests.factories import CourseFactory, PersonFactory

    stranger = PersonFactory()
    CourseFactory(roster=[stranger])
    url = reverse("dashboard:student-photos", args=[course.pk, stranger.pk])
    assert teacher_client.post(url, {}).status_code == 404


def test_another_teacher_cannot_delete_a_photo(other_client, course, photo):
    url = reverse("dashboard:photo-delete", args=[course.pk, photo.pk])
    assert other_client.post(url).status_code == 404
    assert EnrollmentPhoto.objects.filter(pk=photo.pk).exists()
