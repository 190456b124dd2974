"""The rules of people, courses and enrollment, used by every entry point.

The API, the dashboard, the admin and the management commands call these functions, so
each rule (consent before photos, who may add whom to a roster, what a finished photo
changes) is written once. Functions that change several rows are atomic.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jobs import durable
from people import photo_checks
from people.access import check_may_add_teachers, check_may_change, may_change
from people.consent import withdraw_consent
from people.models import Course, EnrollmentPhoto, Person
from people.selectors import people_for
from people.training import request_training, request_training_for_person
from people.validation import TOLERANCE_LEVELS, check_tolerance
from recognition import encoding, faces, quality

logger = logging.getLogger(__name__)

Status = EnrollmentPhoto.Status
GAVE_UP_REASON = EnrollmentPhoto.job_gave_up_reason
REVIEW_REASON_LENGTH = EnrollmentPhoto._meta.get_field("review_reason").max_length
# Stored in English (the msgid) and translated where shown: see encode_photo.
MISSING_FILE_REASON = gettext_noop(
    "The image file is missing from storage. Upload the photo again."
)


class UploadRefused(ValueError):
    """The upload cannot be stored at all (nothing is saved)."""


class StudentNumberTaken(ValueError):
    """Someone the teacher may not see already has this student number."""


class PhotoNotInReview(ValueError):
    """The photo is not waiting for a teacher's review."""


class NoSuchTeacher(ValueError):
    """No single active account answers to the username or e-mail given."""


# ---------------------------------------------------------------------------------------
# Courses and rosters


@transaction.atomic
def create_course(*, name: str, teacher=None) -> Course:
    """A new course is taught by the teacher who created it, or nobody could see it."""
    course = Course.objects.create(name=name)
    if teacher is not None:
        course.teachers.add(teacher)
    return course


class UnknownLevel(ValueError):
    """Not one of the strictness levels."""


def set_tolerance_level(*, course: Course, level: str) -> Course:
    """A teacher's choice of Strict, Balanced or Lenient. The tolerance is applied when a face
    is identified (attendance.services), not when the model is trained, so no training is
    requested: the next check-in uses the new value."""
    if level not in TOLERANCE_LEVELS:
        raise UnknownLevel("Choose Strict, Balanced or Lenient.")
    check_tolerance(TOLERANCE_LEVELS[level])  # within the cap, as the field requires
    course.recognition_tolerance = TOLERANCE_LEVELS[level]
    course.save(update_fields=["recognition_tolerance"])
    return course


def add_co_teacher(*, course: Course, name_or_email: str, added_by):
    """Another teacher (by username or e-mail) teaches the course too: they see its roster,
    sessions and reports from now on. Only a teacher of the course may do it."""
    check_may_add_teachers(course=course, user=added_by)
    wanted = name_or_email.strip()
    accounts = get_user_model().objects.filter(is_active=True)
    found = list(accounts.filter(Q(username__iexact=wanted) | Q(email__iexact=wanted))[:2])
    if not wanted or not found:
        raise NoSuchTeacher(
            f"No teacher account has the username or e-mail “{wanted}”. "
            "Invite them first, or check the spelling."
        )
    if len(found) > 1:
        raise NoSuchTeacher("Several accounts use this e-mail: give the username instead.")
    course.teachers.add(found[0])
    return found[0]


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
                _(
                    "Student number %(external_id)s belongs to a student of another teacher. "
                    "Ask an administrator to add them to this course."
                )
                % {"external_id": external_id}
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
                _("A student with number %(external_id)s already exists.")
                % {"external_id": external_id}
            ) from None
    elif consent_recorded_on and not person.consent_recorded_on:
        record_consent(person=person, consent_recorded_on=consent_recorded_on)
    course.roster.add(person)
    return person


def remove_student(*, course: Course, person: Person) -> None:
    """Off the roster only: the person, their photos and past attendance stay."""
    course.roster.remove(person)


@transaction.atomic
def update_person(*, person: Person, by, **changes) -> Person:
    """Change a person's fields as `by` (access.check_may_change: a shared student needs
    someone who sees everyone). Clearing the consent date withdraws the consent."""
    check_may_change(person=person, user=by)
    if "consent_recorded_on" in changes and changes["consent_recorded_on"] is None:
        del changes["consent_recorded_on"]
        if person.consent_recorded_on is not None:
            withdraw_consent(person=person, by=by)
    for field, value in changes.items():
        setattr(person, field, value)
    person.save()
    return person


@transaction.atomic
def remove_person(*, person: Person, by) -> bool:
    """Delete the person, or, when another teacher's course also has them and `by` does not
    see everyone, take them off `by`'s courses only. True when the person was deleted."""
    if not may_change(person=person, user=by):
        person.courses.remove(*person.courses.filter(teachers=by))
        return False
    person.delete()
    return True


def record_consent(*, person: Person, consent_recorded_on) -> Person:
    person.consent_recorded_on = consent_recorded_on
    person.save(update_fields=["consent_recorded_on", "updated_at"])
    return person


