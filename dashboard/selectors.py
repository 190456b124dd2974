"""Read queries of the pages, shared by each page and the JSON view that keeps it current."""

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from attendance.models import AttendanceRecord, AttendanceSession
from people.models import Course, EnrollmentPhoto, Person
from recognition.models import CourseClassifier

BUSY_PHOTO_STATES = (EnrollmentPhoto.Status.PENDING, EnrollmentPhoto.Status.PROCESSING)


def roster_with_photos(course: Course) -> QuerySet[Person]:
    photos = EnrollmentPhoto.objects.order_by("uploaded_at", "pk").defer("encoding")
    return course.roster.order_by("full_name", "pk").prefetch_related(
        Prefetch("photos", queryset=photos)
    )


def any_photo_busy(roster) -> bool:
    return any(
        photo.status in BUSY_PHOTO_STATES for person in roster for photo in person.photos.all()
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
    people = (
        Person.objects.filter(
            Q(courses=session.course_id, is_active=True) | Q(attendance_records__session=session)
        )
        .distinct()
        .order_by("full_name", "pk")
    )
    records = {
        record.person_id: record
        for record in session.records.select_related("changed_by").order_by()
    }
    return [AttendanceRow(person, records.get(person.pk)) for person in people]
