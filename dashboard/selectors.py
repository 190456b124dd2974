"""Read queries of the pages, shared by each page and the JSON view that keeps it current."""

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from attendance.models import AttendanceRecord, AttendanceSession
from attendance.selectors import people_of_sessions
from people.models import Course, CourseClassifier, EnrollmentPhoto, Person


def roster_with_photos(course: Course) -> QuerySet[Person]:
    photos = EnrollmentPhoto.objects.order_by("uploaded_at", "pk").defer("encoding")
    return course.roster.order_by("full_name", "pk").prefetch_related(
        Prefetch("photos", queryset=photos)
    )


def any_photo_busy(roster) -> bool:
    return any(
        photo.status in EnrollmentPhoto.BUSY_STATES
        for person in roster
        for photo in person.photos.all()
    )


def classifier_of(course: Course) -> CourseClassifier | None:
    return CourseClassifier.objects.filter(course=course).defer("model_data").first()


@dataclass(frozen=True)
class AttendanceRow:
    person: Person
    record: AttendanceRecord | None

    @property
    def status(self) -> str | None:
        return self.record.status if self.record else None


def attendance_rows(session: AttendanceSession) -> list[AttendanceRow]:
    """Every active student of the course, and anyone else who has a record in the session."""
    people = people_of_sessions(session.course_id, [session])
    records = {
        record.person_id: record
        for record in session.records.select_related("changed_by").order_by()
    }
    return [AttendanceRow(person, records.get(person.pk)) for person in people]


@dataclass(frozen=True)
class RosterLine:
    """A roster table row: the student, their photo counts, and their last attendance."""

    person: Person
    ready: int
    rejected: int
    busy: int
    last_record: AttendanceRecord | None

    @property
    def photo_state(self) -> str:
        """What the filter matches: no photo ready yet, some rejected, or fine."""
        if self.rejected:
            return "rejected"
        return "ready" if self.ready else "none"


def roster_lines(course: Course, roster) -> list[RosterLine]:
    last = {}
    records = (
        AttendanceRecord.objects.filter(session__course=course, person__in=roster)
        .select_related("session")
        .order_by("-session__starts_at", "-pk")
    )
    for record in records:
        last.setdefault(record.person_id, record)
    lines = []
    for person in roster:
        statuses = [photo.status for photo in person.photos.all()]
        lines.append(
            RosterLine(
                person=person,
                ready=statuses.count(EnrollmentPhoto.Status.READY),
                rejected=statuses.count(EnrollmentPhoto.Status.REJECTED),
                busy=sum(status in EnrollmentPhoto.BUSY_STATES for status in statuses),
                last_record=last.get(person.pk),
            )
        )
    return lines


def attendance_counts(rows: list[AttendanceRow]) -> dict[str, int]:
    """The live page's counters: "18 of 25 in, 3 late, 4 not yet" (in includes late)."""
    statuses = [row.status for row in rows]
    return {
        "total": len(statuses),
        "in": sum(
            s in (AttendanceRecord.Status.PRESENT, AttendanceRecord.Status.LATE) for s in statuses
        ),
        "late": statuses.count(AttendanceRecord.Status.LATE),
        "absent": statuses.count(AttendanceRecord.Status.ABSENT),
        "excused": statuses.count(AttendanceRecord.Status.EXCUSED),
        "missing": statuses.count(None),
    }
