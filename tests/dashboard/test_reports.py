"""The course report: rates per student, the chart, and the CSV export."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from attendance.models import AttendanceRecord
from dashboard.charts import SLOT, present_late_chart
from dashboard.reports import course_report
from tests.factories import PersonFactory, SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(course, ada, alan):
    """Three held sessions and one not yet opened (which the report leaves out)."""
    start = timezone.now().replace(hour=9, minute=0) - timedelta(days=10)
    sessions = [
        SessionFactory(course=course, starts_at=start + timedelta(days=day), opened_at=start)
        for day in range(3)
    ]
    SessionFactory(course=course, starts_at=start + timedelta(days=5))
    marks = {
        ada: ["present", "late", "absent"],
        alan: ["absent", "excused", None],
    }
    for person, statuses in marks.items():
        for session, status in zip(sessions, statuses, strict=True):
            if status:
                AttendanceRecord.objects.create(
                    session=session, person=person, status=status, method="manual"
                )
    return sessions


def test_rates_count_present_and_late_and_leave_out_excused(course, history):
    rows = {row.person.full_name: row for row in course_report(course).rows}
    assert rows["Ada Lovelace"].statuses == ("present", "late", "absent")
    assert round(rows["Ada Lovelace"].rate, 3) == round(2 / 3, 3)
    assert (rows["Alan Turing"].attended, rows["Alan Turing"].counted) == (0, 1)
    assert course_report(course).session_rates() == [0.5, 1.0, 0.0]


def test_the_report_page_shows_the_table_and_an_svg_chart(teacher_client, course, history):
    page = teacher_client.get(reverse("dashboard:report", args=[course.pk])).content.decode()
    assert "<svg" in page and "50%" in page and "100%" in page
    assert "67%" in page  # Ada
    assert page.count('class="badge badge--excused"') == 1


def test_the_csv_has_a_header_and_one_row_per_student(teacher_client, course, history):
    response = teacher_client.get(reverse("dashboard:report-csv", args=[course.pk]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="Mathematics 1 attendance.csv"' in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))
    assert rows[0][:2] == ["Student", "Student number"]
    assert rows[0][-4:] == ["Attended", "Counted", "Rate (%)", "Liveness passed"]
    assert len(rows[0]) == 2 + 3 + 4
    assert rows[1] == ["Ada Lovelace", "S001", "present", "late", "absent", "2", "3", "67", "0"]
    assert rows[2] == ["Alan Turing", "S002", "absent", "excused", "", "0", "1", "0", "0"]
    assert len(rows) == 3


def test_the_csv_defuses_names_a_spreadsheet_would_run_as_formulas(teacher_client, course):
    course.roster.add(PersonFactory(full_name='=HYPERLINK("http://x")', external_id="S9"))
    response = teacher_client.get(reverse("dashboard:report-csv", args=[course.pk]))
    body = b"".join(response.streaming_content)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert ['\'=HYPERLINK("http://x")', "S9", "0", "0", "", "0"] in rows


def test_a_course_without_sessions_has_an_empty_report(teacher_client, course):
    page = teacher_client.get(reverse("dashboard:report", args=[course.pk])).content.decode()
    assert "No session has been opened yet" in page


@pytest.mark.parametrize("query", ["end=9999-12-31", "start=0001-01-01", "start=9999-12-31"])
def test_a_date_far_outside_the_session_dates_is_a_form_error(
    teacher_client, client, superuser, course, history, query
):
    page = teacher_client.get(reverse("dashboard:report", args=[course.pk]) + "?" + query)
    assert page.status_code == 200
    assert "Use a date within" in page.content.decode()
    course_csv = teacher_client.get(reverse("dashboard:report-csv", args=[course.pk]) + "?" + query)
    assert course_csv.status_code == 400
    assert "Use a date within" in course_csv.content.decode()
    client.force_login(superuser)
    every_course = client.get(reverse("dashboard:export-all") + "?" + query)
    assert every_course.status_code == 400
    assert "Use a date within" in every_course.content.decode()


def test_the_chart_gives_each_session_room_and_a_short_one_fits_a_phone():
    one = present_late_chart([("01 Dec 09:00", 0.5, 0.1)])
    assert one.width <= 310  # a phone's card: the bar is on screen without scrolling
    assert one.bars[0].label_lines == ["01 Dec", "09:00"]
    ten = present_late_chart([(f"{day:02d} Dec 09:00", 0.5, 0.1) for day in range(1, 11)])
    assert ten.bars[1].x - ten.bars[0].x >= SLOT
    assert [bar.total for bar in ten.bars[:1]] == ["60%"]
