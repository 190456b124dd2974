"""Class-photo roll call: one picture of the class marks every recognised student.

The upload is stored as pending and a Celery task (after the commit) detects, encodes and
identifies every face with the check-in code of attendance.services, marks the roster
students found (method "class photo"), and keeps per face its box, person and outcome,
never its encoding. The picture is deleted once processed unless check-in snapshots are
kept (CHECKIN_SNAPSHOT_RETENTION_DAYS > 0). Unknown faces can be assigned to a roster
student by the teacher, which marks that student.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from attendance import marks, services
from attendance.errors import NoSuchFace
from attendance.marks import Method
from attendance.models import AttendanceSession, ClassPhoto
from people.models import Person
from people.services import validate_upload
from recognition import faces

logger = logging.getLogger(__name__)
ASSIGNED = "assigned"
GAVE_UP = "The photo could not be processed. Try again, or upload it once more."


def validate_class_photo_upload(upload) -> None:
    """Present, not empty, at most CLASS_PHOTO_MAX_UPLOAD_BYTES (its own limit)."""
    validate_upload(upload, max_bytes=settings.CLASS_PHOTO_MAX_UPLOAD_BYTES, what="class photos")


@transaction.atomic
def submit_class_photo(*, session: AttendanceSession, upload, uploaded_by=None) -> ClassPhoto:
    """Keep the upload as pending and queue its processing once the row is committed."""
    validate_class_photo_upload(upload)
    services.ensure_open(session)
    photo = ClassPhoto.objects.create(session=session, image=upload, uploaded_by=uploaded_by)
    from attendance.tasks import process_class_photo

    transaction.on_commit(partial(_send, process_class_photo, photo.pk))
    return photo


def _send(task, photo_id: int) -> None:
    try:
        task.delay(photo_id)
    except Exception:  # broker down: the photo stays pending and says so
        logger.warning("could not queue class photo %s", photo_id, exc_info=True)


def process_class_photo(*, photo_id: int) -> str | None:
    """Detect, identify and mark. Returns the new status, None if the photo is gone."""
    claimed = ClassPhoto.objects.filter(
        pk=photo_id, status__in=[ClassPhoto.Status.PENDING, ClassPhoto.Status.PROCESSING]
    ).update(status=ClassPhoto.Status.PROCESSING)
    if not claimed:
        return None
    photo = ClassPhoto.objects.select_related("session__course").get(pk=photo_id)
    config = replace(
        faces.FaceConfig.from_settings(), max_image_pixels=settings.CLASS_PHOTO_MAX_PIXELS
    )
    try:
        with photo.image.open("rb") as handle:
            image = faces.load_image(handle, config)
    except faces.ImageRejected as rejection:
        return _finish(photo, ClassPhoto.Status.FAILED, error=rejection.message)
    except FileNotFoundError:
        return _finish(photo, ClassPhoto.Status.FAILED, error="The photo file is missing.")
    detected = faces.find_faces(image, config)
    photo.height, photo.width = image.shape[:2]
    del image
    session = photo.session
    outcomes = []
    if detected:
        matches, roster = services.identify_on_roster(session, detected, config)
        outcomes = services.record_faces(
            session, detected, matches, roster, photo.uploaded_at, method=Method.CLASS_PHOTO
        )
    photo.faces = [
        {
            "box": o.box.as_dict(),
            "person": o.person.pk if o.person else None,
            "outcome": o.outcome,
            "distance": None if o.distance is None else round(float(o.distance), 4),
        }
        for o in outcomes
    ]
    return _finish(photo, ClassPhoto.Status.DONE)


def give_up(*, photo_id: int) -> None:
    photo = ClassPhoto.objects.filter(pk=photo_id).first()
    if photo is not None and photo.status != ClassPhoto.Status.DONE:
        _finish(photo, ClassPhoto.Status.FAILED, error=GAVE_UP)


def _finish(photo: ClassPhoto, status: str, error: str = "") -> str:
    photo.status, photo.error, photo.finished_at = status, error, timezone.now()
    keep = settings.CHECKIN_SNAPSHOT_RETENTION_DAYS > 0 and status == ClassPhoto.Status.DONE
    if photo.image and not keep:
        name, storage = photo.image.name, photo.image.storage
        photo.image = ""
        transaction.on_commit(partial(storage.delete, name))
    photo.save()
    return status


@transaction.atomic
def assign_face(*, photo: ClassPhoto, face: int, person: Person, assigned_by) -> dict:
    """The teacher names an unknown face: that roster student is marked (class photo)."""
    photo = ClassPhoto.objects.select_for_update().get(pk=photo.pk)
    session = photo.session
    if photo.status != ClassPhoto.Status.DONE:
        raise services.SessionStateError("This photo is not processed yet.")
    if not 0 <= face < len(photo.faces):
        raise NoSuchFace(f"This photo has no face {face}.")
    entry = photo.faces[face]
    if entry["person"] is not None:
        raise services.SessionStateError("This face is already named.")
    record, _ = marks.mark(
        session=session,
        person=person,
        method=Method.CLASS_PHOTO,
        when=photo.uploaded_at,
        by=assigned_by,
    )
    entry.update(person=person.pk, outcome=ASSIGNED, status=record.status)
    photo.save(update_fields=["faces"])
    return entry


def purge_kept_class_photos(*, now=None) -> int:
    """Delete kept pictures older than the snapshot retention (rows and results stay)."""
    from datetime import timedelta

    days = max(settings.CHECKIN_SNAPSHOT_RETENTION_DAYS, 0)
    cutoff = (now or timezone.now()) - timedelta(days=days)
    count = 0
    for photo in ClassPhoto.objects.filter(uploaded_at__lt=cutoff).exclude(image=""):
        name, storage = photo.image.name, photo.image.storage
        ClassPhoto.objects.filter(pk=photo.pk).update(image="")
        transaction.on_commit(partial(storage.delete, name))
        count += 1
    return count
