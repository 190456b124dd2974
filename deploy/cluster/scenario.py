"""The scenario on a running cluster: enroll through web1 and the balancer while the worker
host encodes and trains, then kiosks check in through the balancer while one web host and
the worker are killed; afterwards the database is compared with what the kiosks were told."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from deploy.cluster import checks, netns
from deploy.cluster.api import Api
from deploy.cluster.hosts import BUCKET, PORTS, Cluster
from deploy.cluster.kiosks import Load, kiosk_frames
from deploy.cluster.processes import wait_until

PEOPLE = ["obama", "biden", "kit_harington", "rose_leslie", "alex_lacamoire"]
KILL_WEB1_AT = 25  # seconds into the check-ins: the middle of the run
KILL_WORKER_AT = 30


class Scenario:
    def __init__(self, cluster: Cluster, faces: Path, *, teacher, password, kiosks, seconds):
        self.cluster, self.faces = cluster, faces
        self.teacher, self.password = teacher, password
        self.kiosks, self.seconds = kiosks, seconds
        self.findings = checks.Findings()
        self.events: list[str] = []
        self.killed_photos: list[int] = []
        self.photo_ids: list[int] = []

    # -- helpers -------------------------------------------------------------------------

    def log(self, message: str) -> None:
        self.events.append(message)
        print(f"[cluster] {message}", flush=True)

    def web(self, host: str, authorization: str = "") -> Api:
        return Api(netns.address(host), PORTS["web"], authorization)

    def balancer(self, authorization: str = "") -> Api:
        return Api(netns.address("lb"), PORTS["lb"], authorization)

    # -- steps ---------------------------------------------------------------------------

    def probe_operations(self) -> None:
        """Which health and metrics endpoints this build has."""
        api = self.web("web1")
        status, _ = api.request("GET", "/health/ready")
        if status == 404:
            status, body = api.request("GET", "/healthz")
            self.findings.notes.append("/health/ready answers 404: this build has /healthz only")
            self.findings.figures["health"] = f"/healthz {status}"
        else:
            self.findings.figures["health"] = f"/health/ready {status}"
        live, _ = api.request("GET", "/health/live")
        metrics, _ = api.request("GET", "/metrics")
        self.findings.figures["health_live"] = live
        self.findings.figures["metrics"] = metrics
        if metrics == 404:
            self.findings.notes.append("/metrics answers 404: no Prometheus metrics in this build")

    def enroll(self) -> tuple[Api, int]:
        token = self.web("web1").post(
            "/api/auth/token/", {"username": self.teacher, "password": self.password}
        )["token"]
        self.authorization = f"Token {token}"
        teacher = self.web("web1", self.authorization)
        # Kiosks here send still probe photos: no head-turn challenge.
        course = teacher.post("/api/courses/", {"name": "Cluster year 9", "liveness": "off"})["id"]
        people = {}
        for name in PEOPLE:
            person = teacher.post(
                "/api/people/",
                {
                    "full_name": name.replace("_", " ").title(),
                    "external_id": name,
                    "consent_recorded_on": "2026-09-01",
                },
            )
            people[person["id"]] = name
        teacher.call("PATCH", f"/api/courses/{course}/", {"roster": list(people)})
        self.people = people
        self.log(f"web1: teacher, course {course} and {len(people)} students with consent")
        self.upload_photos(self.balancer(self.authorization), every_photo=True)
        return teacher, course

    def upload_photos(self, api: Api, *, every_photo: bool) -> list[int]:
        uploaded = []
        for person_id, name in self.people.items():
            paths = sorted((self.faces / "enroll" / name).iterdir())
            for path in paths if every_photo else paths[:1]:
                photo = api.upload(
                    f"/api/people/{person_id}/photos/", "image", path.name, path.read_bytes()
                )
                uploaded.append(photo["id"])
        self.photo_ids += uploaded
        self.log(f"uploaded {len(uploaded)} enrollment photos through the balancer")
        return uploaded

    def photos(self) -> list[dict]:
        return list(self.balancer(self.authorization).every("/api/photos/"))

    def wait_for_photos(self, timeout: float) -> list[dict]:
        """Until every photo finished, or one says the worker could not read its file."""

        def settled():
            photos = self.photos()
            if checks.storage_missing(photos):
                return photos
            done = all(p["status"] in checks.FINISHED for p in photos)
            return photos if done and len(photos) == len(self.photo_ids) else None

        try:
            return wait_until(settled, timeout=timeout, what="every photo finished", interval=0.5)
        except RuntimeError as error:
            self.log(str(error))
            return self.photos()

    def wait_for_classifier(self, teacher: Api, course: int, timeout: float) -> bool:
        def trained():
            model = teacher.get(f"/api/courses/{course}/classifier/")
            ready = sum(p["status"] == "ready" for p in self.photos())
            return (
                model.get("trained_at")
                and model["photos_count"] == ready
                and model["training_requested_at"] is None
            )

        try:
            wait_until(trained, timeout=timeout, what="the classifier trained", interval=0.5)
        except RuntimeError as error:
            self.findings.fail(str(error))
            return False
        return True

    def open_session(self, teacher: Api, course: int) -> tuple[int, str]:
        now = datetime.now(UTC)
        session = teacher.post(
            "/api/sessions/",
            {
                "course": course,
                "starts_at": (now - timedelta(minutes=1)).isoformat(),
                "ends_at": (now + timedelta(hours=1)).isoformat(),
            },
        )
        teacher.post(f"/api/sessions/{session['id']}/open/")
        rotated = teacher.post(f"/api/sessions/{session['id']}/rotate-kiosk-token/")
        token = rotated["kiosk_url"].rstrip("/").rsplit("/", 1)[-1]
        self.log(f"session {session['id']} open, kiosk credential issued")
        return session["id"], token

    def faults(self, load: Load) -> None:
        """During the check-ins: kill web1's gunicorn, then kill -9 the worker while it
        encodes freshly uploaded photos and start a new one."""
        self._sleep_until(load, KILL_WEB1_AT)
        self.cluster.web["web1"].kill()
        self.log(f"t={load.elapsed():.1f}s killed gunicorn on web1 (SIGKILL)")
        self._sleep_until(load, KILL_WORKER_AT)
        newest = self.db("SELECT coalesce(max(id), 0) FROM people_enrollmentphoto")[0][0]
        uploads = threading.Thread(
            target=self.upload_photos,
            args=(self.balancer(self.authorization),),
            kwargs={"every_photo": True},
        )
        uploads.start()

        def encoding():  # read from the database: the web host is busy with the kiosks
            rows = self.db(
                "SELECT id FROM people_enrollmentphoto WHERE status = 'processing' AND id > %s",
                [newest],
            )
            return [row[0] for row in rows]

        try:
            self.killed_photos = wait_until(
                encoding, timeout=30, what="a new photo encoding", interval=0.02
            )
        except RuntimeError:
            self.log("no new photo was seen encoding; killing the worker anyway")
        self.cluster.worker.kill()
        self.log(
            f"t={load.elapsed():.1f}s killed the Celery worker (SIGKILL) while encoding photos "
            f"{self.killed_photos}"
        )
        time.sleep(2)
        self.cluster.start_worker()
        self.log(f"t={load.elapsed():.1f}s started a new Celery worker")
        uploads.join()

    @staticmethod
    def _sleep_until(load: Load, at: float) -> None:
        time.sleep(max(0.0, at - load.elapsed()))

    def db(self, query: str, params=()) -> list[tuple]:
        """A query on the services host's PostgreSQL, straight from the test's host."""
        import psycopg

        url = self.cluster.database_url.replace("postgres://", "postgresql://")
        with psycopg.connect(url) as connection:
            return connection.execute(query, params).fetchall()

    def records(self, session: int) -> list[tuple]:
        return self.db(
            "SELECT person_id, status, method FROM attendance_attendancerecord "
            "WHERE session_id = %s",
            [session],
        )

    def objects_in_bucket(self) -> int:
        import boto3

        s3 = self.cluster.s3_client(boto3)
        return s3.list_objects_v2(Bucket=BUCKET).get("KeyCount", 0)

    # -- the whole run -------------------------------------------------------------------

    def run(self) -> tuple[checks.Findings, list]:
        self.probe_operations()
        started = time.monotonic()
        teacher, course = self.enroll()
        photos = self.wait_for_photos(timeout=120)
        self.findings.figures["enrollment_seconds"] = round(time.monotonic() - started, 1)
        self.trained = False
        if checks.storage_missing(photos):
            self.log("the worker host cannot read the uploaded photos: no shared storage")
            self.findings.fail("no classifier: the enrollment photos never reached the worker")
        else:
            self.trained = self.wait_for_classifier(teacher, course, timeout=90)
            self.log(f"classifier trained {time.monotonic() - started:.1f}s after the first upload")
        session, kiosk_token = self.open_session(teacher, course)
        load = Load(
            self.balancer(f"Kiosk {kiosk_token}"),
            f"/api/sessions/{session}/checkin/",
            kiosk_frames(self.faces),
            kiosks=self.kiosks,
            seconds=self.seconds,
            cap=400,
        )
        self.log(f"{self.kiosks} kiosks check in through the balancer for {self.seconds:.0f}s")
        outcomes = load.run(during=self.faults)
        self.findings.figures["load_seconds"] = round(load.elapsed(), 1)
        self.log(f"check-ins done: {len(outcomes)} requests; waiting for the photos")
        photos = self.wait_for_photos(timeout=100)
        attempts = dict(self.db("SELECT id, processing_attempts FROM people_enrollmentphoto"))
        checks.check_photos(self.findings, photos, self.killed_photos, attempts)
        checks.compare_marks(
            self.findings, outcomes, self.records(session), expect_marks=self.trained
        )
        self.findings.figures["objects_in_bucket"] = self.objects_in_bucket()
        if not self.findings.figures["objects_in_bucket"]:
            message = "the S3 bucket is empty: the app did not store its media there"
            if self.cluster.shared_media_root:  # asked for a shared folder instead
                self.findings.notes.append(message)
            else:
                self.findings.fail(message)
        return self.findings, outcomes
