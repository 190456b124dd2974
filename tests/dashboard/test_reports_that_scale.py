"""Reports: a date range, headers with date/time/title, late apart on the chart, students
under the threshold highlighted, and the export across courses for those who see everyone."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse

from attendance.models import AttendanceRecord
from tests.factories import CourseFactory, PersonFactory, SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def term(course, ada, alan):
    sessions = []
    for day, (ada_status, alan_status) in enumerate(
        [("present", "late"), ("absent", "present"), ("absent", "present")], start=1
    ):
        start = datetime(2030, 3, day, 9, 0, tzinfo=UTC)
        session = SessionFactory(
            course=course, title=f"Lesson {day}", starts_at=start,
            ends_at=start + timedelta(hours=1), opened_at=start,
        )  # fmt: skip
        for person, status in ((ada, ada_status), (alan, alan_status)):
            AttendanceRecord.objects.create(
                session=session, person=person, status=status, method="face"
            )
        sessions.append(session)
    return sessions


def test_headers_name_date_time_zone_and_title_and_low_rates_stand_out(
    teacher_client, course, term
):
    page = teacher_client.get(reverse("dashboard:report", args=[course.pk])).content.decode()
    assert "Fri 1 Mar" in page and "09:00 UTC" in page and "Lesson 1" in page
    assert 'class="is-below"' in page and "under 80%" in page  # Ada: 1 of 3
    assert "chart__late" in page and "100% (50% late)" in page


def test_a_date_range_limits_the_sessions_and_the_csv(teacher_client, course, term):
    url = reverse("dashboard:report", args=[course.pk])
    page = teacher_client.get(url, {"start": "2030-03-02", "end": "2030-03-03"}).content.decode()
    assert "Lesson 2" in page and "Lesson 1" not in page
    assert "report.csv?start=2030-03-02&amp;end=2030-03-03" in page
    response = teacher_client.get(
        reverse("dashboard:report-csv", args=[course.pk]), {"start": "2030-03-03"}
    )
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(body)))
    assert header[2:-4] == ["2030-03-03 09:00 UTC Lesson 3"]


def test_a_reversed_range_says_so(teacher_client, course, term):
    url = reverse("dashboard:report", args=[course.pk])
    page = teacher_client.get(url, {"start": "2030-03-03", "end": "2030-03-01"}).content.decode()
    assert "before its start" in page


def test_a_superuser_exports_every_course(client, superuser, course, term):
    other = CourseFactory(name="Physics", roster=[PersonFactory(external_id="P1")])
    session = SessionFactory(course=other, opened_at=datetime(2030, 3, 1, tzinfo=UTC))
    AttendanceRecord.objects.create(
        session=session, person=other.roster.get(), status="present", method="manual"
    )
    client.force_login(superuser)
    body = client.get(reverse("dashboard:export-all")).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:3] == ["Course", "Session start", "Time zone"]
    assert {row[0] for row in rows[1:]} == {"Mathematics 1", "Physics"}
    assert len(rows) == 1 + 6 + 1


def test_teachers_cannot_export_every_course(teacher_client):
    assert teacher_client.get(reverse("dashboard:export-all")).status_code == 403


def test_staff_export_every_course_only_with_the_see_everyone_permission(
    client, plain_staff, course, term
):
    client.force_login(plain_staff)
    assert client.get(reverse("dashboard:export-all")).status_code == 403
    assert "every course" not in client.get(reverse("dashboard:home")).content.decode()
    plain_staff.user_permissions.add(Permission.objects.get(codename="see_everyone"))
    client.force_login(get_user_model().objects.get(pk=plain_staff.pk))  # fresh permissions
    response = client.get(reverse("dashboard:export-all"))
    assert response.status_code == 200
    assert "Mathematics 1" in response.content.decode("utf-8-sig")
