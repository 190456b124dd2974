from celery import shared_task

from attendance.snapshots import purge_expired_snapshots


@shared_task
def purge_snapshots() -> int:
    from attendance.class_photos import purge_kept_class_photos

    return purge_expired_snapshots() + purge_kept_class_photos()


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
