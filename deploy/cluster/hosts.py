"""Starting the reference deployment on the run's hosts: PostgreSQL, Redis and the
S3-compatible server on `services`, gunicorn on `web1`/`web2`, Celery on `worker`, nginx on `lb`.

The web and worker hosts share nothing but those three services: each has its own
MEDIA_ROOT and FACE_MODEL_CACHE_DIR.
"""

from __future__ import annotations

import glob
import os
import re
import secrets
import shutil
import socket
import string
import subprocess
from pathlib import Path

from deploy.cluster import netns
from deploy.cluster.processes import Process, Processes, wait_until

DEPLOY = Path(__file__).resolve().parent.parent
PROJECT = DEPLOY.parent
PYTHON = str(PROJECT / ".venv" / "bin" / "python")
PORTS = {"postgres": 5432, "redis": 6379, "s3": 9000, "web": 8000, "lb": 80}
BUCKET = "attendance-media"
WEB_HOSTS = ("web1", "web2")


def procfile() -> dict[str, str]:
    """deploy/Procfile: process name -> command line (with ${VARIABLES})."""
    lines = (DEPLOY / "Procfile").read_text().splitlines()
    entries = (line.split(":", 1) for line in lines if line and not line.startswith("#"))
    return {name.strip(): command.strip() for name, command in entries}


def procfile_argv(name: str, **variables: str) -> list[str]:
    command = string.Template(procfile()[name]).substitute(variables)
    return [str(PROJECT / part) if part.startswith(".venv/") else part for part in command.split()]


def reachable(host: str, port: int) -> bool:
    with socket.create_connection((netns.address(host), port), timeout=1):
        return True


