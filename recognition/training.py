"""Training course classifiers: coalesced requests, and one consistent version per training."""

import logging
from functools import partial

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from people.models import ENCODING_DIMENSIONS, Course, EnrollmentPhoto
from recognition import classifier
from recognition.models import CourseClassifier

logger = logging.getLogger(__name__)


def request_training(course_ids) -> None:
    """Queue one training per course, unless one is already queued and not started.

    A burst of uploads thus trains a course at most twice: the queued run picks up every
    photo ready when it starts, and a photo that finishes during a run queues one more.
    """
    for course_id in sorted(set(course_ids)):
        CourseClassifier.objects.get_or_create(course_id=course_id)
        claimed = CourseClassifier.objects.filter(
            course_id=course_id, training_requested_at__isnull=True
        ).update(training_requested_at=timezone.now())
        if claimed:
            transaction.on_commit(partial(_send_training_task, course_id))


def request_training_for_person(person_id: int) -> None:
    request_training(Course.objects.filter(roster=person_id).values_list("pk", flat=True))


def _send_training_task(course_id: int) -> None:
    from recognition.tasks import train_course

    try:
        train_course.apply_async(args=[course_id], countdown=settings.TRAINING_DEBOUNCE_SECONDS)
    except Exception:  # broker down: the sweep re-sends old requests
        logger.warning("could not queue training of course %s", course_id, exc_info=True)


def encoding_in_progress(course_id: int) -> bool:
    """Photos of the course queued or being encoded now (stalled ones are the sweep's)."""
    recent = timezone.now() - timezone.timedelta(seconds=settings.PHOTO_STALLED_AFTER_SECONDS)
    return EnrollmentPhoto.objects.filter(
        person__courses=course_id,
        status__in=[EnrollmentPhoto.Status.PENDING, EnrollmentPhoto.Status.PROCESSING],
        status_changed_at__gte=recent,
    ).exists()


def withdraw_request(course_id: int) -> None:
    CourseClassifier.objects.filter(course_id=course_id).update(training_requested_at=None)


def roster_encodings(course_id: int) -> tuple[np.ndarray, np.ndarray]:
    rows = EnrollmentPhoto.objects.filter(
        person__courses=course_id,
        status=EnrollmentPhoto.Status.READY,
        encoding__isnull=False,
    ).values_list("person_id", "encoding")
    labels = np.array([person_id for person_id, _ in rows], dtype=np.int64)
    encodings = np.array(
        [np.frombuffer(bytes(data), dtype=np.float32) for _, data in rows], dtype=np.float32
    ).reshape(len(labels), ENCODING_DIMENSIONS)
    return encodings, labels


def train_course(*, course_id: int) -> int | None:
    """Train from the roster's ready encodings and store the result as the next version.

    The classifier row stays locked from reading the encodings to saving the model, so two
    trainings of one course run one after the other and each stores a whole, current model.
    Returns the new version, or None when the course no longer exists.
    """
    if not Course.objects.filter(pk=course_id).exists():
        return None
    CourseClassifier.objects.get_or_create(course_id=course_id)
    with transaction.atomic():
        row = CourseClassifier.objects.select_for_update().get(course_id=course_id)
        row.training_requested_at = None  # requests from now on queue another run
        encodings, labels = roster_encodings(course_id)
        model = classifier.train(encodings, labels)
        row.model_data = classifier.to_bytes(model)
        row.format_version = classifier.FORMAT_VERSION
        row.version += 1
        row.trained_at = timezone.now()
        row.people_count = len(model.person_ids)
        row.photos_count = len(labels)
        row.save()
    logger.info("trained course %s: v%s, %s people", course_id, row.version, row.people_count)
    return row.version


def resend_stale_training_requests(older_than_seconds: int = 120) -> int:
    cutoff = timezone.now() - timezone.timedelta(seconds=older_than_seconds)
    stale = list(
        CourseClassifier.objects.filter(training_requested_at__lt=cutoff).values_list(
            "course_id", flat=True
        )
    )
    for course_id in stale:
        _send_training_task(course_id)
    return len(stale)
