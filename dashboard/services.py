"""What a teacher does from the dashboard that people.services does not cover yet.

Each function changes rows together (and so is atomic) or applies a rule the pages promise,
so that views only parse input, call one of these and render.
"""

from django.db import IntegrityError, transaction

from people import services as people_services
from people.models import Course, EnrollmentPhoto, Person
from people.selectors import people_for


class StudentNumberTaken(ValueError):
    """Someone the teacher may not see already has this student number."""


@transaction.atomic
def create_course(*, name: str, teacher) -> Course:
    """A new course is taught by the teacher who created it, or nobody could see it."""
    course = Course.objects.create(name=name)
    course.teachers.add(teacher)
    return course


@transaction.atomic
def add_student(
    *, course: Course, full_name: str, external_id: str, consent_recorded_on, added_by
) -> Person:
    """Put a student on the roster, creating the person unless the teacher already knows them.

    A student number held by a person the teacher cannot see is refused rather than linked:
    adding them would hand this teacher someone else's biometric data.
    """
    person = people_for(added_by).filter(external_id=external_id).first()
    if person is None:
        if Person.objects.filter(external_id=external_id).exists():
            raise StudentNumberTaken(
                f"Student number {external_id} belongs to a student of another teacher. "
                "Ask an administrator to add them to this course."
            )
        try:
            with transaction.atomic():  # a double-submit may have created them meanwhile
                person = Person.objects.create(
                    full_name=full_name,
                    external_id=external_id,
                    consent_recorded_on=consent_recorded_on,
                    created_by=added_by,
                )
        except IntegrityError:
            raise StudentNumberTaken(
                f"A student with number {external_id} already exists."
            ) from None
    elif consent_recorded_on and not person.consent_recorded_on:
        record_consent(person=person, consent_recorded_on=consent_recorded_on)
    course.roster.add(person)
    return person


def remove_student(*, course: Course, person: Person) -> None:
    """Off the roster only: the person, their photos and past attendance stay."""
    course.roster.remove(person)


def record_consent(*, person: Person, consent_recorded_on) -> Person:
    person.consent_recorded_on = consent_recorded_on
    person.save(update_fields=["consent_recorded_on", "updated_at"])
    return person


def delete_photo(*, photo: EnrollmentPhoto) -> None:
    """The signals remove the file once committed and retrain the courses that used it."""
    photo.delete()


def enroll_photos(*, person: Person, uploads) -> tuple[list[EnrollmentPhoto], list[str]]:
    """Store each upload that can be stored; return the photos and one message per refusal.

    Photos are biometric data: none are taken before the student's consent is recorded.
    """
    try:
        people_services.ensure_consent(person)
    except people_services.UploadRefused as refused:
        return [], [str(refused)]
    if not uploads:
        return [], ["Choose at least one photo."]
    photos, refusals = [], []
    for upload in uploads:
        try:
            photos.append(people_services.add_photo(person=person, upload=upload))
        except people_services.UploadRefused as refused:
            refusals.append(f"{upload.name}: {refused}")
    return photos, refusals
