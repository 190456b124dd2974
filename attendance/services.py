"""Attendance: opening and closing sessions, face check-in, and teachers' corrections."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from attendance import attempts, class_photo_files, liveness, marks, reviews
from attendance.detection_budget import checkin_min_face_px
from attendance.errors import SessionStateError
from attendance.marks import Method
from attendance.models import AttendanceRecord, AttendanceSession
from attendance.snapshots import keep_snapshot
from people import model_cache, training
from people.models import Person
from recognition import classifier, faces
from telemetry import metrics

Status = AttendanceRecord.Status


@dataclass(frozen=True)
class FaceOutcome:
    """What the kiosk shows for one face of a snapshot."""

    UNKNOWN = "unknown"
    ALREADY = "already_checked_in"
    CHALLENGE = "challenge"
    REVIEW = "review"  # waits for the teacher (attendance.reviews)
    OUTCOMES = (Status.PRESENT, Status.LATE, ALREADY, UNKNOWN, CHALLENGE, REVIEW)

    box: faces.FaceBox
    outcome: str  # one of OUTCOMES
    distance: float | None
    person: Person | None = None
    record: AttendanceRecord | None = None
    challenge: dict | None = None  # liveness.Verdict.as_dict(): the turns asked, time left


@transaction.atomic
def open_session(*, session: AttendanceSession) -> AttendanceSession:
    # The row is locked and read again: a simultaneous close must not be overwritten with
    # an opened_at after its closed_at.
    session = AttendanceSession.objects.select_for_update().get(pk=session.pk)
    if session.closed_at:
        raise SessionStateError(_("This session is closed and cannot be opened again."))
    if not session.opened_at:
        session.opened_at = timezone.now()
        session.save(update_fields=["opened_at"])
    return session


@transaction.atomic
def close_session(*, session: AttendanceSession, closed_by=None) -> int:
    """Close the session and mark every student without a record absent (its class photos'
    pictures go). Returns that count."""
    session = AttendanceSession.objects.select_for_update().get(pk=session.pk)
    if session.closed_at:
        raise SessionStateError(_("This session is already closed."))
    if not session.opened_at:
        session.opened_at = timezone.now()
    session.closed_at = timezone.now()
    session.save(update_fields=["opened_at", "closed_at"])
    class_photo_files.forget_at_close(session)
    return marks.mark_absent_at_close(session=session, by=closed_by)


@transaction.atomic
def reopen_session(*, session: AttendanceSession) -> int:
    """Undo a close: the absences the close recorded go, a teacher's changes stay.

    Returns how many absences were removed. A session reopened after its end closes
    REOPENED_SESSION_MINUTES later (`reopened_closes_at`), automatically.
    """
    session = AttendanceSession.objects.select_for_update().get(pk=session.pk)
    if not session.closed_at:
        raise SessionStateError(_("This session is not closed."))
    session.closed_at = None
    session.reopened_at = timezone.now()
    session.save(update_fields=["closed_at", "reopened_at"])
    removed, _counts = session.records.filter(method=Method.ABSENT_AT_CLOSE).delete()
    return removed


def reopened_after_end(session: AttendanceSession) -> bool:
    return bool(session.reopened_at and session.reopened_at >= session.ends_at)


def reopened_closes_at(session: AttendanceSession):
    """A session reopened after its end closes REOPENED_SESSION_MINUTES after the reopening
    (the periodic task closes it; check-in stops then); None for any other session."""
    if not reopened_after_end(session):
        return None
    return session.reopened_at + timedelta(minutes=settings.REOPENED_SESSION_MINUTES)


def checkin_window(session: AttendanceSession) -> tuple:
    """When the kiosk takes check-ins: from CHECKIN_EARLY_MINUTES before the start to
    CHECKIN_AFTER_END_MINUTES after the end (or the reopened session's close time)."""
    opens = session.starts_at - timedelta(minutes=settings.CHECKIN_EARLY_MINUTES)
    closes = reopened_closes_at(session) or session.ends_at + timedelta(
        minutes=settings.CHECKIN_AFTER_END_MINUTES
    )
    return opens, closes


def is_past_automatic_close(session: AttendanceSession, now=None) -> bool:
    """An automatically closed session takes no check-ins after its end, even before the
    periodic task has closed it; one reopened after its end, none after its new close time."""
    now = now or timezone.now()
    closes_at = reopened_closes_at(session)
    if closes_at is not None:
        return now >= closes_at
    return session.auto_close and now >= session.ends_at


def ensure_checkin_window(session: AttendanceSession, now=None) -> None:
    """An open session takes check-ins only around its own times (not days before its start
    because it was opened early, nor hours after its end because nobody closed it)."""
    now = now or timezone.now()
    opens, closes = checkin_window(session)
    if now < opens:
        when = timezone.localtime(session.starts_at).strftime("%H:%M")
        raise SessionStateError(
            _("This session starts at %(when)s: check-in opens %(minutes)s minutes before.")
            % {"when": when, "minutes": settings.CHECKIN_EARLY_MINUTES}
        )
    if now > closes:
        when = timezone.localtime(closes).strftime("%H:%M")
        raise SessionStateError(_("Check-in for this session ended at %(when)s.") % {"when": when})


def ensure_open(session: AttendanceSession, now=None) -> None:
    if session.closed_at or is_past_automatic_close(session, now):
        raise SessionStateError(_("This session is closed: check-in is over."))
    if not session.opened_at:
        raise SessionStateError(_("This session is not open yet: ask your teacher to open it."))


def check_in(
    *,
    session: AttendanceSession,
    image_source,
    credential: str = "",
    min_face_px: int | None = None,
) -> list[FaceOutcome]:
    """Identify every face in a snapshot and mark each recognised student of the course once.

    `min_face_px`: the smallest face to look for (default FACE_MIN_DETECT_PX); a kiosk whose
    students stand close asks for more and is answered faster. It is raised as far as the
    frame's size needs to keep detection within CHECKIN_MAX_DETECTION_PIXELS. With the
    course's liveness check on, a student is marked only after passing a head-turn challenge
    over several snapshots from the same `credential` (attendance.liveness). A face just beyond the
    tolerance of a student waits for the teacher (attendance.reviews).

    Raises SessionStateError when the session is not open, faces.ImageRejected when the
    snapshot is not a readable image.
    """
    ensure_open(session)
    ensure_checkin_window(session)
    config = faces.FaceConfig.from_settings()
    image = faces.load_image(image_source, config, max_pixels=settings.CHECKIN_MAX_IMAGE_PIXELS)
    live = liveness.required(session.course)
    detected = faces.find_faces(
        image,
        config,
        min_face_px=checkin_min_face_px(requested=min_face_px, frame_shape=image.shape),
        max_faces=settings.CHECKIN_MAX_FACES,
        landmarks68=live,
    )
    if not detected:
        metrics.count_checkin([])
        return []
    matches, roster = identify_on_roster(session, detected, config)
    now = timezone.now()
    named = [m.person_id for m in matches if m.person_id in roster]
    keep_snapshot(session=session, source=image_source, person_ids=named)
    outcomes = []
    for face, match in zip(detected, matches, strict=True):
        person = roster.get(match.person_id)
        if person is None:
            outcomes.append(_not_named(session, image, face, match, roster, now))
            continue
        when, passed = now, ""
        verdict = _liveness_verdict(session, person, face, credential, now) if live else None
        if verdict is not None:  # the head-turn challenge comes before the mark
            if not verdict.passed:
                challenge = verdict.as_dict()
                outcome = FaceOutcome.CHALLENGE
                outcomes.append(
                    FaceOutcome(face.box, outcome, match.distance, person, None, challenge)
                )
                continue
            when, passed = verdict.started_at, liveness.PASSED
        record, created = marks.mark(
            session=session,
            person=person,
            method=Method.FACE,
            when=when,
            distance=match.distance,
            liveness=passed,
        )
        if created:  # recognised after all: a review of them waits for nothing
            reviews.drop_pending_review(session=session, person=person)
        outcome = record.status if created else FaceOutcome.ALREADY
        outcomes.append(FaceOutcome(face.box, outcome, match.distance, person, record))
    metrics.count_checkin([o.outcome for o in outcomes])
    return outcomes


def _liveness_verdict(session, person, face, credential, now) -> liveness.Verdict | None:
    """This frame's step of the person's head-turn challenge; None for a student
    who already has a record (not challenged: the caller reports them as checked in)."""
    if AttendanceRecord.objects.filter(session=session, person=person).exists():
        return None
    return liveness.evaluate(
        session_id=session.pk, person_id=person.pk, credential=credential, face=face, now=now
    )


def _not_named(session, image, face, match, roster, now) -> FaceOutcome:
    """A face beyond the tolerance is never named: in the review band of a roster student
    not marked yet it waits for the teacher; otherwise (no candidate, or one already marked,
    whom a stranger's face may resemble as closely) it is logged as unrecognised."""
    course = session.course
    candidate = roster.get(match.candidate_id)
    band = reviews.classify(
        match,
        tolerance=course.effective_tolerance,
        margin=reviews.margin_for(course=course, person=candidate),
    )
    if band == reviews.REVIEW and candidate is not None and not _marked(session, candidate):
        reviews.hold_for_review(
            session=session,
            person=candidate,
            image=image,
            box=face.box,
            distance=match.distance,
            when=now,
        )
        return FaceOutcome(face.box, FaceOutcome.REVIEW, match.distance)
    attempts.log_unrecognised(session=session, image=image, box=face.box, when=now)
    return FaceOutcome(face.box, FaceOutcome.UNKNOWN, match.distance)


def _marked(session, person) -> bool:
    return (
        AttendanceRecord.objects.filter(session=session, person=person)
        .exclude(status=Status.ABSENT)
        .exists()
    )


def identify_on_roster(session, detected, config) -> tuple[list, dict[int, Person]]:
    """The course model's match for each face, and the roster students it could name or
    propose for review (active, with consent: withdrawn means never marked, even by a
    model trained before the withdrawal)."""
    _version, model = model_cache.current_model(
        session.course_id,
        encoder=config.encoder_name,
        on_unreadable=lambda course_id: training.request_training([course_id]),
    )
    if model is None:
        matches = [classifier.Match(person_id=None, distance=None)] * len(detected)
    else:
        probes = [face.encoding for face in detected]
        tolerance = session.course.effective_tolerance
        matches = classifier.identify(model, probes, tolerance)
        matches = reviews.trust_poor_photos_less(matches, tolerance=tolerance)
    roster = {
        person.pk: person
        for person in session.course.roster.filter(
            is_active=True,
            consent_recorded_on__isnull=False,
            pk__in=[m.candidate_id for m in matches if m.candidate_id],
        )
    }
    return matches, roster


def record_faces(session, detected, matches, roster, when, method) -> list[FaceOutcome]:
    """Mark each named roster student once (present or late as of `when`): a class photo."""
    outcomes = []
    for face, match in zip(detected, matches, strict=True):
        person = roster.get(match.person_id)
        if person is None:
            outcomes.append(FaceOutcome(face.box, FaceOutcome.UNKNOWN, match.distance))
            continue
        record, created = marks.mark(
            session=session, person=person, method=method, when=when, distance=match.distance
        )
        outcome = record.status if created else FaceOutcome.ALREADY
        outcomes.append(FaceOutcome(face.box, outcome, match.distance, person, record))
    return outcomes


def set_status(*, session: AttendanceSession, person: Person, status: str, changed_by):
    """A teacher's correction: recorded as manual, with who made it and when."""
    return marks.mark(
        session=session, person=person, method=Method.MANUAL, status=status, by=changed_by
    ).record


def rotate_kiosk_token(*, session: AttendanceSession) -> str:
    from attendance.models import new_kiosk_token

    session.kiosk_token = new_kiosk_token()
    session.save(update_fields=["kiosk_token"])
    return session.kiosk_token
