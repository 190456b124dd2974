from celery import shared_task

from attendance import schedule
from attendance.attempts import purge_expired_attempt_crops
from attendance.models import ClassPhoto
from attendance.reviews import purge_expired_reviews
from attendance.snapshots import purge_expired_snapshots
from jobs import durable


@shared_task
def purge_snapshots() -> int:
    from attendance.class_photo_files import purge_kept_class_photos

    return purge_expired_snapshots() + purge_kept_class_photos()


@shared_task
def purge_face_crops() -> int:
    """Pending reviews past their time and unrecognised attempts' crops past retention."""
    return purge_expired_reviews() + purge_expired_attempt_crops()


@shared_task
def run_automatic_sessions() -> dict[str, int]:
    """Every minute: the coming week's scheduled sessions, and automatic opening/closing."""
    return schedule.run_automatic_sessions()


@shared_task(bind=True, acks_late=True)
def process_class_photo(self, photo_id: int) -> str | None:
    from attendance import class_photos

    return durable.run_job(
        self, ClassPhoto, photo_id, lambda: class_photos.process_class_photo(photo_id=photo_id)
    )
