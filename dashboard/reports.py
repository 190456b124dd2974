"""A course's attendance over its sessions: the table of the report page and of the CSV.

Only sessions that were opened count. A rate is attended / counted, where present and late
attend, absent counts against, and excused (or no record yet) is left out of both.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Count

from attendance.models import AttendanceRecord, AttendanceSession
from attendance.selectors import people_of_sessions
from people.models import Course, Person

Status = AttendanceRecord.Status
ATTENDED = frozenset({Status.PRESENT, Status.LATE})
COUNTED = ATTENDED | {Status.ABSENT}


def rate(statuses) -> float | None:
    counted = [status for status in statuses if status in COUNTED]
    if not counted:
        return None
    return sum(status in ATTENDED for status in counted) / len(counted)


@dataclass(frozen=True)
class StudentRow:
    person: Person
    statuses: tuple[str | None, ...]  # one per session, None when there is no record
    live: tuple[bool, ...] = ()  # one per session: the mark passed a liveness check

    @property
    def cells(self) -> list[tuple[str | None, bool]]:
        return list(zip(self.statuses, self.live or (False,) * len(self.statuses), strict=True))

    @property
    def live_count(self) -> int:
        return sum(self.live)

    @property
    def attended(self) -> int:
        return sum(status in ATTENDED for status in self.statuses)

    @property
    def counted(self) -> int:
        return sum(status in COUNTED for status in self.statuses)

    @property
    def rate(self) -> float | None:
        return rate(self.statuses)


@dataclass(frozen=True)
class CourseReport:
    course: Course
    sessions: list[AttendanceSession]
    rows: list[StudentRow]

    def session_shares(self) -> list[tuple[float | None, float]]:
        """Per session: the share present on time and the share late, of those counted."""
        shares = []
        for index in range(len(self.sessions)):
            statuses = [row.statuses[index] for row in self.rows]
            counted = [status for status in statuses if status in COUNTED]
            if not counted:
                shares.append((None, 0.0))
                continue
            shares.append(
                (
                    counted.count(Status.PRESENT) / len(counted),
                    counted.count(Status.LATE) / len(counted),
                )
            )
        return shares

    def session_rates(self) -> list[float | None]:
        return [
            rate(row.statuses[index] for row in self.rows) for index in range(len(self.sessions))
        ]


def report_sessions(course: Course, *, start=None, end=None) -> list[AttendanceSession]:
    """The opened sessions of the course; `start`/`end` (aware datetimes) limit the range."""
    sessions = AttendanceSession.objects.filter(course=course, opened_at__isnull=False)
    if start is not None:
        sessions = sessions.filter(starts_at__gte=start)
    if end is not None:
        sessions = sessions.filter(starts_at__lt=end)
    return list(sessions.order_by("starts_at", "pk"))


def student_rows(people, sessions) -> list[StudentRow]:
    """The rows of these people (a list, e.g. one page): one query for their records."""
    records = AttendanceRecord.objects.filter(session__in=sessions, person__in=people)
    records = records.values_list("person_id", "session_id", "status", "liveness")
    status_of = {(person, session): status for person, session, status, _ in records}
    live = {(person, session) for person, session, _, passed in records if passed == "passed"}
    return [
        StudentRow(
            person,
            tuple(status_of.get((person.pk, s.pk)) for s in sessions),
            tuple((person.pk, s.pk) in live for s in sessions),
        )
        for person in people
    ]


def all_student_rows(course: Course, sessions, *, chunk: int = 500) -> Iterator[StudentRow]:
    """Every row of the report, read a chunk of students at a time (the CSV streams them)."""
    people = people_of_sessions(course.pk, sessions)
    offset = 0
    while batch := list(people[offset : offset + chunk]):
        yield from student_rows(batch, sessions)
        offset += chunk


def session_shares(sessions) -> list[tuple[float | None, float]]:
    """CourseReport.session_shares counted in the database: one query at any roster size."""
    counts = (
        AttendanceRecord.objects.filter(session__in=sessions, status__in=COUNTED)
        .values_list("session_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    tally = {(session, status): n for session, status, n in counts}
    shares = []
    for session in sessions:
        counted = sum(tally.get((session.pk, status), 0) for status in COUNTED)
        if not counted:
            shares.append((None, 0.0))
            continue
        shares.append(
            (
                tally.get((session.pk, Status.PRESENT), 0) / counted,
                tally.get((session.pk, Status.LATE), 0) / counted,
            )
        )
    return shares


def course_report(course: Course, *, start=None, end=None, people=None) -> CourseReport:
    """`start`/`end` (aware datetimes) limit the sessions to a date range; `people` (e.g. one
    page of people_of_sessions) limits the rows, every student of the sessions by default."""
    sessions = report_sessions(course, start=start, end=end)
    if people is None:
        people = list(people_of_sessions(course.pk, sessions))
    return CourseReport(course=course, sessions=sessions, rows=student_rows(people, sessions))
