"""Shared fixtures: role-named users, the sample faces, media in a temporary folder, a real
Celery worker process for the tests marked `worker`, and with `--face-stand-in` the recorded
face table (tests/fakes.py) at the face seam of every test not marked `real_faces`."""

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery.result import allow_join_result
from django.conf import settings

from attendance_site.celery import app as celery_app
from jobs import durable
from tests.factories import UserFactory

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED_FACES = (PROJECT_ROOT / ".." / "shared" / "faces").resolve()
PASSWORD = "correct horse battery"


def pytest_addoption(parser):
    parser.addoption(
        "--face-stand-in",
        action="store_true",
        help="answer find_faces and encode_enrollment_photo from tests/face_table.npz "
        "(the fast tier); tests marked real_faces keep the real pipeline",
    )


def pytest_configure(config):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def pytest_sessionfinish(session, exitstatus):
    """CI sets FAIL_ON_SKIP=1: a skipped test there means a service or browser is missing."""
    if os.environ.get("FAIL_ON_SKIP") != "1":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if skipped:
        reporter.write_line(f"FAIL_ON_SKIP=1 and {skipped} test(s) were skipped", red=True)
        session.exitstatus = 1


@pytest.fixture(scope="session")
def face_table():
    from tests.fakes import FaceTable

    return FaceTable.load()


@pytest.fixture(autouse=True)
def _face_stand_in(request, monkeypatch):
    if request.config.getoption("--face-stand-in") and not request.node.get_closest_marker(
        "real_faces"
    ):
        from tests.fakes import install

        install(monkeypatch, request.getfixturevalue("face_table"))


@pytest.fixture(scope="session")
def media_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _isolated_media_and_eager_tasks(settings, media_root):
    """Files go to a temporary folder; tasks run in-process unless a test asks for a worker.
    The cached school time zone of an earlier test is forgotten."""
    from django.core.cache import cache

    cache.delete("school-time-zone")
    settings.MEDIA_ROOT = media_root
    settings.IN_PROCESS_TASKS_IN_THREAD = False  # a test sees its tasks' outcome at once
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    # Celery marks "a task is running here, result.get() would deadlock" in one flag for the
    # whole process, set and restored around every eager task: two eager tasks overlapping in
    # two threads (the live server's, the in-process task thread) can leave it set for good,
    # and every later result.get() in the tests fails. Each test starts with it cleared.
    with allow_join_result():
        yield
    celery_app.conf.task_always_eager = previous
    durable.stop_in_process_tasks()  # a test that turned the task thread on


@pytest.fixture(scope="session")
def shared_faces() -> Path:
    if not SHARED_FACES.is_dir():
        pytest.fail(f"sample faces not found at {SHARED_FACES}")
    return SHARED_FACES


@pytest.fixture
def teacher(db):
    return UserFactory(username="teacher")


@pytest.fixture
def other_teacher(db):
    return UserFactory(username="other_teacher")


@pytest.fixture
def superuser(db):
    return UserFactory(username="superuser", is_staff=True, is_superuser=True)


@pytest.fixture
def plain_staff(db):
    """Admin-site access and nothing else: not a superuser, no permission."""
    return UserFactory(username="staff", is_staff=True)


def _worker_database_url(settings_dict) -> str:
    user = settings_dict.get("USER") or ""
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{settings_dict['NAME']}"


@contextlib.contextmanager
def worker_process(log_path: Path, *, node: str = "tests", **env):
    """A `celery worker` process on the Redis broker and the test database, with `env` added
    to this process's environment; stopped on exit."""
    from django.db import connection

    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL (a Redis broker) for a real Celery worker")
    if connection.vendor != "postgresql":
        pytest.skip("needs DATABASE_URL on PostgreSQL: the worker shares the test database")
    env = {**os.environ, "DATABASE_URL": _worker_database_url(connection.settings_dict), **env}
    log = open(log_path, "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "attendance_site", "worker",
         "--loglevel=INFO", "--concurrency=2", "--without-gossip", "--without-mingle",
         "--hostname", f"{node}@{socket.gethostname()}"],
        cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        _wait_for_worker(process, f"{node}@{socket.gethostname()}")
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, media_root):
    """A real `celery worker` process on the Redis broker and the test database."""
    if settings.REDIS_URL:
        celery_app.control.purge()
    multiproc = media_root.parent / "worker-metrics"
    multiproc.mkdir(exist_ok=True)
    port = free_port()
    with worker_process(
        media_root.parent / "celery-worker.log",
        MEDIA_ROOT=str(media_root),
        METRICS_WORKER_PORT=str(port),
        PROMETHEUS_MULTIPROC_DIR=str(multiproc),
    ) as process:
        process.metrics_url = f"http://127.0.0.1:{port}/metrics"
        yield process


