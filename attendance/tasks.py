from celery import shared_task

from attendance import schedule
from attendance.attempts import purge_expired_attempt_crops
from attendance.reviews import purge_expired_reviews
from attendance.snapshots import purge_expired_snapshots


@shared_task
def purge_snapshots() -> int:
    from attendance.class_photos import purge_kept_class_photos

    return purge_expired_snapshots() + purge_kept_class_photos()


@shared_task
def purge_face_crops() -> int:
    """Pending reviews past their time and unrecognised attempts' crops past retention."""
    return purge_expired_reviews() + purge_expired_attempt_crops()


@shared_task
def run_automatic_sessions() -> dict[str, int]:
    """Every minute: the coming week's scheduled sessions, and automatic opening/closing."""
    return schedule.run_automatic_sessions()


@shared_task(bind=True, acks_late=True, max_retries=2)
def process_class_photo(self, photo_id: int) -> str | None:
    from attendance import class_photos

    try:
        return class_photos.process_class_photo(photo_id=photo_id)
    except Exception as error:
        if self.request.retries >= self.max_retries or self.request.is_eager:
            class_photos.give_up(photo_id=photo_id)
            return None
        raise self.retry(exc=error, countdown=5) from error
