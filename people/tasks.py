"""Celery tasks of enrollment and training: each loads nothing itself, calls one service
function and owns only its retry policy."""

from celery import shared_task

from people import photo_import, services, training


@shared_task(
    bind=True,
    autoretry_for=(Exception,),
    retry_backoff=5,
    max_retries=services.MAX_PROCESSING_ATTEMPTS - 1,
    acks_late=True,
)
def encode_photo(self, photo_id: int) -> str | None:
    try:
        return services.encode_photo(photo_id=photo_id)
    except Exception:
        if self.request.retries >= self.max_retries:
            services.give_up_on_photo(photo_id=photo_id)
            return None
        raise


@shared_task
def sweep_photos() -> int:
    """Periodic: stalled photos queued again, photos of an old encoder re-encoded."""
    return services.requeue_stalled_photos() + services.reencode_outdated_photos()


TRAINING_RETRIES = 2


@shared_task(bind=True, acks_late=True, max_retries=TRAINING_RETRIES)
def run_requested_training(self, course_id: int) -> int | None:
    try:
        return training.run_requested_training(course_id=course_id)
    except Exception as error:
        if self.request.retries >= TRAINING_RETRIES:
            training.give_up_training(course_id=course_id)
            raise
        raise self.retry(exc=error, countdown=5) from error


@shared_task
def resend_lost_training_requests() -> int:
    return training.resend_lost_training_requests()


@shared_task(acks_late=True)
def run_photo_import(job_id: int) -> str | None:
    return photo_import.run_photo_import(job_id=job_id)
