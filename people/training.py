"""Training course classifiers: one queued request per course, one version per training.

How a burst of changes turns into few trainings, with the one job mechanism (jobs.durable):

- `request_training` adds a queued `TrainingRequest` for the course unless one is queued
  already (a unique constraint on queued requests), so requests made while one waits merge
  into it. Its task is sent after the commit; with the broker down the request stays
  queued and the sweep sends it again.
- The task (`run_requested_training`) claims the request (compare-and-set) and trains only
  when no photo of the course is still being encoded. Otherwise the request ends done and
  the photo that finishes last requests the training again (every finished photo does): a
  burst of uploads therefore trains once, after its last photo. A photo finishing while the
  request is claimed adds a new queued request, so no change is missed.
- A training covers the requests queued before it read the encodings (they end done
  without running), whether it ran from a request or was called directly.
- A training that keeps failing ends `failed` with its reason after the job's attempts, so a
  broken course is not retried forever; its next change requests a new one.
- A training whose input (the roster's ready encodings of the current encoder) is the
  one the stored model was made from stores nothing new.
"""

import hashlib
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from jobs import durable
from people.models import Course, CourseClassifier, EnrollmentPhoto, TrainingRequest
from recognition import classifier, encoding, faces

logger = logging.getLogger(__name__)
State = TrainingRequest.State


def request_training(course_ids) -> None:
    """Queue a training of each course unless one is queued already."""
    for course_id in sorted(set(course_ids)):
        try:
            with transaction.atomic():
                request = TrainingRequest.objects.create(course_id=course_id)
        except IntegrityError:  # one is queued already: this request merges into it
            continue
        durable.enqueue(request)


def request_training_for_person(person_id: int) -> None:
    request_training(Course.objects.filter(roster=person_id).values_list("pk", flat=True))


def pending_since(course_id: int):
    """When the oldest training of the course still to run was requested, or None."""
    first = (
        TrainingRequest.job_unfinished()
        .filter(course_id=course_id)
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    return first


def encoding_in_progress(course_id: int) -> bool:
    """Photos of the course queued or being encoded now (stalled ones are the sweep's)."""
    return (
        EnrollmentPhoto.objects.busy()
        .filter(
            person__courses=course_id,
            status_changed_at__gte=EnrollmentPhoto.job_stalled_cutoff(),
        )
        .exists()
    )


def run_requested_training(*, request_id: int) -> int | None:
    """What the task does: train now, or leave it to the last photo still encoding.

    Returns the stored version, or None when nothing was trained.
    """
    request = durable.claim(TrainingRequest, request_id)
    if request is None:
        return None
    version = None
    if not encoding_in_progress(request.course_id):
        version = train_course_now(course_id=request.course_id)
    if durable.finish(request, State.DONE):
        TrainingRequest.objects.filter(
            course_id=request.course_id, state__in=[State.DONE, State.FAILED]
        ).exclude(pk=request.pk).delete()  # the latest outcome is kept, older ones go
    return version


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
        # Requests queued until now are covered by this training (it reads the encodings
        # after this statement); those made from now on queue another run.
        TrainingRequest.objects.filter(course_id=course_id, state=State.QUEUED).update(
            state=State.DONE, state_changed_at=timezone.now()
        )
        encodings, labels = roster_encodings(course_id, encoder)
        digest = _digest(encoder, encodings, labels)
        if row.version and digest == row.input_digest:
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
