"""The app as deployed, for the benchmark: a throwaway database, gunicorn and a Celery worker.

Everything runs in subprocesses with their own environment, so the stack never touches the
project's db.sqlite3 or media/, and the benchmark process may itself be configured for
another database (as under pytest).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

from bench.frames import PROJECT_ROOT
from bench.stats import children_of, rss_mib

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/2"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or default_port), timeout=1):
            return True
    except OSError:
        return False


@dataclass
class Stack:
    """A temporary folder (media, logs, SQLite file) and a database made for this run."""

    root: Path
    database_url: str
    env: dict = field(default_factory=dict)
    _postgres: tuple[str, str] | None = None  # (admin connection string, database name)

    @classmethod
    def create(cls, root: Path) -> Stack:
        """SQLite in `root`, or a new PostgreSQL database when DATABASE_URL is PostgreSQL."""
        root.mkdir(parents=True, exist_ok=True)
        base = os.environ.get("DATABASE_URL", "")
        postgres = None
        if base.split("://", 1)[0] in ("postgres", "postgresql", "pgsql", "psql"):
            database_url, postgres = _new_postgres_database(base)
        else:
            database_url = f"sqlite:///{root / 'bench.sqlite3'}"
        (root / "media").mkdir(exist_ok=True)
        env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
        env.update(
            DJANGO_SETTINGS_MODULE="attendance_site.settings",
            DEBUG="false",
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="127.0.0.1,localhost",
            SECURE_SSL_REDIRECT="false",  # plain HTTP on the loopback, no TLS proxy in front
            DATABASE_URL=database_url,
            MEDIA_ROOT=str(root / "media"),
            LOG_LEVEL="WARNING",
            # The kiosks here post back to back to measure capacity, far above the one frame
            # a second of a real kiosk: the check-in rate limits (120/min per credential by
            # default) would answer 429. Empty disables them.
            CHECKIN_RATE_PER_CREDENTIAL="",
            CHECKIN_RATE_PER_ADDRESS="",
            PYTHONPATH=os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")])),
        )
        return cls(root=root, database_url=database_url, env=env, _postgres=postgres)

    @property
    def database_kind(self) -> str:
        return "PostgreSQL" if self._postgres else "SQLite"

    def run(self, *args: str, timeout: float = 300) -> str:
        """Run `python ARGS` in the project with this stack's environment; its stdout."""
        done = subprocess.run(
            [sys.executable, *args],
            cwd=PROJECT_ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def migrate(self) -> None:
        self.run("manage.py", "migrate", "--no-input")

    def seed(self) -> dict:
        """Enroll the sample people and open a session (see bench.seed); what it created."""
        return json.loads(self.run("-m", "bench.seed").strip().splitlines()[-1])

    def destroy(self) -> None:
        if self._postgres:
            _drop_postgres_database(*self._postgres)
        shutil.rmtree(self.root, ignore_errors=True)


def _new_postgres_database(base_url: str) -> tuple[str, tuple[str, str]]:
    import psycopg

    parts = urlsplit(base_url)
    name = f"bench_{os.getpid()}_{secrets.token_hex(3)}"
    admin = _conninfo(parts, "postgres")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return parts._replace(path=f"/{quote(name)}").geturl(), (admin, name)


def _conninfo(parts, dbname: str) -> str:
    from psycopg.conninfo import make_conninfo

    return make_conninfo(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "",
        password=parts.password or "",
        dbname=dbname,
    )


def _drop_postgres_database(admin: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Gunicorn:
    """`gunicorn attendance_site.wsgi` on 127.0.0.1 and a free port, as in production."""

    def __init__(self, stack: Stack, workers: int):
        self.stack = stack
        self.workers = workers
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.log_path = stack.root / "gunicorn.log"

    def __enter__(self) -> Gunicorn:
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def start(self, timeout: float = 90) -> None:
        command = [
            sys.executable, "-m", "gunicorn", "attendance_site.wsgi",
            "--workers", str(self.workers), "--bind", f"127.0.0.1:{self.port}",
            "--timeout", "120", "--graceful-timeout", "5", "--log-level", "warning",
        ]  # fmt: skip
        with self.log_path.open("w") as log:
            self.process = subprocess.Popen(
                command, cwd=PROJECT_ROOT, env=self.stack.env, stdout=log, stderr=log
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log_path.read_text()}")
            if self._healthy() and len(self.worker_pids()) >= self.workers:
                return
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer /healthz in {timeout} s")

    def _healthy(self) -> bool:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            connection.request("GET", "/healthz")
            return connection.getresponse().status == 200
        except OSError:
            return False
        finally:
            connection.close()

    def worker_pids(self) -> list[int]:
        return children_of(self.process.pid) if self.process else []

    def worker_rss_mib(self) -> list[float]:
        return [rss for rss in map(rss_mib, self.worker_pids()) if rss is not None]

    def stop(self) -> None:
        _stop(self.process)
        self.process = None


class CeleryWorker:
    """`celery -A attendance_site worker` (one pool process) on a Redis broker."""

    def __init__(self, stack: Stack, redis_url: str):
        self.env = {**stack.env, "REDIS_URL": redis_url}
        self.redis_url = redis_url
        # A queue of its own: another benchmark running at the same time on the same Redis
        # neither takes these tasks nor has its own taken.
        self.queue = f"bench-{secrets.token_hex(4)}"
        self.log_path = stack.root / "celery.log"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> CeleryWorker:
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        _stop(self.process)
        self.process = None

    def start(self, timeout: float = 60) -> None:
        command = [
            sys.executable, "-m", "celery", "-A", "attendance_site", "worker",
            "--loglevel=INFO", "--concurrency=1", "--queues", self.queue,
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]  # fmt: skip
        env = {**self.env, "LOG_LEVEL": "INFO"}
        with self.log_path.open("w") as log:
            self.process = subprocess.Popen(
                command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=log
            )
        self.wait_for_log(r"\bready\.", timeout)

    def wait_for_log(self, pattern: str, timeout: float, count: int = 1) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the Celery worker exited:\n{self.log_path.read_text()}")
            if len(re.findall(pattern, self.log_path.read_text())) >= count:
                return
            time.sleep(0.2)
        raise RuntimeError(f"no {pattern!r} in the Celery log within {timeout} s")

    def run_task(self, task_name: str, *args, timeout: float = 120) -> None:
        """Send a task to this worker's queue and wait until its log says it succeeded."""
        from celery import Celery

        # Not the current app: the calling process (the test suite) keeps its own.
        client = Celery("bench-client", broker=self.redis_url, set_as_current=False)
        try:
            task_id = client.send_task(task_name, args=list(args), queue=self.queue).id
        finally:
            client.close()
        self.wait_for_log(rf"{re.escape(task_name)}\[{task_id}\] succeeded", timeout)

    def rss_mib(self) -> dict:
        """The main process and its pool process (the one that runs tasks)."""
        pool = children_of(self.process.pid)
        return {
            "main": rss_mib(self.process.pid),
            "pool": [rss for rss in map(rss_mib, pool) if rss is not None],
        }


def _stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
