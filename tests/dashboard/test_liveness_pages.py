"""The liveness setting on the course page, and which marks passed it on the live session
page, the report and the CSV."""

import csv
import io

import pytest
from django.urls import reverse

from attendance.models import AttendanceRecord
from people.models import Course
from tests.dashboard.conftest import rendered_rows

pytestmark = pytest.mark.django_db


def test_a_teacher_turns_the_head_turn_challenge_on_and_off(teacher_client, course):
    page = teacher_client.get(reverse("dashboard:course", args=[course.pk])).content.decode()
    assert "Liveness check" in page and '<option value="off" selected>' in page
    url = reverse("dashboard:course-liveness", args=[course.pk])
    response = teacher_client.post(url, {"liveness": "challenge"}, follow=True)
    assert "Liveness check: Challenge" in response.content.decode()
    course.refresh_from_db()
    assert course.liveness == "challenge"
    teacher_client.post(url, {"liveness": "off"})
    course.refresh_from_db()
    assert course.liveness == "off"


def test_an_unknown_setting_is_refused(teacher_client, course):
    url = reverse("dashboard:course-liveness", args=[course.pk])
    response = teacher_client.post(url, {"liveness": "blink"}, follow=True)
    assert "Choose whether students turn their head" in response.content.decode()
    course.refresh_from_db()
    assert course.liveness == "off"


def test_another_teacher_cannot_change_it(other_client, course):
    url = reverse("dashboard:course-liveness", args=[course.pk])
    assert other_client.post(url, {"liveness": "challenge"}).status_code == 404
    course.refresh_from_db()
    assert course.liveness == "off"


def test_a_course_created_on_the_dashboard_has_the_challenge_on(teacher_client):
    teacher_client.post(reverse("dashboard:course-create"), {"name": "Chemistry"})
    assert Course.objects.get(name="Chemistry").liveness == "challenge"


@pytest.fixture
def marks(session, ada, alan):
    AttendanceRecord.objects.create(
        session=session, person=ada, status="present", method="face", liveness="passed"
    )
    AttendanceRecord.objects.create(session=session, person=alan, status="late", method="face")
    session.opened_at = session.starts_at
    session.save()
    return session


def test_the_live_page_says_which_face_check_ins_passed_the_liveness_check(
    teacher_client, marks, ada, alan
):
    data = teacher_client.get(reverse("dashboard:session-status", args=[marks.pk])).json()
    notes = {person: row["note"] for person, row in rendered_rows(data["rows_html"]).items()}
    assert notes[ada.pk].endswith(", liveness check passed")
    assert "liveness" not in notes[alan.pk]
    page = teacher_client.get(reverse("dashboard:session", args=[marks.pk])).content.decode()
    assert page.count("liveness check passed") == 1


def test_the_report_and_csv_show_the_marks_that_passed(teacher_client, course, marks):
    page = teacher_client.get(reverse("dashboard:report", args=[course.pk])).content.decode()
    assert page.count("✓ live") == 1
    response = teacher_client.get(reverse("dashboard:report-csv", args=[course.pk]))
    body = b"".join(response.streaming_content)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][-1] == "Liveness passed"
    assert {row[0]: row[-1] for row in rows[1:]} == {"Ada Lovelace": "1", "Alan Turing": "0"}


def test_the_attendance_api_gives_the_liveness_of_each_record(teacher, marks, ada):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(teacher)
    records = api.get(f"/api/sessions/{marks.pk}/attendance/").json()
    assert {r["person"]: r["liveness"] for r in records}[ada.pk] == "passed"


def test_the_admin_lists_and_filters_by_liveness(client, superuser, course, marks):
    client.force_login(superuser)
    courses = client.get("/admin/people/course/?liveness__exact=off").content.decode()
    assert "Mathematics 1" in courses and "Off: a recognised face is marked at once" in courses
    records = client.get("/admin/attendance/attendancerecord/?liveness__exact=passed")
    assert records.status_code == 200
    assert "Ada Lovelace" in records.content.decode()
    assert "Alan Turing" not in records.content.decode()
