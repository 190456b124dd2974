"""Celery tasks of enrollment: thin wrappers that own only the retry policy."""

from celery import shared_task

from people import services


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
def sweep_stalled_photos() -> int:
    return services.requeue_stalled_photos()
