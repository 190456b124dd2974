"""The daily flow in the dashboard: start class now, a weekly schedule, close with a
confirmation page, reopen, and the kiosk link's confirmation."""

import pytest
from django.urls import reverse

from attendance.models import AttendanceRecord, AttendanceSession, CourseSchedule

pytestmark = pytest.mark.django_db


def test_start_class_now_opens_a_session(teacher_client, course):
    response = teacher_client.post(reverse("dashboard:start-class", args=[course.pk]))
    session = AttendanceSession.objects.get(course=course)
    assert response.url == reverse("dashboard:session", args=[session.pk])
    assert session.state == "open"


def test_a_weekly_schedule_makes_sessions(teacher_client, course):
    data = {
        "weekdays": ["0", "1", "2", "3", "4", "5", "6"],
        "start_time": "23:59",
        "duration_minutes": "50",
        "late_after_minutes": "5",
        "auto_open_close": "on",
    }
    response = teacher_client.post(reverse("dashboard:schedule-create", args=[course.pk]), data)
    assert response.status_code == 302
    schedule = CourseSchedule.objects.get(course=course)
    assert schedule.auto_open_close and schedule.time_zone
    assert 6 <= schedule.sessions.count() <= 7


def test_a_schedule_needs_a_day(teacher_client, course):
    data = {"start_time": "08:30", "duration_minutes": "50", "late_after_minutes": "5"}
    response = teacher_client.post(reverse("dashboard:schedule-create", args=[course.pk]), data)
    assert response.status_code == 400
    assert not CourseSchedule.objects.exists()


def test_close_asks_first_and_reopen_undoes_it(teacher_client, session):
    url = reverse("dashboard:session-close", args=[session.pk])
    page = teacher_client.get(url).content.decode()
    assert "Close this session?" in page and "2 students without a check-in" in page
    session.refresh_from_db()
    assert session.state != "closed"

    teacher_client.post(url)
    assert session.records.filter(method=AttendanceRecord.Method.ABSENT_AT_CLOSE).count() == 2
    page = teacher_client.get(reverse("dashboard:session", args=[session.pk])).content.decode()
    assert "Reopen session" in page and "Absent at close, " in page

    teacher_client.post(reverse("dashboard:session-reopen", args=[session.pk]))
    session.refresh_from_db()
    assert session.state == "open" and not session.records.exists()


def test_a_new_kiosk_link_asks_first(teacher_client, session):
    url = reverse("dashboard:kiosk-rotate", args=[session.pk])
    token = session.kiosk_token
    assert "Make a new kiosk link?" in teacher_client.get(url).content.decode()
    session.refresh_from_db()
    assert session.kiosk_token == token
    teacher_client.post(url)
    session.refresh_from_db()
    assert session.kiosk_token != token


def test_the_student_history_page(teacher_client, course, session, ada):
    session.opened_at = session.starts_at
    session.save()
    AttendanceRecord.objects.create(session=session, person=ada, status="late", method="face")
    url = reverse("dashboard:student-history", args=[course.pk, ada.pk])
    page = teacher_client.get(url).content.decode()
    assert "Ada Lovelace" in page and "Late" in page and "100%" in page


def test_the_live_page_counts_and_shows_the_kiosk_qr_code(teacher_client, session, ada):
    AttendanceRecord.objects.create(session=session, person=ada, status="late", method="face")
    page = teacher_client.get(reverse("dashboard:session", args=[session.pk])).content.decode()
    assert '<strong data-count="in">1</strong> of <span data-count="total">2</span> in' in page
    assert '<span data-count="late">1</span> late' in page
    assert '<strong data-count="missing">1</strong> not yet' in page
    assert '<svg role="img"' in page and "QR code of the kiosk link" in page
    assert "Show only students not checked in" in page


def test_a_schedule_late_after_its_own_length_is_refused(teacher_client, course):
    data = {
        "weekdays": ["0"],
        "start_time": "08:30",
        "duration_minutes": "5",
        "late_after_minutes": "600",
    }
    response = teacher_client.post(reverse("dashboard:schedule-create", args=[course.pk]), data)
    assert response.status_code == 400
    assert "Use at most 5 minutes" in response.content.decode()
    assert not CourseSchedule.objects.exists()


def test_a_schedule_overlapping_another_is_saved_with_a_warning(teacher_client, course):
    data = {
        "weekdays": ["0", "2"],
        "start_time": "08:30",
        "duration_minutes": "50",
        "late_after_minutes": "5",
    }
    url = reverse("dashboard:schedule-create", args=[course.pk])
    first = teacher_client.post(url, data, follow=True).content.decode()
    assert "overlaps" not in first
    second = teacher_client.post(url, {**data, "weekdays": ["2"]}, follow=True)
    assert "This schedule overlaps another lesson of the course (Mon, Wed 08:30" in (
        second.content.decode()
    )
    assert CourseSchedule.objects.filter(course=course).count() == 2
