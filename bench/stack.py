"""The app as deployed, for the benchmark: a throwaway database and gunicorn.

Everything runs in subprocesses with their own environment, so the stack never touches the
project's db.sqlite3 or media/, and the benchmark process may itself be configured for
another database (as under pytest).
"""

from __future__ import annotations

import http.client
import json
import os
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
    from psycopg.conninfo import make_conninfo

    parts = urlsplit(base_url)
    name = f"bench_{os.getpid()}_{secrets.token_hex(3)}"
    admin = make_conninfo(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "",
        password=parts.password or "",
        dbname="postgres",
    )
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return parts._replace(path=f"/{quote(name)}").geturl(), (admin, name)


def _drop_postgres_database(admin: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Gunicorn:
    """`gunicorn attendance_site.wsgi` on 127.0.0.1 and a free port, as in production, its
    output in a log file; started on entering a `with` block and stopped on leaving it."""

    def __init__(self, stack: Stack, workers: int):
        self.env, self.workers = stack.env, workers
        self.log_path = stack.root / "gunicorn.log"
        self.process: subprocess.Popen | None = None
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]

    def __enter__(self) -> Gunicorn:
        command = [
            sys.executable, "-m", "gunicorn", "attendance_site.wsgi", "--log-level", "warning",
            "--workers", str(self.workers), "--bind", f"127.0.0.1:{self.port}",
            "--timeout", "120", "--graceful-timeout", "5",
        ]  # fmt: skip
        with self.log_path.open("w") as log:
            self.process = subprocess.Popen(
                command, cwd=PROJECT_ROOT, env=self.env, stdout=log, stderr=log
            )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log_path.read_text()}")
            if self._healthy() and len(self.worker_pids()) >= self.workers:
                return self
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer /healthz within 90 s")

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

    def memory_row(self) -> dict:
        """After check-ins have run: every worker has loaded dlib and the course model."""
        workers = [rss for rss in map(rss_mib, self.worker_pids()) if rss is not None]
        return {
            "process": f"gunicorn web worker (sync, {self.workers} workers)",
            "rss_mib": max(workers, default=None),
            "detail": f"each worker: {', '.join(f'{rss:g}' for rss in workers)} MiB",
        }

    def __exit__(self, *exc_info) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
