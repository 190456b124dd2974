"""Resident memory of the processes a deployment runs, after they have done real work."""

from __future__ import annotations

import os

from bench.stack import DEFAULT_REDIS_URL, CeleryWorker, Gunicorn, Stack, reachable


def gunicorn_row(server: Gunicorn) -> dict:
    """Call after check-ins have run: every worker has loaded dlib and the course model."""
    workers = server.worker_rss_mib()
    return {
        "process": f"gunicorn web worker (sync, {server.workers} workers)",
        "rss_mib": max(workers) if workers else None,
        "detail": f"each worker: {', '.join(f'{rss:g}' for rss in workers)} MiB",
    }


def celery_row(stack: Stack, photo_id: int, course_id: int) -> dict:
    """Start a worker on Redis, make it encode one photo (dlib) and train one course
    (scikit-learn), then read the pool process's VmRSS."""
    redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL)
    label = "Celery worker pool process (--concurrency=1)"
    if not reachable(redis_url, 6379):
        return {
            "process": label,
            "rss_mib": None,
            "detail": f"not measured: no Redis at {redis_url}",
        }
    from people.models import TrainingRequest

    request, _ = TrainingRequest.objects.get_or_create(course_id=course_id, state="queued")
    with CeleryWorker(stack, redis_url) as worker:
        worker.run_task("people.tasks.encode_photo", photo_id)
        worker.run_task("people.tasks.run_requested_training", request.pk)
        rss = worker.rss_mib()
    pool = rss["pool"]
    return {
        "process": label,
        "rss_mib": max(pool) if pool else None,
        "detail": f"after one encode and one training; main process {rss['main']} MiB",
    }