class Cluster:
    def __init__(self, work: Path, *, shared_media_root: bool = False):
        self.work = work
        self.logs = work / "logs"
        self.logs.mkdir(parents=True)
        self.processes = Processes(cwd=PROJECT, logs=self.logs)
        self.shared_media_root = shared_media_root
        self.secret_key = secrets.token_urlsafe(40)
        self.redis_password = secrets.token_hex(16)
        self.pgdata = work / "pgdata"
        self.web: dict[str, Process] = {}
        self.worker: Process | None = None
        self.workers_started = 0

    # -- services host ------------------------------------------------------------------

    @property
    def database_url(self) -> str:
        return f"postgres://postgres@{netns.address('services')}:{PORTS['postgres']}/attendance"

    @property
    def redis_url(self) -> str:
        host = f"{netns.address('services')}:{PORTS['redis']}"
        return f"redis://:{self.redis_password}@{host}/0"

    @property
    def s3_endpoint(self) -> str:
        return f"http://{netns.address('services')}:{PORTS['s3']}"

    def start_services(self) -> None:
        self._start_postgres()
        self.processes.start(
            "redis",
            "services",
            [
                "redis-server",
                "--bind",
                netns.address("services"),
                "--port",
                str(PORTS["redis"]),
                "--requirepass",
                self.redis_password,
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.work),
            ],
            env=_base_env(),
        )
        self.processes.start(
            "s3",
            "services",
            [
                str(PROJECT / ".venv/bin/moto_server"),
                "-H",
                netns.address("services"),
                "-p",
                str(PORTS["s3"]),
            ],
            env=_base_env(),
        )
        for name in ("postgres", "redis", "s3"):
            wait_until(lambda name=name: reachable("services", PORTS[name]), timeout=60, what=name)
        self._create_bucket()

    def _start_postgres(self) -> None:
        bindir = sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1]
        self.pgdata.mkdir()
        shutil.chown(self.pgdata, "postgres", "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
        subprocess.run(
            [
                *as_postgres,
                f"{bindir}/initdb",
                "-D",
                str(self.pgdata),
                "-U",
                "postgres",
                "--auth=trust",
                "--no-sync",
                "-E",
                "UTF8",
            ],
            check=True,
            capture_output=True,
        )
        with (self.pgdata / "pg_hba.conf").open("a") as hba:
            hba.write(f"host all all {netns.SUBNET}.0/24 trust\n")
        options = (
            f"-c listen_addresses={netns.address('services')} -p {PORTS['postgres']} "
            f"-c unix_socket_directories={self.pgdata} -c fsync=off -c max_connections=60"
        )
        subprocess.run(
            netns.command_in(
                "services",
                [
                    *as_postgres,
                    f"{bindir}/pg_ctl",
                    "-D",
                    str(self.pgdata),
                    "-l",
                    str(self.pgdata / "postgres.log"),
                    "-o",
                    options,
                    "-w",
                    "start",
                ],
            ),
            check=True,
            capture_output=True,
            timeout=60,
        )
        subprocess.run(
            [*as_postgres, f"{bindir}/createdb", "-h", str(self.pgdata), "attendance"],
            check=True,
            capture_output=True,
        )

    def stop_postgres(self) -> None:
        if not (self.pgdata / "postmaster.pid").exists():
            return
        bindir = sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1]
        subprocess.run(
            [
                "runuser",
                "-u",
                "postgres",
                "--",
                f"{bindir}/pg_ctl",
                "-D",
                str(self.pgdata),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
            capture_output=True,
            timeout=30,
        )

    def _create_bucket(self) -> None:
        import boto3

        with netns.entered("kiosks"):
            s3 = self.s3_client(boto3)
            s3.create_bucket(Bucket=BUCKET)

    def s3_client(self, boto3):
        return boto3.client(
            "s3",
            endpoint_url=self.s3_endpoint,
            region_name="us-east-1",
            aws_access_key_id="cluster",
            aws_secret_access_key="cluster-secret",
        )

    # -- app hosts ----------------------------------------------------------------------

    def app_env(self, host: str) -> dict[str, str]:
        """The environment every web and worker host gets; only the host-local paths differ."""
        local = self.work / host
        media = self.work / "shared-media" if self.shared_media_root else local / "media"
        media.mkdir(parents=True, exist_ok=True)
        return {
            **_base_env(),
            "HOME": str(local),  # anything a process keeps in ~ stays on its host
            "DEBUG": "false",
            "SECRET_KEY": self.secret_key,
            "ALLOWED_HOSTS": ",".join(netns.address(h) for h in ("lb", *WEB_HOSTS)),
            "SECURE_SSL_REDIRECT": "false",  # plain HTTP between the run's hosts
            "NUM_PROXIES": "1",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "MEDIA_ROOT": str(media),
            "FACE_MODEL_CACHE_DIR": str(local / "models"),
            "MEDIA_STORAGE": "s3",
            "S3_BUCKET": BUCKET,
            "S3_ENDPOINT_URL": self.s3_endpoint,
            "S3_REGION": "us-east-1",
            "S3_ACCESS_KEY_ID": "cluster",
            "S3_SECRET_ACCESS_KEY": "cluster-secret",
            # A worker killed mid-task: Redis delivers its task again after 15 s, the sweep
            # re-sends a job stalled for 25 s (production: 600 s and 660 s).
            "CELERY_VISIBILITY_TIMEOUT": "15",
            "JOB_STALLED_AFTER_SECONDS": "25",
            # Eight kiosks share one credential and, behind the balancer, one address.
            "CHECKIN_RATE_PER_CREDENTIAL": "100/s",
            "CHECKIN_RATE_PER_ADDRESS": "100/s",
            "FACE_ENCODER_THREADS": "1",
            "LOG_LEVEL": "WARNING",
        }

    def manage(self, host: str, *args: str, env: dict | None = None, timeout: float = 180):
        self.processes.run(
            f"manage-{args[0]}-{host}",
            host,
            [PYTHON, "manage.py", *args],
            {**self.app_env(host), **(env or {})},
            timeout,
        )

    def prepare_app_hosts(self, *, teacher: str, password: str) -> None:
        self.manage("web1", "migrate", "--no-input")
        self.manage(
            "web1",
            "createsuperuser",
            "--no-input",
            "--username",
            teacher,
            "--email",
            "",
            env={"DJANGO_SUPERUSER_PASSWORD": password},
        )
        # Each host converts the face encoder into its own cache (deterministic).
        builds = [
            self.processes.start(
                f"manage-build_face_encoder-{host}",
                host,
                [PYTHON, "manage.py", "build_face_encoder"],
                self.app_env(host),
            )
            for host in (*WEB_HOSTS, "worker")
        ]
        for build in builds:
            if build.popen.wait(timeout=240) != 0:
                raise RuntimeError(f"build_face_encoder on {build.host} failed:\n{build.tail()}")

    def start_web(self, host: str) -> None:
        bind = f"{netns.address(host)}:{PORTS['web']}"
        self.web[host] = self.processes.start(
            f"gunicorn-{host}", host, procfile_argv("web", BIND_ADDRESS=bind), self.app_env(host)
        )

    def start_worker(self) -> Process:
        self.workers_started += 1
        self.worker = self.processes.start(
            f"celery-worker-{self.workers_started}",
            "worker",
            procfile_argv("worker", WORKER_CONCURRENCY="1"),
            self.app_env("worker"),
        )
        return self.worker

    def start_beat(self) -> None:
        schedule = self.work / "worker" / "celerybeat-schedule"
        self.processes.start(
            "celery-beat",
            "worker",
            procfile_argv("beat", BEAT_SCHEDULE_FILE=str(schedule)),
            self.app_env("worker"),
        )

    def start_balancer(self) -> None:
        run_dir = self.work / "nginx"
        run_dir.mkdir()
        servers = "\n".join(
            f"        server {netns.address(h)}:{PORTS['web']} max_fails=2 fail_timeout=10s;"
            for h in WEB_HOSTS
        )
        config = render(
            (DEPLOY / "nginx.conf.template").read_text(),
            run_dir=str(run_dir),
            upstream_servers=servers,
            listen=f"{netns.address('lb')}:{PORTS['lb']}",
        )
        (run_dir / "nginx.conf").write_text(config)
        self.processes.start(
            "nginx",
            "lb",
            [
                "/usr/sbin/nginx",
                "-c",
                str(run_dir / "nginx.conf"),
                "-p",
                str(run_dir),
                "-g",
                "daemon off;",
            ],
            _base_env(),
        )

    def wait_for_app(self) -> None:
        for host in WEB_HOSTS:
            wait_until(lambda h=host: reachable(h, PORTS["web"]), timeout=90, what=f"{host} up")
        wait_until(lambda: reachable("lb", PORTS["lb"]), timeout=30, what="nginx up")

    def stop_all(self) -> None:
        self.processes.stop_all()
        self.stop_postgres()


def render(template: str, **fields: str) -> str:
    """Fill the template's {{ name }} fields; an unknown field is an error."""

    def field(match):
        return fields[match.group(1)]

    return re.sub(r"\{\{ (\w+) \}\}", field, template)


def _base_env() -> dict[str, str]:
    keep = ("PATH", "LANG", "LC_ALL", "HOME", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
    return {name: os.environ[name] for name in keep if name in os.environ}
