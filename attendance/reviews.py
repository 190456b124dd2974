"""Borderline faces: a teacher confirms or rejects what the model is not sure of.

A face whose nearest enrolled encoding belongs to a roster student (and the SVM proposes
the same student) at a distance in (tolerance, tolerance + the course's review margin] is
neither marked nor called a stranger: its crop waits as a `PendingReview` until the teacher
confirms it (the student is marked at the capture time, method `confirmed`) or rejects it.
A crop lives until it is decided, until REVIEW_GRACE_MINUTES after the session closes, or
REVIEW_MAX_HOURS at most (`purge_expired_reviews`, a periodic task).
"""

from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from attendance import marks
from attendance.crops import face_crop_jpeg
from attendance.errors import AlreadyDecided, ReviewRefused
from attendance.marks import Method
from attendance.models import DecidedReview, PendingReview
from people.models import EnrollmentPhoto
from people.selectors import poor_photos_only
from people.services import add_photo
from recognition.classifier import Match

# A student whose photos are all below the quality bar is named only this much closer than
# the tolerance: strangers came within 0.53 of enlarged group-photo crops (docs/photo-quality.md).
POOR_PHOTO_TIGHTENING = 0.10

NAMED, REVIEW, UNKNOWN = "named", "review", "unknown"
ALREADY_DECIDED = gettext_lazy("This face was already decided: the page shows the outcome.")


def classify(match: Match, *, tolerance: float, margin: float) -> str:
    """NAMED within the tolerance; REVIEW just beyond it (the band); UNKNOWN otherwise."""
    if match.person_id is not None:
        return NAMED
    if match.candidate_id is None or match.distance is None or margin <= 0:
        return UNKNOWN
    return REVIEW if tolerance < match.distance <= tolerance + margin else UNKNOWN


def likeness(distance: float, *, tolerance: float, margin: float) -> str:
    """Plain words for a teacher in place of a face distance."""
    if distance <= tolerance:
        return _("a clear match")
    if distance <= tolerance + margin / 2:
        return _("a close match, but not a clear one")
    return _("not a clear match")


def margin_for(*, course, person) -> float:
    """The course's review margin, or 0 (no band) for a student whose enrollment photos are
    all below the quality bar: near a poor photo, strangers are as close as the student
    (docs/photo-quality.md), so only a clear match marks them until a good photo arrives."""
    if person is None or person.pk in poor_photos_only([person.pk]):
        return 0.0
    return course.review_margin


def trust_poor_photos_less(matches: list[Match], *, tolerance: float) -> list[Match]:
    """Matches of students whose photos are all poor, beyond tolerance - POOR_PHOTO_TIGHTENING,
    become unknown (and, with margin_for, never a review): a poor photo is near strangers."""
    named = {m.person_id for m in matches if m.person_id is not None}
    poor = poor_photos_only(named) if named else set()
    strict = tolerance - POOR_PHOTO_TIGHTENING
    return [
        Match(None, m.distance, m.candidate_id)
        if m.person_id in poor and m.distance is not None and m.distance > strict
        else m
        for m in matches
    ]


def hold_for_review(*, session, person, image, box, distance: float, when) -> PendingReview:
    """Keep the face crop for the teacher: one pending review per student and session (the
    first capture, whose time counts for present or late)."""
    existing = PendingReview.objects.filter(session=session, candidate=person).first()
    if existing is not None:
        return existing
    review = PendingReview(session=session, candidate=person, captured_at=when, distance=distance)
    review.crop.save("face.jpg", ContentFile(face_crop_jpeg(image, box)), save=False)
    try:
        with transaction.atomic():
            review.save()
    except IntegrityError:  # a simultaneous check-in of the same face won the race
        review.crop.storage.delete(review.crop.name)
        return PendingReview.objects.get(session=session, candidate=person)
    return review


@transaction.atomic
def confirm_review(*, review: PendingReview, confirmed_by, use_photo: bool = False):
    """Mark the student present (or late) at the capture time, recording who confirmed.

    Raises AlreadyDecided when another request decided the review first (a double-click).

    With `use_photo` (only when the student's consent is on record) the crop also becomes an
    enrollment photo: encoded and trained on like any upload. Returns the attendance record.
    """
    review = (
        PendingReview.objects.select_for_update().select_related("session").filter(pk=review.pk)
    ).first()
    if review is None:  # a simultaneous confirm or reject decided it and deleted it
        raise AlreadyDecided(str(ALREADY_DECIDED))
    person, session = review.candidate, review.session
    if use_photo and not person.consent_recorded_on:
        raise ReviewRefused(
            _(
                "%(name)s's consent to face recognition is not recorded: "
                "the picture cannot be used for recognition."
            )
            % {"name": person.full_name}
        )
    record, _created = marks.mark(
        session=session,
        person=person,
        method=Method.CONFIRMED,
        when=review.captured_at,
        distance=review.distance,
        by=confirmed_by,
    )
    if use_photo:
        with review.crop.open("rb") as handle:
            photo = add_photo(person=person, upload=ContentFile(handle.read(), name="review.jpg"))
        # The teacher has just said whose face it is: no wrong-photo check (people.photo_checks).
        EnrollmentPhoto.objects.filter(pk=photo.pk).update(kept_after_review=True)
    decided([review])
    return record


@transaction.atomic
def reject_review(*, review: PendingReview) -> None:
    """Not that student: the crop is discarded and nobody is marked. Raises AlreadyDecided
    when another request decided the review first."""
    if not PendingReview.objects.select_for_update().filter(pk=review.pk).exists():
        raise AlreadyDecided(str(ALREADY_DECIDED))
    decided([review])


def decided(reviews: list[PendingReview]) -> None:
    """The teacher's decision ends the reviews: their crops go, their numbers stay a while
    (DecidedReview) so that a late second click answers "already decided"."""
    DecidedReview.objects.bulk_create(
        [DecidedReview(review_id=r.pk, session_id=r.session_id) for r in reviews],
        ignore_conflicts=True,
    )
    delete_reviews(reviews)


def visible_decided_review(pk: int, sessions) -> DecidedReview | None:
    """The trace of a review decided already, if it belonged to one of these sessions."""
    return DecidedReview.objects.filter(review_id=pk, session__in=sessions).first()


def drop_pending_review(*, session, person) -> int:
    """The student was marked another way (e.g. a later frame within the tolerance)."""
    return delete_reviews(PendingReview.objects.filter(session=session, candidate=person))


def delete_reviews(reviews) -> int:
    """Rows now; their crop files once the deletion is committed (also on cascades, see
    attendance.signals)."""
    reviews = list(reviews)
    PendingReview.objects.filter(pk__in=[r.pk for r in reviews]).delete()
    return len(reviews)


def delete_crop_file(field) -> None:
    if field:
        transaction.on_commit(partial(field.storage.delete, field.name))


def purge_expired_reviews(*, now=None) -> int:
    """Undecided reviews of sessions closed more than REVIEW_GRACE_MINUTES ago, and any
    older than REVIEW_MAX_HOURS."""
    now = now or timezone.now()
    oldest = now - timedelta(hours=settings.REVIEW_MAX_HOURS)
    closed = Q(session__closed_at__lt=now - timedelta(minutes=settings.REVIEW_GRACE_MINUTES))
    DecidedReview.objects.filter(Q(decided_at__lt=oldest) | closed).delete()
    return delete_reviews(PendingReview.objects.filter(Q(captured_at__lt=oldest) | closed))


def pending_reviews(session):
    return session.reviews.select_related("candidate").order_by("captured_at")