@transaction.atomic
def record_consent_for(*, people, consent_recorded_on) -> int:
    """One date for several students (e.g. the forms collected at the start of the year)."""
    count = 0
    for person in people:
        record_consent(person=person, consent_recorded_on=consent_recorded_on)
        count += 1
    return count


# ---------------------------------------------------------------------------------------
# Enrollment photos


def validate_upload(upload, *, max_bytes: int | None = None, what: str = "images") -> None:
    """Present, not empty, at most `max_bytes` (default MAX_UPLOAD_BYTES)."""
    max_bytes = max_bytes or settings.MAX_UPLOAD_BYTES
    if upload is None:
        raise UploadRefused(_("Attach an image file in the field 'image'."))
    if not upload.size:
        raise UploadRefused(_("The uploaded file is empty."))
    if upload.size > max_bytes:
        limit = max_bytes // (1024 * 1024)
        raise UploadRefused(
            _("The file is too large: %(what)s may be at most %(limit)s MB.")
            % {"what": what, "limit": limit}
        )


def check_image_header(upload) -> None:
    """Not an image of a supported format, or too many pixels: refused at once, not stored."""
    try:
        faces.check_image_header(upload)
    except faces.ImageRejected as rejection:
        raise UploadRefused(rejection.message) from None


def ensure_consent(person: Person) -> None:
    """Photos are biometric data: none are taken before the person's consent is recorded."""
    if not person.consent_recorded_on:
        raise UploadRefused(
            _("Record %(name)s's consent to face recognition before adding photos.")
            % {"name": person.full_name}
        )


def check_photo_allowed(*, person: Person, upload) -> None:
    """Every rule an upload must pass before it is stored; UploadRefused says which failed."""
    ensure_consent(person)
    validate_upload(upload)
    check_image_header(upload)


@transaction.atomic
def add_photo(*, person: Person, upload, captured_live: bool = False) -> EnrollmentPhoto:
    """Keep the upload as pending and queue its encoding once the row is committed."""
    check_photo_allowed(person=person, upload=upload)
    # A student deleted since the request looked them up: refused with a reason instead of a
    # foreign-key error at commit. The row lock keeps the student until the photo is stored.
    if not Person.objects.select_for_update(no_key=True).filter(pk=person.pk).exists():
        raise UploadRefused(
            _("%(name)s has been removed; the photo was not kept.") % {"name": person.full_name}
        )
    photo = EnrollmentPhoto.objects.create(person=person, image=upload, captured_live=captured_live)
    queue_encoding(photo.pk)
    return photo


def queue_encoding(photo_id: int) -> None:
    """Encode once committed; with the broker down the photo stays pending for the sweep."""
    from people.tasks import encode_photo

    durable.enqueue_after_commit(encode_photo, photo_id)


def encode_photo(*, photo_id: int) -> str | None:
    """Encode one photo: ready with its encoding, or rejected with a reason a teacher reads.

    Returns the new status, or None when the photo no longer exists.
    """
    # Compare-and-set: of two deliveries of one task only one encodes; a photo already
    # ready or rejected is not encoded again.
    photo = durable.claim(EnrollmentPhoto, photo_id)
    if photo is None:
        return None
    # Reasons are stored untranslated, whoever's request ran this, and translated where shown.
    with translation.override(None):
        return _encode(photo)


def _encode(photo: EnrollmentPhoto) -> str:
    config = faces.FaceConfig.from_settings()
    try:
        with photo.image.open("rb") as handle:
            data = handle.read()
        face = faces.encode_enrollment_photo(data, config)
        numbers = measure_quality(data=data, face=face, config=config)
        if photo.captured_live:
            numbers["captured_live"] = True
    except faces.ImageRejected as rejection:
        return _finish(photo, status=Status.REJECTED, rejection_reason=rejection.message, mine=True)
    except FileNotFoundError:
        return _finish(
            photo, status=Status.REJECTED, rejection_reason=MISSING_FILE_REASON, mine=True
        )
    # Held for the teacher when it looks like someone else or unlike the person's photos.
    # Photos below the quality bar are held too: see quality_reason.
    check = photo_checks.review_reason(
        photo=photo, probe=face.encoding, encoder=config.encoder_name
    )
    reason = " ".join(
        note for note in (quality_reason(photo=photo, numbers=numbers), check.reason) if note
    )
    return _finish(
        photo,
        mine=True,
        status=Status.NEEDS_REVIEW if reason else Status.READY,
        review_reason=reason[:REVIEW_REASON_LENGTH],
        looks_like=check.looks_like,
        encoding=encoding.pack(face.encoding),
        face_box=face.box.as_dict(),
        encoder=config.encoder_name,
        quality=numbers,
    )


def measure_quality(*, data: bytes, face, config) -> dict:
    """The photo's quality numbers (recognition.quality) for its one face."""
    image = faces.load_image(data, config)
    chip, landmarks = faces.face_chip_and_landmarks(image, face.box, config)
    return quality.measure(image=image, box=face.box, chip=chip, landmarks=landmarks)


