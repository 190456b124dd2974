from celery import shared_task

from attendance import schedule
from attendance.snapshots import purge_expired_snapshots


@shared_task
def purge_snapshots() -> int:
    return purge_expired_snapshots()


@shared_task
def run_automatic_sessions() -> dict[str, int]:
    """Every minute: the coming week's scheduled sessions, and automatic opening/closing."""
    return schedule.run_automatic_sessions()
