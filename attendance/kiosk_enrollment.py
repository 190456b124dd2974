"""Enrollment at a kiosk: a course's link where students take their own enrollment photos.

The teacher opens the kiosk for a course (a kiosk credential of the enrollment kind, see
attendance.kiosk_auth); a student picks their name and the kiosk sends a few frames with
small pose changes. Each frame becomes an enrollment photo through people.services.add_photo,
like every other upload, so it is checked, queued for encoding (jobs.durable) and shown on
the course page as it arrives. A student without consent on record is refused before any
frame is looked at: none of their frames is stored.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from attendance.errors import StudentNotAvailable
from attendance.models import EnrollmentKiosk, new_kiosk_token
from people.models import Course, EnrollmentPhoto, Person
from people.services import UploadRefused, add_photo, ensure_consent
from recognition import quality
from recognition.faces import ImageRejected

MAX_FRAMES = 5  # one request: a few frames with small pose changes


@transaction.atomic
def open_enrollment_kiosk(*, course: Course, opened_by) -> EnrollmentKiosk:
    """Open the course's enrollment kiosk with a new link (an older link stops working) for
    ENROLLMENT_KIOSK_HOURS."""
    now = timezone.now()
    kiosk, _created = EnrollmentKiosk.objects.update_or_create(
        course=course,
        defaults={
            "token": new_kiosk_token(),
            "opened_by": opened_by,
            "opened_at": now,
            "expires_at": now + timedelta(hours=settings.ENROLLMENT_KIOSK_HOURS),
        },
    )
    return kiosk


def close_enrollment_kiosk(*, course: Course) -> None:
    EnrollmentKiosk.objects.filter(course=course).delete()


def current_enrollment_kiosk(course: Course) -> EnrollmentKiosk | None:
    return EnrollmentKiosk.objects.filter(course=course, expires_at__gt=timezone.now()).first()


def kiosk_students(course: Course) -> list[dict]:
    """The roster as the kiosk lists it: who can enroll (consent on record) and who cannot."""
    people = course.roster.order_by("full_name", "external_id")
    return [
        {
            "id": person.pk,
            "full_name": person.full_name,
            "available": bool(person.consent_recorded_on),
        }
        for person in people
    ]


def roster_student(*, course: Course, person_id) -> Person:
    """The course's student with this id (any text from a form); StudentNotAvailable if none."""
    text = str(person_id or "")
    valid = text.isascii() and text.isdigit() and len(text) <= 18  # fits a bigint
    person = course.roster.filter(pk=int(text)).first() if valid else None
    if person is None:
        raise StudentNotAvailable(_("Choose a student of this course."))
    return person


def student_for_enrollment(*, course: Course, person_id) -> Person:
    """The course's student, with consent on record; StudentNotAvailable otherwise."""
    person = roster_student(course=course, person_id=person_id)
    try:
        ensure_consent(person)
    except UploadRefused:
        raise StudentNotAvailable(
            _(
                "%(name)s cannot be enrolled here: their consent to face recognition is "
                "not recorded. Ask the teacher."
            )
            % {"name": person.full_name}
        ) from None
    return person


def enroll_frames(*, course: Course, person_id, frames) -> dict:
    """Add each frame as an enrollment photo of the student; one answer per frame: the
    photo and its status, or why that frame was refused. Nothing is stored for a student
    who is not available (StudentNotAvailable) or for too many frames (UploadRefused)."""
    person = student_for_enrollment(course=course, person_id=person_id)
    if not frames:
        raise UploadRefused(_("Send at least one frame in the field 'frames'."))
    if len(frames) > MAX_FRAMES:
        raise UploadRefused(_("Send at most %(limit)s frames at once.") % {"limit": MAX_FRAMES})
    answers = []
    for index, frame in enumerate(frames):
        try:
            photo = add_photo(person=person, upload=frame, captured_live=True)
        except UploadRefused as refused:
            answers.append(
                {
                    "frame": index,
                    "photo": None,
                    "status": "refused",
                    "reason": str(refused),
                    "problems": [],
                }
            )
        else:
            answers.append(
                {
                    "frame": index,
                    "photo": photo.pk,
                    "status": photo.status,
                    "reason": "",
                    "problems": [],
                }
            )
    return {"person": person.pk, "frames": answers}


def photo_problems(photo: EnrollmentPhoto) -> list[str]:
    """The codes of what kept the photo from being accepted (recognition.quality's problems,
    or why it was rejected): the kiosk turns them into one piece of advice for the student."""
    if photo.status == EnrollmentPhoto.Status.REJECTED:
        code = ImageRejected.code_of(photo.rejection_reason)
        return [code] if code else []
    if photo.status == EnrollmentPhoto.Status.NEEDS_REVIEW and photo.quality:
        return [problem.code for problem in quality.problems(photo.quality)]
    return []


def enrollment_progress(*, course: Course, person_id, since) -> dict:
    """The student's photos added since `since` (the kiosk's opening; None: all of them),
    with their status and the reason of a rejection or a review."""
    person = roster_student(course=course, person_id=person_id)
    photos = EnrollmentPhoto.objects.filter(person=person).order_by("pk")
    if since is not None:
        photos = photos.filter(uploaded_at__gte=since)
    return {
        "person": person.pk,
        "photos": [
            {
                "photo": photo.pk,
                "status": photo.status,
                "reason": photo.rejection_reason or photo.review_reason,
                "problems": photo_problems(photo),
            }
            for photo in photos
        ],
    }
