"""Celery tasks of recognition: thin wrappers around recognition.training."""

from celery import shared_task
from django.conf import settings

from recognition import training

MAX_POSTPONEMENTS = 10


@shared_task(bind=True, acks_late=True, max_retries=MAX_POSTPONEMENTS + 3)
def train_course(self, course_id: int) -> int | None:
    """Waits while the course's photos are still being encoded, so a burst trains once."""
    if training.encoding_in_progress(course_id):
        if self.request.is_eager:
            # In-process the photos still pending are encoded right after this, one by one,
            # and the last of them requests the training again: train once, then.
            training.withdraw_request(course_id)
            return None
        if self.request.retries < MAX_POSTPONEMENTS:
            raise self.retry(countdown=settings.TRAINING_DEBOUNCE_SECONDS)
    try:
        return training.train_course(course_id=course_id)
    except Exception as error:
        raise self.retry(exc=error, countdown=5) from error


@shared_task
def resend_stale_training_requests() -> int:
    return training.resend_stale_training_requests()
