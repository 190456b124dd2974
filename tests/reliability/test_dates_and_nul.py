"""Dates that overflow and NUL bytes: refused with 400, or 404,
in every entry point, never accepted and then a 500 on every later page or check-in."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from attendance.models import AttendanceSession
from tests.factories import CourseFactory, PersonFactory, SessionFactory


@pytest.fixture
def api(teacher):
    client = APIClient()
    client.force_authenticate(teacher)
    return client


@pytest.fixture
def course(teacher):
    return CourseFactory(teachers=[teacher])


def session_payload(course, starts, ends, late=10) -> dict:
    return {
        "course": course.pk,
        "starts_at": starts.isoformat(),
        "ends_at": ends.isoformat(),
        "late_after_minutes": late,
    }


FAR = datetime(9999, 12, 31, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("starts", "ends", "late", "field"),
    [
        (FAR, FAR + timedelta(minutes=50), 10, "starts_at"),
        (timezone.now(), timezone.now() + timedelta(days=3), 10, "ends_at"),
        (timezone.now(), timezone.now() + timedelta(minutes=45), 60, "late_after_minutes"),
    ],
    ids=["year-9999", "three-days-long", "late-after-the-end"],
)
def test_the_api_refuses_session_times_out_of_range(db, api, course, starts, ends, late, field):
    response = api.post(
        "/api/sessions/", session_payload(course, starts, ends, late), format="json"
    )
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not AttendanceSession.objects.exists()


def test_the_dashboard_refuses_a_session_in_year_9999(db, teacher, course):
    client = Client()
    client.force_login(teacher)
    data = {"starts_at": "9999-12-31T08:00", "ends_at": "9999-12-31T09:00", "late_after_minutes": 5}
    response = client.post(f"/courses/{course.pk}/sessions/", data)
    assert response.status_code == 400
    assert "within 5 years" in response.content.decode()
    assert not AttendanceSession.objects.exists()


def test_a_consent_date_in_the_future_is_refused(db, api, teacher):
    person = PersonFactory(created_by=teacher, consent_recorded_on=None)
    future = (timezone.localdate() + timedelta(days=30)).isoformat()
    response = api.patch(
        f"/api/people/{person.pk}/", {"consent_recorded_on": future}, format="json"
    )
    assert response.status_code == 400
    assert "future" in str(response.json())
    person.refresh_from_db()
    assert person.consent_recorded_on is None


@pytest.mark.parametrize(
    "path", ["/kiosk/abc%00def/", "/kiosk/x/?next=%00", "/api/people/?search=%00"]
)
def test_a_nul_byte_in_the_url_answers_400(db, teacher, path):
    client = Client()
    client.force_login(teacher)
    assert client.get(path).status_code == 400


def test_a_nul_byte_in_the_kiosk_credential_answers_4xx(db):
    session = SessionFactory()
    response = Client().post(
        f"/api/sessions/{session.pk}/checkin/", HTTP_AUTHORIZATION="Kiosk abc\x00def"
    )
    assert response.status_code == 400


@pytest.mark.parametrize("year", ["9999", "99999", "0"])
def test_the_admin_date_hierarchy_refuses_years_that_overflow(db, superuser, year):
    client = Client()
    client.force_login(superuser)
    response = client.get(f"/admin/attendance/attendancesession/?starts_at__year={year}")
    assert response.status_code in (302, 400)
