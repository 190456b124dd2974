"""Attendance: opening and closing sessions, face check-in, and teachers' corrections."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from attendance.models import AttendanceRecord, AttendanceSession
from attendance.snapshots import keep_snapshot
from people.models import Person
from recognition import classifier, faces, registry

Status = AttendanceRecord.Status


class SessionStateError(Exception):
    """The session is not in a state that allows this (message is for people)."""


@dataclass(frozen=True)
class FaceOutcome:
    """What the kiosk shows for one face of a snapshot."""

    UNKNOWN = "unknown"
    ALREADY = "already_checked_in"

    box: faces.FaceBox
    outcome: str  # present, late, already_checked_in or unknown
    distance: float | None
    person: Person | None = None
    record: AttendanceRecord | None = None


def open_session(*, session: AttendanceSession) -> AttendanceSession:
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
            method=AttendanceRecord.Method.MANUAL,
            changed_by=closed_by,
        )
        for person in missing
    ]
    AttendanceRecord.objects.bulk_create(absent, ignore_conflicts=True)
    return len(absent)


def ensure_open(session: AttendanceSession) -> None:
    if session.closed_at:
        raise SessionStateError("This session is closed: check-in is over.")
    if not session.opened_at:
        raise SessionStateError("This session is not open yet: ask your teacher to open it.")


def check_in(
    *, session: AttendanceSession, image_source, min_face_px: int | None = None
) -> list[FaceOutcome]:
    """Identify every face in a snapshot and mark each recognised student of the course once.

    `min_face_px`: the smallest face to look for (default FACE_MIN_DETECT_PX); a kiosk whose
    students stand close asks for more and is answered faster. Raises SessionStateError when
    the session is not open, faces.ImageRejected when the snapshot is not a readable image.
    """
    ensure_open(session)
    image = faces.load_image(image_source)
    detected = faces.find_faces(image, min_face_px=min_face_px)
    if not detected:
        return []
    matches, roster = identify_on_roster(session, detected)
    keep_snapshot(session=session, source=image_source, person_ids=list(roster))
    return record_faces(session, detected, matches, roster, timezone.now())


def identify_on_roster(session, detected) -> tuple[list, dict[int, Person]]:
    """The course model's match for each face, and the active roster students matched."""
    _, model = registry.current_model(session.course_id)
    probes = [face.encoding for face in detected]
    if model is None:
        matches = [classifier.Match(person_id=None, distance=None)] * len(detected)
    else:
        matches = classifier.identify(model, probes, session.course.effective_tolerance)
    roster = {
        person.pk: person
        for person in session.course.roster.filter(
            is_active=True, pk__in=[m.person_id for m in matches if m.person_id]
        )
    }
    return matches, roster


def record_faces(session, detected, matches, roster, now, method="face") -> list[FaceOutcome]:
    """Mark each recognised roster student once (present or late as of `now`)."""
    outcomes = []
    for face, match in zip(detected, matches, strict=True):
        person = roster.get(match.person_id)
        if person is None:
            outcomes.append(FaceOutcome(face.box, FaceOutcome.UNKNOWN, match.distance))
            continue
        record, created = _record_face_check_in(session, person, match.distance, now, method)
        outcome = record.status if created else FaceOutcome.ALREADY
        outcomes.append(FaceOutcome(face.box, outcome, match.distance, person, record))
    return outcomes


def _record_face_check_in(
    session, person, distance, when, method="face"
) -> tuple[AttendanceRecord, bool]:
    """At most one record per person and session, even under simultaneous check-ins."""
    status = Status.LATE if session.is_late(when) else Status.PRESENT
    fields = {"status": status, "method": method, "distance": distance, "recorded_at": when}
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
        raise SessionStateError(f"{person.full_name} is not on this course's roster.")
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
