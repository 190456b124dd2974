"""Faults: a worker killed mid-encoding, Redis down during an upload, a burst of identical
check-ins, and two trainings of one course at once.

The worker tests start their own `celery worker` processes (tests.reliability.fault_worker_app,
the real app) on a throwaway redis-server of their own, so that they can kill workers and stop
Redis without disturbing the shared Redis and worker of the other tests. Everything shares the
PostgreSQL test database and the media folder with the test process.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
import redis
from django.conf import settings
from django.db import connection
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from attendance.models import AttendanceRecord
from attendance_site.celery import app as celery_app
from people.models import CourseClassifier, EnrollmentPhoto, Person
from people.training import train_course_now
from recognition import classifier, encoding, faces
from tests.conftest import PROJECT_ROOT, _worker_database_url
from tests.factories import CourseFactory
from tests.reliability.conftest import enroll_from_samples, open_session_of
from tests.reliability.odd_files import BUILDERS

pytestmark = pytest.mark.worker

SLOW_JITTERS = 40  # ~110 ms each: an encoding of ~4.5 s, long enough to kill it midway


def require_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("needs DATABASE_URL on PostgreSQL (concurrent connections, shared database)")


def require_redis():
    require_postgresql()
    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL: the fault tests run real Celery workers over Redis")
    if not shutil.which("redis-server"):
        pytest.skip("needs the redis-server program for a throwaway Redis")


def wait_until(condition, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"not within {timeout:.0f} s: {what}")


# -------------------------------------------------------------------------------------
# A throwaway Redis, worker processes, and the test process's Celery app pointed at them


class ThrowawayRedis:
    def __init__(self, folder: Path):
        self.folder = folder
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        log = open(self.folder / f"redis-{self.port}.log", "a")  # noqa: SIM115 - kept by Popen
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.folder)],
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        log.close()
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        wait_until(lambda: self._answers(client), 10, "redis-server answers PING")

    @staticmethod
    def _answers(client) -> bool:
        try:
            return client.ping()
        except redis.ConnectionError:
            return False

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture(scope="module")
def throwaway_redis(tmp_path_factory):
    require_redis()
    server = ThrowawayRedis(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def broker(throwaway_redis, transactional_db):
    """Tasks queued by the test process go to the throwaway Redis, for real (not eager)."""
    if throwaway_redis.process is None:
        throwaway_redis.start()
    redis.Redis(port=throwaway_redis.port).flushall()
    conf = celery_app.conf
    previous = conf.broker_url
    _forget_connections()
    conf.broker_url, conf.task_always_eager = throwaway_redis.url, False
    yield throwaway_redis
    _forget_connections()
    conf.broker_url = previous


def _forget_connections():
    """What Celery does after a fork: the next message opens a connection to broker_url."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


class Workers:
    """`celery worker` processes, each in its own process group (so it can be killed whole)."""

    def __init__(self, broker_url: str, folder: Path, media_root: Path):
        self.broker_url, self.folder, self.media_root = broker_url, folder, media_root
        self.processes = {}

    def start(self, name: str, *, beat: bool = False, **env) -> subprocess.Popen:
        environment = {
            **os.environ,
            "DATABASE_URL": _worker_database_url(connection.settings_dict),
            "REDIS_URL": self.broker_url,
            "MEDIA_ROOT": str(self.media_root),
            **{key: str(value) for key, value in env.items()},
        }
        command = [
            sys.executable, "-m", "celery", "-A", "tests.reliability.fault_worker_app",
            "worker", "--loglevel=INFO", "--concurrency=1", "--without-gossip",
            "--without-mingle", f"--hostname={name}@%h",
        ]  # fmt: skip
        if beat:
            command += ["--beat", f"--schedule={self.folder / f'{name}-beat-schedule'}"]
        log = open(self.log_path(name), "a")  # noqa: SIM115 - kept by Popen
        process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        log.close()
        self.processes[name] = process
        wait_until(
            lambda: process.poll() is not None or " ready." in self.log(name),
            60,
            f"worker {name} ready (log: {self.log_path(name)})",
        )
        assert process.poll() is None, self.log(name)[-3000:]
        return process

    def log_path(self, name: str) -> Path:
        return self.folder / f"{name}.log"

    def log(self, name: str) -> str:
        return self.log_path(name).read_text(errors="replace")

    def kill(self, name: str) -> None:
        """SIGKILL to the whole worker: its main process and its pool processes."""
        process = self.processes.pop(name)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def pool_processes(self, name: str) -> list[int]:
        pid = self.processes[name].pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return [int(child) for child in children]

    def stop_all(self) -> None:
        for process in self.processes.values():
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        self.processes.clear()


