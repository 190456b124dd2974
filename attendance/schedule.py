"""The daily class flow: weekly schedules make the sessions, "Start class now", and the
periodic task that opens and closes sessions on time.

A schedule's start time is in its own time zone (the teacher's when it was made), so a
lesson at 08:30 stays at 08:30 across daylight-saving changes; its duration is real time, so
a 120-minute lesson lasts 120 minutes on the night the clocks change too.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from attendance.models import AttendanceSession, CourseSchedule
from attendance.services import SessionStateError, close_session, open_session

DAYS_AHEAD = 7
START_NOW_WINDOW = timedelta(minutes=30)  # a lesson starting this soon is "now"
DEFAULT_DURATION = timedelta(hours=1)


def create_schedule(
    *,
    course,
    weekdays: list[int],
    start_time: time,
    duration_minutes: int,
    late_after_minutes: int,
    time_zone: str,
    title: str = "",
    auto_open_close: bool = False,
) -> CourseSchedule:
    """Save a weekly lesson and make its sessions of the coming week at once."""
    if not weekdays:
        raise ValueError(_("Choose at least one day of the week."))
    schedule = CourseSchedule.objects.create(
        course=course,
        title=title,
        weekdays=sorted(set(weekdays)),
        start_time=start_time,
        duration_minutes=duration_minutes,
        late_after_minutes=late_after_minutes,
        time_zone=time_zone,
        auto_open_close=auto_open_close,
    )
    create_scheduled_sessions(schedules=[schedule])
    return schedule


def overlapping_schedules(schedule: CourseSchedule) -> list[CourseSchedule]:
    """The course's other weekly lessons that share a day and some minutes with this one (in
    wall time): two identical schedules make every session twice."""

    def minutes(lesson):
        start = lesson.start_time.hour * 60 + lesson.start_time.minute
        return start, start + lesson.duration_minutes

    start, end = minutes(schedule)
    return [
        other
        for other in schedule.course.schedules.exclude(pk=schedule.pk)
        if set(other.weekdays) & set(schedule.weekdays)
        and minutes(other)[0] < end
        and start < minutes(other)[1]
    ]


def delete_schedule(*, schedule: CourseSchedule) -> None:
    """Future sessions it made that nobody opened go; past and opened ones stay."""
    schedule.sessions.filter(opened_at__isnull=True, starts_at__gt=timezone.now()).delete()
    schedule.delete()


def lesson_start(schedule: CourseSchedule, day: date) -> datetime:
    """The start in UTC: a wall time the clocks skip counts from before the change (01:30 on
    the spring-forward night is 02:30 summer time), a repeated one is its first occurrence."""
    zone = ZoneInfo(schedule.time_zone or settings.TIME_ZONE)
    return datetime.combine(day, schedule.start_time, tzinfo=zone).astimezone(UTC)


def lesson_end(schedule: CourseSchedule, starts_at: datetime) -> datetime:
    """`duration_minutes` of real time later (arithmetic on a zoned datetime would add wall
    time: 60 or 180 real minutes for 120 across a change)."""
    return starts_at.astimezone(UTC) + timedelta(minutes=schedule.duration_minutes)


def create_scheduled_sessions(*, schedules=None, now=None, days_ahead: int = DAYS_AHEAD) -> int:
    """The sessions of the next `days_ahead` days that do not exist yet; returns how many."""
    now = now or timezone.now()
    schedules = CourseSchedule.objects.all() if schedules is None else schedules
    created = 0
    for schedule in schedules:
        zone = ZoneInfo(schedule.time_zone or settings.TIME_ZONE)
        today = now.astimezone(zone).date()
        for offset in range(days_ahead):
            day = today + timedelta(days=offset)
            if day.weekday() not in schedule.weekdays:
                continue
            starts_at = lesson_start(schedule, day)
            if lesson_end(schedule, starts_at) <= now:
                continue  # already over
            created += _create_session(schedule, starts_at)
    return created


def _create_session(schedule: CourseSchedule, starts_at: datetime) -> int:
    if AttendanceSession.objects.filter(schedule=schedule, starts_at=starts_at).exists():
        return 0
    try:
        with transaction.atomic():
            AttendanceSession.objects.create(
                course_id=schedule.course_id,
                schedule=schedule,
                title=schedule.title,
                starts_at=starts_at,
                ends_at=lesson_end(schedule, starts_at),
                late_after_minutes=schedule.late_after_minutes,
                auto_open=schedule.auto_open_close,
                auto_close=schedule.auto_open_close,
            )
    except IntegrityError:  # made by a concurrent run
        return 0
    return 1


def start_class_now(*, course, now=None) -> AttendanceSession:
    """Open today's lesson if it is about to start or running; else a new one-hour session."""
    now = now or timezone.now()
    # Without a periodic task (make run without Redis) the week's lessons are made here.
    create_scheduled_sessions(schedules=course.schedules.all(), now=now)
    lesson = (
        AttendanceSession.objects.filter(
            course=course,
            closed_at__isnull=True,
            starts_at__lte=now + START_NOW_WINDOW,
            ends_at__gt=now,
        )
        .order_by("starts_at")
        .first()
    )
    if lesson is None:
        start = now.replace(second=0, microsecond=0)
        lesson = AttendanceSession.objects.create(
            course=course, starts_at=start, ends_at=start + DEFAULT_DURATION
        )
    return open_session(session=lesson)


def run_automatic_sessions(*, now=None) -> dict[str, int]:
    """Periodic (every minute): make the coming sessions, open and close automatic ones, and
    close sessions reopened after their end once their reopened time is over."""
    now = now or timezone.now()
    created = create_scheduled_sessions(now=now)
    opened = 0
    for session in AttendanceSession.objects.filter(
        auto_open=True,
        opened_at__isnull=True,
        closed_at__isnull=True,
        starts_at__lte=now,
        ends_at__gt=now,
    ):
        open_session(session=session)
        opened += 1
    closed = 0
    reopened_late = Q(reopened_at__gte=F("ends_at"))
    reopened_over = reopened_late & Q(
        reopened_at__lte=now - timedelta(minutes=settings.REOPENED_SESSION_MINUTES)
    )
    due = (Q(auto_close=True, ends_at__lte=now) & ~reopened_late) | reopened_over
    for session in AttendanceSession.objects.filter(due, closed_at__isnull=True):
        try:
            close_session(session=session)
        except SessionStateError:  # the teacher closed it meanwhile
            continue
        closed += 1
    return {"created": created, "opened": opened, "closed": closed}
