from celery import shared_task

from attendance.snapshots import purge_expired_snapshots


@shared_task
def purge_snapshots() -> int:
    return purge_expired_snapshots()