@pytest.fixture
def workers(broker, tmp_path, media_root):
    pool = Workers(broker.url, tmp_path, media_root)
    yield pool
    pool.stop_all()


# -------------------------------------------------------------------------------------
# A worker killed in the middle of an encoding


def upload_photo(api, person) -> int:
    upload = BUILDERS["webp"]().as_file()  # one face: ends "ready" when encoded
    response = api.post(f"/api/people/{person.pk}/photos/", {"image": upload})
    assert response.status_code == 202, response.content
    return response.json()["id"]


def status_of(photo_id: int) -> str:
    return EnrollmentPhoto.objects.get(pk=photo_id).status


def wait_for_processing(photo_id: int) -> None:
    """Until a worker has claimed the photo, then a second more: deep in the encoding."""
    wait_until(lambda: status_of(photo_id) == "processing", 60, "a worker starts encoding")
    time.sleep(1.0)
    assert status_of(photo_id) == "processing", "the encoding should still be running"


def test_a_worker_killed_mid_encoding_leaves_the_photo_to_another_worker(
    workers, teacher_api, person
):
    """The whole worker (main and pool process) dies; its unacknowledged message comes back
    from Redis after the visibility timeout and a second worker encodes the photo."""
    workers.start("victim", FACE_ENCODING_JITTERS=SLOW_JITTERS)
    photo_id = upload_photo(teacher_api, person)
    wait_for_processing(photo_id)

    workers.kill("victim")
    time.sleep(1.0)
    assert status_of(photo_id) == "processing"

    workers.start("rescuer", CELERY_VISIBILITY_TIMEOUT=1, FACE_ENCODING_JITTERS=1)
    wait_until(lambda: status_of(photo_id) != "processing", 60, "the photo leaves 'processing'")
    photo = EnrollmentPhoto.objects.get(pk=photo_id)
    assert photo.status == "ready", photo.rejection_reason
    assert photo.encoder.endswith("/j1"), "encoded by the second worker"
    assert photo.processing_attempts == 2
    assert "people.tasks.encode_photo[" in workers.log("rescuer")


def test_a_pool_process_killed_mid_encoding_gets_its_task_again(workers, teacher_api, person):
    """Only the process running the task dies (out of memory, say): the worker hands the
    message back to the queue at once (reject_on_worker_lost) and the photo ends ready."""
    workers.start("victim", FACE_ENCODING_JITTERS=SLOW_JITTERS)
    photo_id = upload_photo(teacher_api, person)
    wait_for_processing(photo_id)

    [pool_process] = workers.pool_processes("victim")
    os.kill(pool_process, signal.SIGKILL)

    wait_until(lambda: status_of(photo_id) == "ready", 60, "the photo becomes ready")
    assert EnrollmentPhoto.objects.get(pk=photo_id).processing_attempts == 2
    assert "WorkerLostError" in workers.log("victim")


# -------------------------------------------------------------------------------------
# Redis down while a teacher uploads


def test_an_upload_while_redis_is_down_is_kept_and_processed_when_it_is_back(
    workers, broker, teacher_api, person
):
    workers.start(
        "swept",
        beat=True,
        RELIABILITY_SWEEP_EVERY_SECONDS=1,
        RELIABILITY_JOB_STALLED_AFTER_SECONDS=2,
    )
    broker.stop()

    started = time.monotonic()
    photo_id = upload_photo(teacher_api, person)
    assert time.monotonic() - started < 10, "the upload must not hang on the broker"
    photo = EnrollmentPhoto.objects.get(pk=photo_id)
    assert photo.status == "pending"
    assert (Path(settings.MEDIA_ROOT) / photo.image.name).is_file()

    time.sleep(1.0)
    broker.start()  # the same port, empty: the upload's message was never sent
    wait_until(lambda: status_of(photo_id) == "ready", 90, "the sweep re-queues the photo")


