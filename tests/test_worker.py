import pytest

from attendance_site.celery import ping


@pytest.mark.worker
def test_a_task_round_trips_through_a_real_worker_over_redis(real_worker):
    result = ping.delay()
    assert result.get(timeout=30) == "pong"
    assert not ping.app.conf.task_always_eager
