import pytest

from attendance_site.celery import ping


@pytest.mark.worker
def test_a_task_round_trips_through_a_real_worker_over_redis(real_worker):
    result = ping.delay()
    assert result.get(timeout=30) == "pong"
    assert not ping.app.conf.task_always_eager


def test_worker_processes_are_recycled_above_a_memory_limit(settings):
    from attendance_site.celery import app

    assert app.conf.worker_max_memory_per_child == settings.CELERY_WORKER_MAX_MEMORY_PER_CHILD
    assert 100 * 1024 <= app.conf.worker_max_memory_per_child <= 4 * 1024 * 1024  # KB