# -------------------------------------------------------------------------------------
# 20 simultaneous check-ins of the same student


def test_twenty_simultaneous_check_ins_of_one_student_make_one_record(
    live_server, teacher, sample_encodings, shared_faces, monkeypatch
):
    """20 kiosk requests with the same face, released together against the live server.

    The face pipeline answers with this frame's faces computed beforehand: with the real
    one (~100 ms a frame, mostly holding the GIL) the requests would reach the attendance
    write one after another and never race.
    """
    require_postgresql()
    course = CourseFactory(teachers=[teacher])
    enroll_from_samples(course, ["obama", "alex_lacamoire"], sample_encodings, shared_faces)
    session = open_session_of(course)
    frame = (shared_faces / "probe" / "obama1.jpg").read_bytes()
    found = faces.find_faces(faces.load_image(frame))
    monkeypatch.setattr(faces, "find_faces", lambda image, config=None, **options: found)

    body = encode_multipart(BOUNDARY, {"image": BUILDERS["webp"]().as_file()})
    url = f"{live_server.url}/api/sessions/{session.pk}/checkin/"
    headers = {"Content-Type": MULTIPART_CONTENT, "Authorization": f"Kiosk {session.kiosk_token}"}
    together = threading.Barrier(20)

    def check_in(_):
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        together.wait()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()[:500]

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(check_in, range(20)))

    assert [status for status, _ in answers] == [200] * 20, answers
    outcomes = sorted(json.loads(text)["faces"][0]["outcome"] for _, text in answers)
    assert outcomes == ["already_checked_in"] * 19 + ["present"]
    assert AttendanceRecord.objects.filter(session=session).count() == 1


# -------------------------------------------------------------------------------------
# Two trainings of the same course at once


def test_two_simultaneous_trainings_store_one_whole_version(
    transactional_db, teacher, sample_encodings, shared_faces
):
    require_postgresql()
    course = CourseFactory(teachers=[teacher])
    enroll_from_samples(course, ["obama", "biden", "rose_leslie"], sample_encodings, shared_faces)
    # A larger roster, so that one training lasts long enough for the other to overlap it.
    rng = np.random.default_rng(6)
    extra = Person.objects.bulk_create(
        Person(full_name=f"Student {n}", external_id=f"R{n:04d}") for n in range(60)
    )
    EnrollmentPhoto.objects.bulk_create(
        EnrollmentPhoto(
            person=person,
            status=EnrollmentPhoto.Status.READY,
            encoding=encoding.pack(rng.normal(0, 0.1, 128)),
            encoder=faces.FaceConfig.from_settings().encoder_name,
        )
        for person in extra
        for _ in range(3)
    )
    course.roster.add(*extra)
    # As if the roster changed since the stored model, so that both trainings have work.
    CourseClassifier.objects.filter(course=course).update(input_digest="")
    before = CourseClassifier.objects.get(course=course).version
    together = threading.Barrier(2)

    def train(_):
        together.wait()
        try:
            return train_course_now(course_id=course.pk)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        versions = sorted(pool.map(train, range(2)))

    # One trains; the other waits for the row lock, then finds the model current.
    assert versions == [before + 1, before + 1]
    row = CourseClassifier.objects.get(course=course)
    assert row.version == before + 1
    model = classifier.from_bytes(bytes(row.model_data))
    ready = EnrollmentPhoto.objects.filter(person__courses=course, status="ready")
    assert row.people_count == len(model.person_ids) == 63
    assert row.photos_count == len(model.labels) == len(model.encodings) == ready.count()
    assert set(model.person_ids.tolist()) == set(ready.values_list("person_id", flat=True))
    assert model.coef.shape == (63, 128)