def quality_reason(*, photo: EnrollmentPhoto, numbers: dict) -> str:
    """What a teacher can do about a photo below the quality bar, or "".

    Every quality problem holds the photo for review rather than rejecting it: a teacher
    may have no better photo of the student today, and sees in one look whether the photo
    is usable (a dark but recognisable face, a slight turn). A kept poor photo is used for
    training but still counts as poor (its numbers are stored), so the review band stays
    off for the student until a good photo arrives (people.selectors.poor_photo_people).
    A photo already kept is not checked again.
    """
    if photo.kept_after_review:
        return ""
    return " ".join(problem.message for problem in quality.problems(numbers))


def give_up_on_photo(photo: EnrollmentPhoto) -> bool:
    """Out of attempts: say so instead of leaving the photo 'processing' forever."""
    return _finish(photo, status=Status.REJECTED, rejection_reason=GAVE_UP_REASON) is not None


def _finish(photo: EnrollmentPhoto, *, status: str, mine: bool = False, **fields) -> str | None:
    """Store the outcome, unless the photo was meanwhile finished or claimed again by another
    delivery (`mine`: only while still at this claim's attempt), or re-queued by a teacher.

    Every finished photo requests its courses' training: a training that found photos
    still encoding left it to the last one (see people.training)."""
    defaults = {
        "rejection_reason": "",
        "review_reason": "",
        "looks_like": None,
        "encoding": None,
        "face_box": None,
        "encoder": "",
        "quality": None,
    }
    with transaction.atomic():
        updated = durable.finish(photo, status, mine=mine, **{**defaults, **fields})
        if updated:
            request_training_for_person(photo.person_id)
    return status if updated else None


def keep_photo(*, photo: EnrollmentPhoto, kept_by=None) -> EnrollmentPhoto:
    """The teacher looked at a photo held for review and keeps it (see keep_photos)."""
    if photo.status != Status.NEEDS_REVIEW:
        raise PhotoNotInReview(_("Only a photo waiting for review can be kept."))
    keep_photos(photos=EnrollmentPhoto.objects.filter(pk=photo.pk), kept_by=kept_by)
    photo.refresh_from_db()
    return photo


def keep_photos(*, photos, kept_by=None) -> int:
    """The teacher keeps held photos ("Keep it", or "Keep all" of a course): each becomes
    ready (and is trained on) and is not checked again, e.g. when re-encoded. Who and when
    is recorded. Photos of `photos` not held (any more) are left alone. Returns how many."""
    now = timezone.now()
    with transaction.atomic():
        held = EnrollmentPhoto.objects.select_for_update().filter(
            pk__in=photos.values("pk"), status=Status.NEEDS_REVIEW
        )
        people = set(held.values_list("person_id", flat=True))
        kept = held.update(
            status=Status.READY,
            status_changed_at=now,
            review_reason="",
            looks_like=None,
            kept_after_review=True,
            kept_by=kept_by,
            kept_at=now,
        )
        courses = Course.objects.filter(roster__in=people).values_list("pk", flat=True)
        request_training(courses)
    return kept


def enroll_photos(*, person: Person, uploads) -> tuple[list[EnrollmentPhoto], list[str]]:
    """Store each upload that can be stored; return the photos and one message per refusal."""
    try:
        ensure_consent(person)
    except UploadRefused as refused:
        return [], [str(refused)]
    if not uploads:
        return [], [_("Choose at least one photo.")]
    photos, refusals = [], []
    for upload in uploads:
        try:
            photos.append(add_photo(person=person, upload=upload))
        except UploadRefused as refused:
            refusals.append(f"{upload.name}: {refused}")
    return photos, refusals


def delete_photo(*, photo: EnrollmentPhoto) -> None:
    """The signals remove the file once committed and retrain the courses that used it."""
    photo.delete()


OUTDATED_BATCH = 200


def reencode_outdated_photos() -> int:
    """Ready photos encoded with other FACE_* settings than now are encoded again.

    Training uses only encodings of the current encoder, so after a settings change the
    courses are retrained as their photos are re-encoded, a batch per sweep.
    """
    current = faces.FaceConfig.from_settings().encoder_name
    outdated = (
        EnrollmentPhoto.objects.filter(status=Status.READY)
        .exclude(encoder=current)
        .values_list("pk", flat=True)[:OUTDATED_BATCH]
    )
    return reencode_photos(photo_ids=list(outdated))


@transaction.atomic
def reencode_photos(*, photo_ids: list[int]) -> int:
    """Encode photos again, e.g. after changing the encoder settings."""
    EnrollmentPhoto.objects.filter(pk__in=photo_ids).update(
        status=Status.PENDING,
        status_changed_at=timezone.now(),
        rejection_reason="",
        processing_attempts=0,
    )
    for photo_id in photo_ids:
        queue_encoding(photo_id)
    return len(photo_ids)