def _wait_for_worker(process, node: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the Celery worker exited at start-up; see celery-worker.log")
        if celery_app.control.ping(destination=[node], timeout=1):
            return
    raise RuntimeError("the Celery worker did not answer a ping within 60 s")


@pytest.fixture
def real_worker(celery_worker_process, transactional_db):
    """Tasks go through Redis to the worker process, not in-process."""
    celery_app.conf.task_always_eager = False
    yield celery_worker_process


# ---------------------------------------------------------------------------------------
# An S3-compatible server: moto's server mode as a real process on a free local port.

S3_TEST_BUCKET = "attendance-media-tests"
S3_TEST_QUEUE = "attendance-s3-tests"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory) -> dict[str, str]:
    """A moto S3 server process with the test bucket; the environment that points the app at
    it (the secret key read from a file, as a deployment's mounted secret)."""
    import boto3

    port = free_port()
    folder = tmp_path_factory.mktemp("s3")
    log = open(folder / "moto.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    secret = folder / "secret"
    secret.write_text("test-secret\n")
    env = {
        "MEDIA_STORAGE": "s3",
        "S3_BUCKET": S3_TEST_BUCKET,
        "S3_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "S3_REGION": "us-east-1",
        "S3_ACCESS_KEY_ID": "test-key",
        "S3_SECRET_ACCESS_KEY_FILE": str(secret),
    }
    try:
        client = boto3.client(
            "s3",
            endpoint_url=env["S3_ENDPOINT_URL"],
            region_name="us-east-1",
            aws_access_key_id="test-key",
            aws_secret_access_key="test-secret",
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                client.create_bucket(Bucket=S3_TEST_BUCKET)
                break
            except Exception:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the moto S3 server did not start; see moto.log") from None
                time.sleep(0.2)
        yield {**env, "client": client}
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture
def s3_media(settings, s3_server):
    """This process stores files in the S3 server's bucket (as MEDIA_STORAGE=s3 does)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": S3_TEST_BUCKET,
                "endpoint_url": s3_server["S3_ENDPOINT_URL"],
                "region_name": "us-east-1",
                "access_key": "test-key",
                "secret_key": "test-secret",
                "default_acl": "private",
                "file_overwrite": False,
                "addressing_style": "path",
            },
        },
    }
    client = s3_server["client"]
    yield client
    # Each test starts from an empty bucket, as it starts from an empty database.
    for item in client.list_objects_v2(Bucket=S3_TEST_BUCKET).get("Contents", []):
        client.delete_object(Bucket=S3_TEST_BUCKET, Key=item["Key"])


@pytest.fixture(scope="session")
def s3_worker_process(django_db_setup, django_db_blocker, s3_server, media_root):
    """A real worker storing files in the S3 server, on its own queue (so that it and the
    local-media worker never take each other's tasks)."""
    env = {k: v for k, v in s3_server.items() if k != "client"}
    with worker_process(
        media_root.parent / "celery-s3-worker.log",
        node="s3",
        CELERY_QUEUE=S3_TEST_QUEUE,
        MEDIA_ROOT=str(media_root.parent / "worker-must-not-use-this"),
        **env,
    ) as process:
        yield process


@pytest.fixture
def s3_worker(s3_worker_process, s3_media, transactional_db, monkeypatch):
    """Tasks go through Redis to the S3 worker; files go to the S3 server."""
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    monkeypatch.setitem(celery_app.conf, "task_default_queue", S3_TEST_QUEUE)
    yield s3_worker_process
