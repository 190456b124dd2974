"""Training course classifiers: one request flag per course, one version per training.

How a burst of changes turns into few trainings, with a single mechanism:

- `request_training` sets the course's `training_requested_at` flag and queues a task only
  when the flag was clear, so requests made while one is queued merge into it.
- The task (`run_requested_training`) trains only when no photo of the course is still
  being encoded. Otherwise it clears the flag and stops: the photo that finishes last
  requests the training again (every finished photo does). A burst of uploads therefore
  trains once, after its last photo.
- A request whose task was lost (broker down, worker killed) keeps its flag: the periodic
  sweep sends it again. A training that fails after its retries clears the flag
  (`give_up_training`), so a broken course is not retried forever; its next change
  requests a new one.
- A training whose input (the roster's ready encodings of the current encoder) is the
  one the stored model was made from stores nothing new.

The classifier row is locked while its flag is read and changed, by the task and by
`request_training`, so a photo finishing during that check is never lost.
"""

import hashlib
import logging
from functools import partial

from django.db import transaction
from django.utils import timezone

from people.models import Course, CourseClassifier, EnrollmentPhoto
from recognition import classifier, encoding, faces

logger = logging.getLogger(__name__)

RESEND_AFTER_SECONDS = 120


def request_training(course_ids) -> None:
    """Flag each course for training and queue a task unless one is queued already."""
    for course_id in sorted(set(course_ids)):
        CourseClassifier.objects.get_or_create(course_id=course_id)
        with transaction.atomic():
            row = CourseClassifier.objects.select_for_update().get(course_id=course_id)
            if row.training_requested_at is not None:
                continue
            row.training_requested_at = timezone.now()
            row.save(update_fields=["training_requested_at"])
            transaction.on_commit(partial(_send_training_task, course_id))


def request_training_for_person(person_id: int) -> None:
    request_training(Course.objects.filter(roster=person_id).values_list("pk", flat=True))


def _send_training_task(course_id: int) -> None:
    from people.tasks import run_requested_training

    try:
        run_requested_training.delay(course_id)
    except Exception:  # broker down: the sweep re-sends old requests
        logger.warning("could not queue training of course %s", course_id, exc_info=True)


def encoding_in_progress(course_id: int) -> bool:
    """Photos of the course queued or being encoded now (stalled ones are the sweep's)."""
    return (
        EnrollmentPhoto.objects.busy()
        .filter(person__courses=course_id, status_changed_at__gte=EnrollmentPhoto.stalled_cutoff())
        .exists()
    )


def run_requested_training(*, course_id: int) -> int | None:
    """What the task does: train now, or leave it to the last photo still encoding.

    Returns the stored version, or None when nothing was trained.
    """
    with transaction.atomic():
        row = CourseClassifier.objects.select_for_update().filter(course_id=course_id).first()
        if row is None:
            return None
        if encoding_in_progress(course_id):
            row.training_requested_at = None
            row.save(update_fields=["training_requested_at"])
            return None
    return train_course_now(course_id=course_id)


def roster_encodings(course_id: int, encoder: str) -> tuple[object, object]:
    """The (N, 128) encodings and person ids of the course's ready photos of `encoder`."""
    rows = list(
        EnrollmentPhoto.objects.filter(
            person__courses=course_id,
            status=EnrollmentPhoto.Status.READY,
            encoder=encoder,
            encoding__isnull=False,
        )
        .order_by("pk")
        .values_list("person_id", "encoding")
    )
    labels = [person_id for person_id, _ in rows]
    return encoding.unpack_many(data for _, data in rows), labels


def _digest(encoder: str, encodings, labels) -> str:
    hasher = hashlib.sha256(f"{encoder}/{classifier.FORMAT_VERSION}".encode())
    hasher.update(bytes(memoryview(encodings)))
    hasher.update(",".join(map(str, labels)).encode())
    return hasher.hexdigest()


def train_course_now(*, course_id: int) -> int | None:
    """Train from the roster's ready encodings and store the result as the next version.

    Only encodings of the current encoder are used (others are queued for re-encoding by
    the sweep). The classifier row stays locked from reading the encodings to saving the
    model, so two trainings of one course run one after the other and each stores a whole,
    current model. Returns the stored version (unchanged when the input is the same as the
    stored model's), or None when the course no longer exists.
    """
    if not Course.objects.filter(pk=course_id).exists():
        return None
    encoder = faces.FaceConfig.from_settings().encoder_name
    CourseClassifier.objects.get_or_create(course_id=course_id)
    with transaction.atomic():
        row = CourseClassifier.objects.select_for_update().get(course_id=course_id)
        row.training_requested_at = None  # requests from now on queue another run
        encodings, labels = roster_encodings(course_id, encoder)
        digest = _digest(encoder, encodings, labels)
        if row.version and digest == row.input_digest:
            row.save(update_fields=["training_requested_at"])
            logger.info("course %s: encodings unchanged, v%s kept", course_id, row.version)
            return row.version
        model = classifier.train(encodings, labels)
        row.model_data = classifier.to_bytes(model)
        row.encoder = encoder
        row.input_digest = digest
        row.version += 1
        row.trained_at = timezone.now()
        row.people_count = len(model.person_ids)
        row.photos_count = len(labels)
        row.save()
    logger.info("trained course %s: v%s, %s people", course_id, row.version, row.people_count)
    return row.version


def give_up_training(*, course_id: int) -> None:
    """After the task's last retry: clear the request so the sweep does not resend it."""
    logger.error("training of course %s failed; it waits for the next change", course_id)
    CourseClassifier.objects.filter(course_id=course_id).update(training_requested_at=None)


def resend_lost_training_requests() -> int:
    """Requests older than RESEND_AFTER_SECONDS lost their task: send them again."""
    cutoff = timezone.now() - timezone.timedelta(seconds=RESEND_AFTER_SECONDS)
    lost = list(
        CourseClassifier.objects.filter(training_requested_at__lt=cutoff).values_list(
            "course_id", flat=True
        )
    )
    for course_id in lost:
        _send_training_task(course_id)
    return len(lost)
