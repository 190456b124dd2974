"""Attendance: opening and closing sessions, face check-in, and teachers' corrections."""

from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from attendance import attempts, liveness, reviews
from attendance.models import AttendanceRecord, AttendanceSession
from attendance.snapshots import keep_snapshot
from people import training
from people.models import Person
from recognition import classifier, faces, model_cache
from telemetry import metrics

Status = AttendanceRecord.Status


class SessionStateError(Exception):
    """The session is not in a state that allows this (message is for people)."""


class NotOnRoster(ValueError):
    """The person is not a student of the session's course."""


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
    challenge: dict | None = None  # {"turn": "left"|"right", "expires_in": s}


@transaction.atomic
def open_session(*, session: AttendanceSession) -> AttendanceSession:
    # The row is locked and read again: a simultaneous close must not be overwritten with
    # an opened_at after its closed_at.
    session = AttendanceSession.objects.select_for_update().get(pk=session.pk)
    if session.closed_at:
        raise SessionStateError("This session is closed and cannot be opened again.")
    if not session.opened_at:
        session.opened_at = timezone.now()
        session.save(update_fields=["opened_at"])
    return session


@transaction.atomic
def close_session(*, session: AttendanceSession, closed_by=None) -> int:
    """Close the session and mark every student without a record absent. Returns that count."""
    session = AttendanceSession.objects.select_for_update().get(pk=session.pk)
    if session.closed_at:
        raise SessionStateError("This session is already closed.")
    if not session.opened_at:
        session.opened_at = timezone.now()
    session.closed_at = timezone.now()
    session.save(update_fields=["opened_at", "closed_at"])
    missing = session.course.roster.filter(is_active=True).exclude(
        attendance_records__session=session
    )
    absent = [
        AttendanceRecord(
            session=session,
            person=person,
            status=Status.ABSENT,
            method=AttendanceRecord.Method.ABSENT_AT_CLOSE,
            changed_by=closed_by,
        )
        for person in missing
    ]
    AttendanceRecord.objects.bulk_create(absent, ignore_conflicts=True)
    return len(absent)


@transaction.atomic
def reopen_session(*, session: AttendanceSession) -> int:
    """Undo a close: the absences the close recorded go, a teacher's changes stay.

    Returns how many absences were removed. A session reopened after its end is no longer
    closed automatically.
    """
    session = AttendanceSession.objects.select_for_update().get(pk=session.pk)
    if not session.closed_at:
        raise SessionStateError("This session is not closed.")
    session.closed_at = None
    session.reopened_at = timezone.now()
    session.save(update_fields=["closed_at", "reopened_at"])
    removed, _ = session.records.filter(method=AttendanceRecord.Method.ABSENT_AT_CLOSE).delete()
    return removed


def is_past_automatic_close(session: AttendanceSession, now=None) -> bool:
    """An automatically closed session takes no check-ins after its end, even before the
    periodic task has closed it; unless the teacher reopened it after the end."""
    now = now or timezone.now()
    reopened_late = session.reopened_at and session.reopened_at >= session.ends_at
    return session.auto_close and now >= session.ends_at and not reopened_late


def ensure_open(session: AttendanceSession) -> None:
    if session.closed_at or is_past_automatic_close(session):
        raise SessionStateError("This session is closed: check-in is over.")
    if not session.opened_at:
        raise SessionStateError("This session is not open yet: ask your teacher to open it.")


def check_in(
    *,
    session: AttendanceSession,
    image_source,
    credential: str = "",
    min_face_px: int | None = None,
) -> list[FaceOutcome]:
    """Identify every face in a snapshot and mark each recognised student of the course once.

    `min_face_px`: the smallest face to look for (default FACE_MIN_DETECT_PX); a kiosk whose
    students stand close asks for more and is answered faster. With the course's liveness
    check on, a student is marked only after passing a head-turn challenge over several
    snapshots from the same `credential` (attendance.liveness). A face just beyond the
    tolerance of a student waits for the teacher (attendance.reviews).

    Raises SessionStateError when the session is not open, faces.ImageRejected when the
    snapshot is not a readable image.
    """
    ensure_open(session)
    config = faces.FaceConfig.from_settings()
    image = faces.load_image(image_source, config, max_pixels=settings.CHECKIN_MAX_IMAGE_PIXELS)
    live = liveness.required(session.course)
    detected = faces.find_faces(
        image,
        config,
        min_face_px=min_face_px,
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
        record, created = record_face(session, person, match.distance, when, passed=passed)
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
    """A face beyond the tolerance: in the review band of a roster student it waits for the
    teacher (or greets a student already marked); otherwise it is logged as unrecognised."""
    course = session.course
    band = reviews.classify(
        match, tolerance=course.effective_tolerance, margin=course.review_margin
    )
    candidate = roster.get(match.candidate_id)
    if band == reviews.REVIEW and candidate is not None:
        record = AttendanceRecord.objects.filter(session=session, person=candidate).first()
        if record is not None and record.status != Status.ABSENT:
            return FaceOutcome(face.box, FaceOutcome.ALREADY, match.distance, candidate, record)
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


def identify_on_roster(session, detected, config) -> tuple[list, dict[int, Person]]:
    """The course model's match for each face, and the roster students it could name or
    propose for review (active, with consent: withdrawn means never marked, even by a
    model trained before the withdrawal)."""
    _, model = model_cache.current_model(
        session.course_id,
        encoder=config.encoder_name,
        on_unreadable=lambda course_id: training.request_training([course_id]),
    )
    if model is None:
        matches = [classifier.Match(person_id=None, distance=None)] * len(detected)
    else:
        probes = [face.encoding for face in detected]
        matches = classifier.identify(model, probes, session.course.effective_tolerance)
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
        record, created = record_face(session, person, match.distance, when, method=method)
        outcome = record.status if created else FaceOutcome.ALREADY
        outcomes.append(FaceOutcome(face.box, outcome, match.distance, person, record))
    return outcomes


def record_face(
    session, person, distance, when, *, method=AttendanceRecord.Method.FACE, passed=""
) -> tuple[AttendanceRecord, bool]:
    """Mark a recognised face: at most one record per person and session, even under
    simultaneous check-ins. Returns the record and whether it was created now."""
    status = Status.LATE if session.is_late(when) else Status.PRESENT
    fields = {
        "status": status,
        "method": method,
        "distance": distance,
        "recorded_at": when,
        "liveness": passed,
    }
    try:
        with transaction.atomic():
            return AttendanceRecord.objects.get_or_create(
                session=session, person=person, defaults=fields
            )
    except IntegrityError:  # a simultaneous check-in of the same person won the race
        return AttendanceRecord.objects.get(session=session, person=person), False


def set_status(*, session: AttendanceSession, person: Person, status: str, changed_by):
    """A teacher's correction: recorded as manual, with who made it and when."""
    if status not in Status.values:
        raise ValueError(f"Unknown status {status!r}.")
    if not session.course.roster.filter(pk=person.pk).exists():
        raise NotOnRoster(f"{person.full_name} is not on this course's roster.")
    record, _ = AttendanceRecord.objects.update_or_create(
        session=session,
        person=person,
        defaults={
            "status": status,
            "method": AttendanceRecord.Method.MANUAL,
            "changed_by": changed_by,
        },
    )
    return record


def rotate_kiosk_token(*, session: AttendanceSession) -> str:
    from attendance.models import new_kiosk_token

    session.kiosk_token = new_kiosk_token()
    session.save(update_fields=["kiosk_token"])
    return session.kiosk_token
