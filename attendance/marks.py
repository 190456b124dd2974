"""The one writer of attendance marks: every entry point that marks a student calls `mark`.

Kiosk and API check-ins, class photos, a teacher naming a face of a class photo, a teacher
confirming a review, a teacher setting a status (dashboard and API), a teacher marking
everyone remaining, and closing a session all go through here, so the rules are written once:

| method                | status                      | when a record already exists      |
|-----------------------|-----------------------------|-----------------------------------|
| face, class photo     | present, or late after      | kept (the first write wins)       |
|                       | the session's late mark     |                                   |
| confirmed (a review)  | present or late, as a face  | kept, except an absence: replaced |
| manual (a teacher)    | the status the teacher set  | replaced                          |
| absent at close       | absent                      | kept (the first write wins)       |

`by` is recorded as `changed_by` whenever this call writes. The person must be on the
course's roster (and active, unless a teacher sets a status by hand), else `NotOnRoster`.
At most one record per person and session, even under simultaneous writers.
"""

from typing import NamedTuple

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from attendance.errors import NotOnRoster
from attendance.models import AttendanceRecord, AttendanceSession

Status = AttendanceRecord.Status
Method = AttendanceRecord.Method
FACE_METHODS = (Method.FACE, Method.CLASS_PHOTO, Method.CONFIRMED)


class Mark(NamedTuple):
    record: AttendanceRecord
    written: bool  # False: an earlier record was kept as it was


def status_for(*, session: AttendanceSession, method: str, when, status: str | None) -> str:
    """The status a write of `method` at `when` gives: present/late is decided here only."""
    if method == Method.MANUAL:
        if status not in Status.values:
            raise ValueError(f"Unknown status {status!r}.")
        return status
    if status is not None:
        raise ValueError("Only a teacher's manual mark names its status.")
    if method == Method.ABSENT_AT_CLOSE:
        return Status.ABSENT
    if method not in FACE_METHODS:
        raise ValueError(f"Unknown method {method!r}.")
    return Status.LATE if session.is_late(when) else Status.PRESENT


def replaces(existing: AttendanceRecord, method: str) -> bool:
    """Whether a write of `method` replaces the record already there."""
    if method == Method.MANUAL:
        return True
    return method == Method.CONFIRMED and existing.status == Status.ABSENT


def ensure_on_roster(*, session: AttendanceSession, person, method: str) -> None:
    roster = session.course.roster.filter(pk=person.pk)
    if method != Method.MANUAL:
        roster = roster.filter(is_active=True)
    if not roster.exists():
        raise NotOnRoster(
            _("%(name)s is not on this course's roster.") % {"name": person.full_name}
        )


def mark(
    *,
    session: AttendanceSession,
    person,
    method: str,
    when=None,
    by=None,
    status: str | None = None,
    distance: float | None = None,
    liveness: str = "",
) -> Mark:
    """Write (or keep) the person's record of the session by the rules of the table above.

    `when` is the moment of the face (capture time) and decides present or late; `status` is
    only for a teacher's manual change. Returns the record and whether this call wrote it.
    """
    when = when or timezone.now()
    new_status = status_for(session=session, method=method, when=when, status=status)
    ensure_on_roster(session=session, person=person, method=method)
    fields = {"status": new_status, "method": method, "changed_by": by}
    if method in FACE_METHODS:
        fields |= {"distance": distance, "recorded_at": when, "liveness": liveness}
    with transaction.atomic():
        existing = (
            AttendanceRecord.objects.select_for_update()
            .filter(session=session, person=person)
            .first()
        )
        if existing is None:
            created = _create(session, person, {"recorded_at": when, **fields})
            if created is not None:
                return Mark(created, True)
            existing = AttendanceRecord.objects.select_for_update().get(
                session=session, person=person
            )
        if not replaces(existing, method):
            return Mark(existing, False)
        for name, value in fields.items():
            setattr(existing, name, value)
        existing.save(update_fields=[*fields, "updated_at"])
        return Mark(existing, True)


def _create(session, person, fields) -> AttendanceRecord | None:
    """The new record, or None when a simultaneous writer created one first."""
    try:
        with transaction.atomic():
            return AttendanceRecord.objects.create(session=session, person=person, **fields)
    except IntegrityError:
        return None


def mark_absent_at_close(*, session: AttendanceSession, by=None) -> int:
    """Closing: every active roster student without a record is marked absent (the rule of
    `mark` for "absent at close"). Returns how many were marked."""
    status = status_for(session=session, method=Method.ABSENT_AT_CLOSE, when=None, status=None)
    return _mark_missing(session, status=status, method=Method.ABSENT_AT_CLOSE, by=by)


def mark_remaining(*, session: AttendanceSession, status: str, by) -> int:
    """A teacher's "mark all remaining": every active roster student without a record gets
    `status` as a manual mark; nobody already marked is touched. Returns how many."""
    status = status_for(session=session, method=Method.MANUAL, when=None, status=status)
    return _mark_missing(session, status=status, method=Method.MANUAL, by=by)


def _mark_missing(session: AttendanceSession, *, status: str, method: str, by) -> int:
    """One statement for a roster of any size; a record written meanwhile is kept."""
    missing = session.course.roster.filter(is_active=True).exclude(
        attendance_records__session=session
    )
    fields = {"session": session, "status": status, "method": method, "changed_by": by}
    rows = [AttendanceRecord(person=person, **fields) for person in missing.only("pk")]
    created = AttendanceRecord.objects.bulk_create(rows, ignore_conflicts=True)
    return len(created)
