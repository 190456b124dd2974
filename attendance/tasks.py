from celery import shared_task

from attendance import schedule
from attendance.attempts import purge_expired_attempt_crops
from attendance.reviews import purge_expired_reviews
from attendance.snapshots import purge_expired_snapshots


@shared_task
def purge_snapshots() -> int:
    return purge_expired_snapshots()


@shared_task
def purge_face_crops() -> int:
    """Pending reviews past their time and unrecognised attempts' crops past retention."""
    return purge_expired_reviews() + purge_expired_attempt_crops()


@shared_task
def run_automatic_sessions() -> dict[str, int]:
    """Every minute: the coming week's scheduled sessions, and automatic opening/closing."""
    return schedule.run_automatic_sessions()
