"""Accounts (password change, inviting teachers, the login warning and the lockout
page) and time zones (school zone at first run, a teacher's own zone for pages and inputs)."""

import re
from datetime import UTC
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse

from attendance.models import AttendanceSession
from people import time_zones
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _forget_the_school_zone():
    """The zone is cached; the rows of one test are rolled back before the next."""
    cache.delete(time_zones.CACHE_KEY)
    yield
    cache.delete(time_zones.CACHE_KEY)


def test_a_teacher_changes_their_password(teacher_client, teacher):
    response = teacher_client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a much longer secret 42",
            "new_password2": "a much longer secret 42",
        },
    )
    assert response.url == reverse("password_change_done")
    teacher.refresh_from_db()
    assert teacher.check_password("a much longer secret 42")


def test_a_superuser_invites_a_teacher_who_sets_a_password_from_the_email(
    client, superuser, django_capture_on_commit_callbacks
):
    client.force_login(superuser)
    data = {"full_name": "Grace Hopper", "username": "ghopper", "email": "grace@school.example"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("dashboard:teacher-invite"), data)
    assert response.status_code == 302
    user = get_user_model().objects.get(username="ghopper")
    assert not user.has_usable_password() and user.first_name == "Grace"
    (message,) = mail.outbox
    assert message.to == ["grace@school.example"]
    link = re.search(r"http://testserver(/accounts/reset/\S+)", message.body).group(1)
    client.logout()
    form_page = client.get(link, follow=True)
    assert "new_password1" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    secret = "a much longer secret 42"
    client.post(set_url, {"new_password1": secret, "new_password2": secret})
    user.refresh_from_db()
    assert user.check_password(secret)


def test_teachers_cannot_invite(teacher_client):
    assert teacher_client.get(reverse("dashboard:teacher-invite")).status_code == 403


def test_staff_without_the_add_user_permission_cannot_invite(client, plain_staff):
    client.force_login(plain_staff)
    data = {"full_name": "Grace Hopper", "username": "ghopper", "email": "grace@school.example"}
    assert client.post(reverse("dashboard:teacher-invite"), data).status_code == 403
    assert not get_user_model().objects.filter(username="ghopper").exists()
    assert "Add a teacher" not in client.get(reverse("dashboard:home")).content.decode()


def test_the_add_user_permission_invites_without_being_a_superuser(client, plain_staff):
    plain_staff.user_permissions.add(Permission.objects.get(codename="add_user"))
    client.force_login(plain_staff)
    assert "Add a teacher" in client.get(reverse("dashboard:home")).content.decode()
    data = {"full_name": "Grace Hopper", "username": "ghopper", "email": "grace@school.example"}
    assert client.post(reverse("dashboard:teacher-invite"), data).status_code == 302
    assert get_user_model().objects.filter(username="ghopper").exists()


def test_the_login_page_warns_after_three_failures_then_shows_the_lockout(
    client, teacher, settings
):
    pages = [
        client.post(reverse("login"), {"username": "teacher", "password": f"x{n}"})
        for n in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert "failed attempts" not in pages[1].content.decode()
    assert "3 failed attempts. After 2 more" in pages[2].content.decode()
    locked = pages[-1]
    assert locked.status_code == 429
    text = locked.content.decode()
    assert "Logging in is locked for now" in text and "15 minutes" in text


def test_first_run_sets_the_school_time_zone():
    call_command(
        "ensure_first_teacher", "--no-input", "--time-zone", "Europe/Berlin", stdout=StringIO()
    )
    assert time_zones.school_time_zone() == "Europe/Berlin"


def test_an_unknown_zone_is_refused():
    with pytest.raises(Exception, match="not a time zone"):
        call_command(
            "ensure_first_teacher", "--no-input", "--time-zone", "Mars/Base", stdout=StringIO()
        )


def test_datetime_inputs_are_read_in_the_teachers_zone(teacher_client, teacher, course):
    teacher_client.post(reverse("dashboard:account"), {"time_zone": "America/New_York"})
    data = {"starts_at": "2030-01-07T09:00", "ends_at": "2030-01-07T10:00", "late_after_minutes": 5}
    teacher_client.post(reverse("dashboard:session-create", args=[course.pk]), data)
    session = AttendanceSession.objects.get(course=course)
    assert session.starts_at.astimezone(UTC).hour == 14  # 09:00 EST = 14:00 UTC
    page = teacher_client.get(reverse("dashboard:session", args=[session.pk])).content.decode()
    assert "09:00" in page and "EST" in page


def test_pages_follow_the_school_zone_by_default(teacher_client, course):
    time_zones.set_school_time_zone("Asia/Tokyo")
    page = teacher_client.get(reverse("dashboard:account")).content.decode()
    assert "Asia/Tokyo" in page and "JST" in page


def test_staff_resend_a_lost_invitation_until_the_password_is_set(
    client, superuser, django_capture_on_commit_callbacks
):
    client.force_login(superuser)
    data = {"full_name": "Grace Hopper", "username": "ghopper", "email": "grace@school.example"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("dashboard:teacher-invite"), data)
    user = get_user_model().objects.get(username="ghopper")
    page = client.get(reverse("dashboard:teacher-invite")).content.decode()
    assert "Invitations not accepted yet" in page and "grace@school.example" in page
    mail.outbox.clear()
    resend = reverse("dashboard:teacher-resend-invitation", args=[user.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(resend).status_code == 302
    (message,) = mail.outbox
    assert message.to == ["grace@school.example"] and "/accounts/reset/" in message.body
    user.set_password("a much longer secret 42")
    user.save()
    assert client.post(resend).status_code == 404  # accepted: a password reset now
    assert (
        "Invitations not accepted yet"
        not in client.get(reverse("dashboard:teacher-invite")).content.decode()
    )
