"""/metrics: requests, kiosk check-in outcomes, task durations and failures, the broker's
queue length; answered only to the allowed networks or with the token; the worker's own."""

import urllib.request
import uuid

import pytest
from prometheus_client import REGISTRY

from attendance_site.celery import app as celery_app
from attendance_site.celery import ping
from tests.api.conftest import enroll_from_samples, open_session_of
from tests.api.test_checkin import check_in
from tests.factories import CourseFactory


def value(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@celery_app.task(name="tests.metrics.explode")
def explode():
    raise ValueError("a task that fails")


@pytest.mark.django_db
def test_requests_are_counted_by_view_and_status(client):
    labels = {"method": "GET", "view": "health-ready", "status": "200"}
    before = value("attendance_http_requests_total", **labels)
    client.get("/health/ready")
    assert value("attendance_http_requests_total", **labels) == before + 1
    body = client.get("/metrics").content.decode()
    assert 'attendance_http_requests_total{method="GET",status="200",view="health-ready"}' in body
    assert "attendance_http_request_duration_seconds_bucket" in body


@pytest.mark.django_db
def test_metrics_are_refused_outside_the_allowed_networks_without_the_token(client, settings):
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
    refused = client.get("/metrics", REMOTE_ADDR="192.0.2.7")
    assert refused.status_code == 403
    assert "METRICS_ALLOWED_NETWORKS" in refused.json()["detail"]
    settings.METRICS_TOKEN = "scrape-secret"
    bearer = {"REMOTE_ADDR": "192.0.2.7"}
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong", **bearer).status_code == 403
    token = client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-secret", **bearer)
    assert token.status_code == 200
    assert token["Content-Type"].startswith("text/plain")


@pytest.mark.django_db
def test_check_ins_are_counted_by_outcome(
    teacher, teacher_api, sample_encodings, shared_faces, tmp_path
):
    course = CourseFactory(teachers=[teacher])
    enroll_from_samples(course, ["obama", "alex_lacamoire"], sample_encodings, shared_faces)
    session = open_session_of(course)
    before = {
        outcome: value("attendance_checkin_faces_total", outcome=outcome)
        for outcome in ("present", "already_checked_in", "no_face", "unknown")
    }
    probe = shared_faces / "probe" / "obama1.jpg"
    assert check_in(teacher_api, session, probe).status_code == 200
    assert check_in(teacher_api, session, probe).status_code == 200
    blank = tmp_path / "blank.png"
    from PIL import Image

    Image.new("RGB", (320, 240), "grey").save(blank)
    assert check_in(teacher_api, session, blank).json()["faces"] == []
    after = {
        outcome: value("attendance_checkin_faces_total", outcome=outcome) for outcome in before
    }
    assert after["present"] == before["present"] + 1
    assert after["already_checked_in"] == before["already_checked_in"] + 1
    assert after["no_face"] == before["no_face"] + 1
    assert after["unknown"] == before["unknown"]


def test_task_durations_and_failures_are_counted():
    success = {"task": "attendance_site.ping", "state": "success"}
    runs = value("attendance_task_duration_seconds_count", **success)
    failures = value("attendance_task_failures_total", task="tests.metrics.explode")
    assert ping.delay().get() == "pong"
    explode.delay()
    assert value("attendance_task_duration_seconds_count", **success) == runs + 1
    assert value("attendance_task_failures_total", task="tests.metrics.explode") == failures + 1
    failed = {"task": "tests.metrics.explode", "state": "failure"}
    assert value("attendance_task_duration_seconds_count", **failed) >= 1


@pytest.mark.django_db
def test_the_queue_length_is_read_from_the_broker(client, settings):
    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL: the queue length is read from Redis")
    import redis

    queue = f"metrics-test-{uuid.uuid4().hex}"
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    broker = redis.Redis.from_url(settings.REDIS_URL)
    broker.rpush(queue, "a", "b", "c")
    try:
        body = client.get("/metrics").content.decode()
    finally:
        broker.delete(queue)
        broker.close()
    assert f'attendance_task_queue_length{{queue="{queue}"}} 3.0' in body


@pytest.mark.django_db
def test_an_unreachable_broker_reports_a_queue_length_of_minus_one(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    body = client.get("/metrics").content.decode()
    assert 'attendance_task_queue_length{queue="celery"} -1.0' in body


@pytest.mark.worker
def test_the_worker_serves_its_task_metrics(real_worker):
    assert ping.delay().get(timeout=30) == "pong"
    with urllib.request.urlopen(real_worker.metrics_url, timeout=10) as answer:
        body = answer.read().decode()
    assert (
        'attendance_task_duration_seconds_count{state="success",task="attendance_site.ping"}'
        in (body)
    )
    assert "attendance_task_queue_length" in body
