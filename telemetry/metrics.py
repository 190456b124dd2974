"""Prometheus metrics (prometheus-client), exposed at /metrics (attendance_site.metrics_view)
and, for the worker, on METRICS_WORKER_PORT.

With several processes per host (gunicorn workers, Celery's prefork children) each process
counts in its own memory unless PROMETHEUS_MULTIPROC_DIR names a folder they share (emptied
before the processes start); the exposition then adds up every process's files.
"""

import os
import time

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

REQUESTS = Counter(
    "attendance_http_requests_total",
    "HTTP requests answered, by method, view and status code.",
    ["method", "view", "status"],
)
REQUEST_SECONDS = Histogram(
    "attendance_http_request_duration_seconds",
    "Time to answer an HTTP request, by view.",
    ["view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
CHECKIN_FACES = Counter(
    "attendance_checkin_faces_total",
    "Faces in kiosk check-in frames by what was decided for them: present, late, "
    "already_checked_in, unknown, review, challenge; frames without a face count as no_face.",
    ["outcome"],
)
TASK_SECONDS = Histogram(
    "attendance_task_duration_seconds",
    "Time a background task ran, by task and state (success, failure, retry).",
    ["task", "state"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)
TASK_FAILURES = Counter(
    "attendance_task_failures_total",
    "Background tasks that raised, by task.",
    ["task"],
)


def count_checkin(outcomes: list[str]) -> None:
    """One kiosk frame's per-face outcomes (an empty list: no face found)."""
    for outcome in outcomes or ["no_face"]:
        CHECKIN_FACES.labels(outcome=outcome).inc()


def count_request(*, method: str, view: str, status: int, seconds: float) -> None:
    REQUESTS.labels(method=method, view=view, status=str(status)).inc()
    REQUEST_SECONDS.labels(view=view).observe(seconds)


# Tasks: started by task_prerun, finished by task_postrun (Celery signals, connected in
# attendance_site.celery), in the worker and in-process alike.
_task_started: dict[str, float] = {}


def task_started(task_id: str) -> None:
    _task_started[task_id] = time.perf_counter()


def task_finished(*, task_id: str, task_name: str, state: str) -> None:
    started = _task_started.pop(task_id, None)
    if started is not None:
        seconds = time.perf_counter() - started
        TASK_SECONDS.labels(task=task_name, state=(state or "unknown").lower()).observe(seconds)


def task_failed(*, task_name: str) -> None:
    TASK_FAILURES.labels(task=task_name).inc()


class QueueLength:
    """attendance_task_queue_length: messages waiting in the broker's queue, read from Redis
    at each scrape (one LLEN), so every host reports the same shared number."""

    def __init__(self, *, redis_url: str, queue: str):
        self.redis_url, self.queue = redis_url, queue

    def collect(self):
        import redis

        family = GaugeMetricFamily(
            "attendance_task_queue_length",
            "Tasks waiting in the Redis broker's queue (-1: Redis unreachable).",
            labels=["queue"],
        )
        try:
            client = redis.Redis.from_url(self.redis_url, socket_timeout=2)
            try:
                length = client.llen(self.queue)
            finally:
                client.close()
        except Exception:  # unreachable Redis is a value to alert on, not a failed scrape
            length = -1
        family.add_metric([self.queue], length)
        yield family


def exposition(*, redis_url: str = "", queue: str = "") -> tuple[bytes, str]:
    """The metrics of this process (or of every process sharing PROMETHEUS_MULTIPROC_DIR),
    and the broker queue's length when there is a broker: (body, content type)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        registry.register(_Everything())
    if redis_url and queue:
        registry.register(QueueLength(redis_url=redis_url, queue=queue))
    return generate_latest(registry), CONTENT_TYPE_LATEST


class _Everything:
    """This process's default registry, inside a registry of its own for one scrape."""

    def collect(self):
        return REGISTRY.collect()


def serve(*, port: int, address: str, redis_url: str = "", queue: str = ""):
    """Answer GET /metrics (any path) on address:port from a daemon thread: a worker's own
    metrics (every prefork child's with PROMETHEUS_MULTIPROC_DIR)."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body, content_type = exposition(redis_url=redis_url, queue=queue)
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):  # scrapes are not worth a log line each
            pass

    server = ThreadingHTTPServer((address, port), Handler)
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
    return server
