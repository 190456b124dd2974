from celery import shared_task

from jobs import durable


@shared_task
def sweep_jobs() -> int:
    """Periodic: every background job left queued or claimed too long is sent again."""
    return durable.sweep()
