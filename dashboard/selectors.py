"""Read queries of the pages, shared by each page and the JSON view that keeps it current."""

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from attendance.models import AttendanceRecord, AttendanceSession
from attendance.selectors import people_of_sessions
from people.models import Course, EnrollmentPhoto, Person
from recognition.models import CourseClassifier


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
