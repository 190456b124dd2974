"""Every request has an id (the client's X-Request-ID or a new one), returned in the response,
printed in its log lines and carried into the tasks it queues, whose worker log lines print it."""

import io
import logging
import re
import time

import pytest
from celery import Task

from jobs import durable
from people.models import EnrollmentPhoto
from people.tasks import encode_photo
from telemetry import request_id
from tests.api.conftest import client_for
from tests.factories import CourseFactory, PersonFactory


@pytest.mark.django_db
def test_the_clients_id_is_returned_and_a_missing_or_odd_one_is_replaced(client):
    assert client.get("/health/ready", HTTP_X_REQUEST_ID="kiosk-7.42")["X-Request-ID"] == (
        "kiosk-7.42"
    )
    made = client.get("/health/ready")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    assert client.get("/health/ready")["X-Request-ID"] != made
    odd = client.get("/health/ready", HTTP_X_REQUEST_ID="a b\tc")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", odd)


def test_log_lines_name_the_current_request():
    """Through the handler the LOGGING setting configured on the root logger."""
    (handler,) = [h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler]
    previous = handler.setStream(io.StringIO())
    try:
        token = request_id.current.set("line-test-1")
        try:
            logging.getLogger("people.services").warning("something happened")
        finally:
            request_id.current.reset(token)
        logging.getLogger("people.services").warning("outside any request")
        written = handler.stream.getvalue()
    finally:
        handler.setStream(previous)
    assert "WARNING people.services [request_id=line-test-1] something happened" in written
    assert "[request_id=-] outside any request" in written


def test_a_queued_task_carries_the_request_id_in_its_headers(monkeypatch):
    sent = []
    monkeypatch.setattr(Task, "apply_async", lambda task, args, **options: sent.append(options))
    token = request_id.current.set("queue-test-1")
    try:
        assert durable.send(encode_photo, 5)
    finally:
        request_id.current.reset(token)
    assert durable.send(encode_photo, 6)
    assert sent == [{"headers": {"request_id": "queue-test-1"}}, {"headers": {}}]


@pytest.mark.worker
def test_the_worker_logs_the_task_under_the_id_of_the_request_that_queued_it(
    real_worker, teacher, shared_faces, media_root
):
    person = PersonFactory()
    CourseFactory(teachers=[teacher], roster=[person])
    sample = sorted((shared_faces / "enroll" / "biden").iterdir())[0]
    with sample.open("rb") as handle:
        answer = client_for(teacher).post(
            f"/api/people/{person.pk}/photos/",
            {"image": handle},
            format="multipart",
            HTTP_X_REQUEST_ID="upload-from-test-42",
        )
    assert answer.status_code == 202, answer.content
    assert answer["X-Request-ID"] == "upload-from-test-42"
    photo = EnrollmentPhoto.objects.get(pk=answer.json()["id"])
    log = media_root.parent / "celery-worker.log"
    deadline = time.monotonic() + 60
    while "request_id=upload-from-test-42" not in log.read_text():
        assert time.monotonic() < deadline, log.read_text()[-3000:]
        time.sleep(0.3)
    lines = [line for line in log.read_text().splitlines() if "upload-from-test-42" in line]
    assert any("people.tasks.encode_photo" in line for line in lines), lines
    photo.refresh_from_db()
