"""Class-photo roll call: one picture of the class marks every recognised student.

The upload is stored as pending and a Celery task (after the commit) detects, encodes and
identifies every face with the check-in code of attendance.services, marks the roster
students found (method "class photo"), and keeps per face its box, person and outcome,
never its encoding. A processed picture is kept while the session is open (see
attendance.class_photo_files), a failed one is deleted at once. Unknown faces can be
assigned to a roster student by the teacher, which marks that student.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from attendance import marks, services
from attendance.errors import NoSuchFace
from attendance.marks import Method
from attendance.models import AttendanceSession, ClassPhoto
from jobs import durable
from people.models import Person
from people.services import UploadRefused, validate_upload
from recognition import faces

ASSIGNED = "assigned"
GAVE_UP = ClassPhoto.job_gave_up_reason
MISSING_FILE = gettext_noop("The photo file is missing.")


def validate_class_photo_upload(upload) -> None:
    """Present, not empty, at most CLASS_PHOTO_MAX_UPLOAD_BYTES (its own limit), and from its
    header an image of a supported format, size and shape: refused at once, not stored."""
    validate_upload(upload, max_bytes=settings.CLASS_PHOTO_MAX_UPLOAD_BYTES, what="class photos")
    try:
        faces.check_image_header(upload, max_pixels=settings.CLASS_PHOTO_MAX_PIXELS)
    except faces.ImageRejected as rejection:
        raise UploadRefused(rejection.message) from None


@transaction.atomic
def submit_class_photo(*, session: AttendanceSession, upload, uploaded_by=None) -> ClassPhoto:
    """Keep the upload as pending and queue its processing once the row is committed."""
    validate_class_photo_upload(upload)
    services.ensure_open(session)
    photo = ClassPhoto.objects.create(session=session, image=upload, uploaded_by=uploaded_by)
    durable.enqueue(photo)  # with the broker down the photo stays pending for the sweep
    return photo


def process_class_photo(*, photo_id: int) -> str | None:
    """Detect, identify and mark. Returns the new status, None if the photo is gone."""
    photo = durable.claim(ClassPhoto, photo_id)
    if photo is None:
        return None
    config = replace(
        faces.FaceConfig.from_settings(), max_image_pixels=settings.CLASS_PHOTO_MAX_PIXELS
    )
    try:
        with photo.image.open("rb") as handle:
            image = faces.load_image(handle, config)
    except faces.ImageRejected as rejection:
        return _finish(photo, ClassPhoto.Status.FAILED, error=rejection.message)
    except FileNotFoundError:
        return _finish(photo, ClassPhoto.Status.FAILED, error=MISSING_FILE)
    cap = settings.CLASS_PHOTO_MAX_FACES
    # One face more than the cap tells whether any was left out (the largest are kept).
    detected = faces.find_faces(image, config, max_faces=cap + 1)
    photo.faces_capped_at = cap if len(detected) > cap else None
    if len(detected) > cap:
        smallest = min(detected, key=lambda face: face.box.width * face.box.height)
        detected = [face for face in detected if face is not smallest]
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


def give_up(photo: ClassPhoto) -> bool:
    """Out of attempts: the photo fails with its reason (unless it finished meanwhile)."""
    return _finish(photo, ClassPhoto.Status.FAILED, error=GAVE_UP, mine=False) is not None


@transaction.atomic
def _finish(photo: ClassPhoto, status: str, error: str = "", mine: bool = True) -> str | None:
    """Store the outcome while the claim is still this delivery's (jobs.durable.finish)."""
    keep = status == ClassPhoto.Status.DONE  # until the session closes: class_photo_files
    fields = {
        "error": error,
        "finished_at": timezone.now(),
        "faces": photo.faces,
        "faces_capped_at": photo.faces_capped_at,
    }
    if photo.width is not None:
        fields.update(width=photo.width, height=photo.height)
    name, storage = photo.image.name, photo.image.storage
    if name and not keep:
        fields["image"] = ""
    if not durable.finish(photo, status, mine=mine, **fields):
        return None
    if "image" in fields:
        transaction.on_commit(partial(storage.delete, name))
    return status


@transaction.atomic
def assign_face(*, photo: ClassPhoto, face: int, person: Person, assigned_by) -> dict:
    """The teacher names an unknown face: that roster student is marked (class photo)."""
    photo = ClassPhoto.objects.select_for_update().get(pk=photo.pk)
    session = photo.session
    if photo.status != ClassPhoto.Status.DONE:
        raise services.SessionStateError(_("This photo is not processed yet."))
    if not 0 <= face < len(photo.faces):
        raise NoSuchFace(_("This photo has no face %(face)s.") % {"face": face})
    entry = photo.faces[face]
    if entry["person"] is not None:
        raise services.SessionStateError(_("This face is already named."))
    record, _created = marks.mark(
        session=session,
        person=person,
        method=Method.CLASS_PHOTO,
        when=photo.uploaded_at,
        by=assigned_by,
    )
    entry.update(person=person.pk, outcome=ASSIGNED, status=record.status)
    photo.save(update_fields=["faces"])
    return entry
