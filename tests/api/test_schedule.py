"""The daily flow: weekly schedules make sessions, "start class now", automatic opening and
closing by the periodic task, and Reopen undoing a close."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.utils import timezone

from attendance import schedule as flow
from attendance import services
from attendance.models import AttendanceRecord, AttendanceSession
from attendance.tasks import run_automatic_sessions
from tests.factories import CourseFactory, PersonFactory, SessionFactory

# Monday 7 September 2026, 06:00 UTC = 08:00 in Berlin (summer time)
MONDAY_MORNING = datetime(2026, 9, 7, 6, 0, tzinfo=UTC)


@pytest.fixture
def course(teacher):
    return CourseFactory(teachers=[teacher], roster=[PersonFactory(), PersonFactory()])


def weekly(course, **fields):
    defaults = {
        "weekdays": [0, 2],
        "start_time": time(8, 30),
        "duration_minutes": 45,
        "late_after_minutes": 5,
        "time_zone": "Europe/Berlin",
        "auto_open_close": True,
    }
    return flow.create_schedule(course=course, **{**defaults, **fields})


def test_a_schedule_makes_the_weeks_sessions_in_its_time_zone(course):
    lesson = weekly(course)
    flow.create_scheduled_sessions(now=MONDAY_MORNING)
    starts = list(
        AttendanceSession.objects.filter(schedule=lesson)
        .order_by("starts_at")
        .values_list("starts_at", flat=True)
    )
    assert datetime(2026, 9, 7, 6, 30, tzinfo=UTC) in starts  # Monday 08:30 Berlin
    assert datetime(2026, 9, 9, 6, 30, tzinfo=UTC) in starts  # Wednesday
    session = AttendanceSession.objects.get(starts_at=datetime(2026, 9, 7, 6, 30, tzinfo=UTC))
    assert session.ends_at - session.starts_at == timedelta(minutes=45)
    assert session.late_after_minutes == 5 and session.auto_close


def test_running_it_again_makes_no_duplicates(course):
    weekly(course)
    count = AttendanceSession.objects.count()
    assert flow.create_scheduled_sessions(now=MONDAY_MORNING) >= 0
    assert flow.create_scheduled_sessions(now=MONDAY_MORNING) == 0
    assert AttendanceSession.objects.count() >= count


def test_the_periodic_task_opens_at_the_start_and_closes_at_the_end(course):
    weekly(course)
    flow.create_scheduled_sessions(now=MONDAY_MORNING)
    lesson = AttendanceSession.objects.get(starts_at=datetime(2026, 9, 7, 6, 30, tzinfo=UTC))
    flow.run_automatic_sessions(now=MONDAY_MORNING)
    lesson.refresh_from_db()
    assert lesson.state == "scheduled"

    flow.run_automatic_sessions(now=lesson.starts_at + timedelta(minutes=1))
    lesson.refresh_from_db()
    assert lesson.state == "open"

    result = flow.run_automatic_sessions(now=lesson.ends_at + timedelta(seconds=1))
    lesson.refresh_from_db()
    assert lesson.state == "closed" and result["closed"] == 1
    absences = lesson.records.values_list("method", flat=True)
    assert list(absences) == [AttendanceRecord.Method.ABSENT_AT_CLOSE] * 2


def test_the_celery_task_runs_the_same_function(course):
    session = SessionFactory(
        course=course,
        starts_at=datetime(2020, 1, 1, 8, tzinfo=UTC),
        ends_at=datetime(2020, 1, 1, 9, tzinfo=UTC),
        opened_at=datetime(2020, 1, 1, 8, tzinfo=UTC),
        auto_close=True,
    )
    assert run_automatic_sessions.apply().get()["closed"] == 1
    session.refresh_from_db()
    assert session.closed_at is not None


def test_check_in_is_refused_after_the_end_of_an_automatic_session(course):
    session = SessionFactory(
        course=course,
        starts_at=datetime(2020, 1, 1, 8, tzinfo=UTC),
        ends_at=datetime(2020, 1, 1, 9, tzinfo=UTC),
        opened_at=datetime(2020, 1, 1, 8, tzinfo=UTC),
        auto_close=True,
    )
    with pytest.raises(services.SessionStateError, match="closed"):
        services.ensure_open(session)


def test_sessions_without_automatic_close_stay_open(course):
    session = SessionFactory(
        course=course,
        starts_at=datetime(2020, 1, 1, 8, tzinfo=UTC),
        ends_at=datetime(2020, 1, 1, 9, tzinfo=UTC),
        opened_at=datetime(2020, 1, 1, 8, tzinfo=UTC),
    )
    assert flow.run_automatic_sessions()["closed"] == 0
    services.ensure_open(session)


def test_reopen_removes_absences_of_the_close_and_keeps_manual_changes(course, teacher):
    first, second = course.roster.all()
    session = SessionFactory(course=course, opened_at=MONDAY_MORNING)
    services.close_session(session=session, closed_by=teacher)
    services.set_status(session=session, person=first, status="excused", changed_by=teacher)
    removed = services.reopen_session(session=session)
    session.refresh_from_db()
    assert removed == 1 and session.state == "open"
    record = session.records.get()
    assert record.person == first and record.status == "excused"
    assert record.method == AttendanceRecord.Method.MANUAL


@pytest.mark.parametrize("auto_close", [True, False])
def test_a_session_reopened_after_its_end_closes_at_a_stated_time(
    course, teacher, settings, auto_close
):
    settings.REOPENED_SESSION_MINUTES = 30
    session = SessionFactory(
        course=course,
        starts_at=datetime(2020, 1, 1, 8, tzinfo=UTC),
        ends_at=datetime(2020, 1, 1, 9, tzinfo=UTC),
        auto_close=auto_close,
    )
    services.close_session(session=session)
    services.reopen_session(session=session)
    session.refresh_from_db()
    closes_at = services.reopened_closes_at(session)
    assert closes_at == session.reopened_at + timedelta(minutes=30)
    assert flow.run_automatic_sessions(now=closes_at - timedelta(minutes=1))["closed"] == 0
    services.ensure_open(session, now=closes_at - timedelta(minutes=1))
    services.ensure_checkin_window(session, now=closes_at - timedelta(minutes=1))
    with pytest.raises(services.SessionStateError, match="ended at"):
        services.ensure_checkin_window(session, now=closes_at + timedelta(minutes=1))
    assert flow.run_automatic_sessions(now=closes_at)["closed"] == 1
    session.refresh_from_db()
    assert session.state == "closed"


def test_the_reopened_close_time_is_stated_in_the_api_and_on_the_page(
    course, teacher, teacher_api, client
):
    session = SessionFactory(
        course=course,
        starts_at=datetime(2020, 1, 1, 8, tzinfo=UTC),
        ends_at=datetime(2020, 1, 1, 9, tzinfo=UTC),
        opened_at=datetime(2020, 1, 1, 8, tzinfo=UTC),
        closed_at=datetime(2020, 1, 1, 9, tzinfo=UTC),
    )
    body = teacher_api.post(f"/api/sessions/{session.pk}/reopen/").json()
    assert body["checkin_closes_at"] is not None
    session.refresh_from_db()
    assert body["checkin_closes_at"] == services.reopened_closes_at(session).isoformat().replace(
        "+00:00", "Z"
    )
    services.close_session(session=session)
    client.force_login(teacher)
    page = client.post(f"/sessions/{session.pk}/reopen/", follow=True).content.decode()
    assert "closes again at" in page


def test_check_in_is_refused_outside_the_sessions_times(course, settings):
    settings.CHECKIN_EARLY_MINUTES, settings.CHECKIN_AFTER_END_MINUTES = 30, 0
    start = datetime(2027, 1, 4, 8, tzinfo=UTC)
    session = SessionFactory(
        course=course, starts_at=start, ends_at=start + timedelta(hours=1), opened_at=start
    )
    with pytest.raises(services.SessionStateError, match="check-in opens 30 minutes before"):
        services.ensure_checkin_window(session, now=start - timedelta(days=2))
    services.ensure_checkin_window(session, now=start - timedelta(minutes=29))
    services.ensure_checkin_window(session, now=start + timedelta(minutes=59))
    with pytest.raises(services.SessionStateError, match="ended at"):
        services.ensure_checkin_window(session, now=start + timedelta(hours=3))


def test_a_manual_session_takes_no_check_in_hours_after_its_end(course, teacher_api, shared_faces):
    now = timezone.now()
    session = SessionFactory(
        course=course,
        starts_at=now - timedelta(hours=3),
        ends_at=now - timedelta(hours=2),
        opened_at=now - timedelta(hours=3),
    )
    with (shared_faces / "probe" / "obama1.jpg").open("rb") as image:
        response = teacher_api.post(
            f"/api/sessions/{session.pk}/checkin/", {"image": image}, format="multipart"
        )
    assert response.status_code == 409, response.content
    assert "ended at" in str(response.json())


def test_start_class_now_opens_the_lesson_about_to_start(course):
    weekly(course)
    flow.create_scheduled_sessions(now=MONDAY_MORNING)
    session = flow.start_class_now(course=course, now=MONDAY_MORNING + timedelta(minutes=10))
    assert session.starts_at == datetime(2026, 9, 7, 6, 30, tzinfo=UTC)
    assert session.state == "open"


def test_start_class_now_without_a_lesson_makes_one(course):
    session = flow.start_class_now(course=course, now=MONDAY_MORNING)
    assert session.state == "open" and session.starts_at == MONDAY_MORNING
    assert session.ends_at == MONDAY_MORNING + timedelta(hours=1)


def test_reopen_through_the_api(course, teacher_api):
    session = SessionFactory(course=course, opened_at=MONDAY_MORNING)
    assert teacher_api.post(f"/api/sessions/{session.pk}/reopen/").status_code == 409
    teacher_api.post(f"/api/sessions/{session.pk}/close/")
    response = teacher_api.post(f"/api/sessions/{session.pk}/reopen/")
    assert response.status_code == 200, response.content
    assert response.json()["closed_at"] is None
    assert not session.records.exists()


def test_start_class_now_finds_a_lesson_even_without_the_periodic_task(course):
    lesson = weekly(course)
    AttendanceSession.objects.filter(schedule=lesson).delete()  # as if beat never ran
    next_monday = MONDAY_MORNING + timedelta(days=7, minutes=20)
    session = flow.start_class_now(course=course, now=next_monday)
    assert session.schedule == lesson
    assert session.starts_at == datetime(2026, 9, 14, 6, 30, tzinfo=UTC)


# Lessons on the nights the clocks change, in two zones: (zone, day, start, minutes, the
# start in UTC). Each lasts its minutes of real time; a start the clocks skip counts from
# before the change, a repeated one is its first occurrence.
DST_LESSONS = [
    ("Europe/London", "2027-03-28", time(0, 30), 120, datetime(2027, 3, 28, 0, 30, tzinfo=UTC)),
    ("Europe/London", "2027-03-28", time(1, 30), 45, datetime(2027, 3, 28, 1, 30, tzinfo=UTC)),
    ("Europe/London", "2027-10-31", time(0, 30), 120, datetime(2027, 10, 30, 23, 30, tzinfo=UTC)),
    ("Europe/London", "2027-10-31", time(1, 30), 45, datetime(2027, 10, 31, 0, 30, tzinfo=UTC)),
    ("America/New_York", "2027-03-14", time(1, 30), 60, datetime(2027, 3, 14, 6, 30, tzinfo=UTC)),
    ("America/New_York", "2027-03-14", time(2, 30), 45, datetime(2027, 3, 14, 7, 30, tzinfo=UTC)),
    ("America/New_York", "2027-11-07", time(0, 30), 120, datetime(2027, 11, 7, 4, 30, tzinfo=UTC)),
    ("America/New_York", "2027-11-07", time(1, 30), 45, datetime(2027, 11, 7, 5, 30, tzinfo=UTC)),
]


@pytest.mark.parametrize(("zone", "day", "start", "minutes", "utc_start"), DST_LESSONS)
def test_a_lesson_across_a_clock_change_lasts_its_minutes_of_real_time(
    course, zone, day, start, minutes, utc_start
):
    weekday = datetime.fromisoformat(day).weekday()
    lesson = weekly(
        course, weekdays=[weekday], start_time=start, duration_minutes=minutes, time_zone=zone
    )
    assert flow.create_scheduled_sessions(schedules=[lesson], now=utc_start - timedelta(days=1))
    near = (utc_start - timedelta(hours=12), utc_start + timedelta(hours=12))
    session = AttendanceSession.objects.get(schedule=lesson, starts_at__range=near)
    assert session.starts_at == utc_start
    assert session.ends_at - session.starts_at == timedelta(minutes=minutes)
