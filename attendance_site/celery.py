"""The Celery app, configured from Django settings (CELERY_* names)."""

import os
from contextvars import Token

from celery import Celery, signals

from telemetry import metrics, request_id

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "attendance_site.settings")

app = Celery("attendance_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="attendance_site.ping", ignore_result=False)
def ping() -> str:
    """Round-trip check used by /healthz tests and operators: a worker answers "pong"."""
    return "pong"


# Each task's log lines name the request that queued it (telemetry.request_id).
_request_tokens: dict[str, Token] = {}


@signals.task_prerun.connect
def _enter_request_id(task_id=None, task=None, **kwargs):
    carried = request_id.of_task(task.request)
    if carried:
        _request_tokens[task_id] = request_id.current.set(carried)


@signals.task_postrun.connect
def _leave_request_id(task_id=None, **kwargs):
    token = _request_tokens.pop(task_id, None)
    if token is not None:
        request_id.current.reset(token)


@signals.after_setup_logger.connect
@signals.after_setup_task_logger.connect
def _log_request_ids(logger=None, **kwargs):
    for handler in logger.handlers:
        handler.addFilter(request_id.RequestIdFilter())


# Task durations and failures (telemetry.metrics), in the worker and in-process alike.
@signals.task_prerun.connect
def _start_timing(task_id=None, **kwargs):
    metrics.task_started(task_id)


@signals.task_postrun.connect
def _stop_timing(task_id=None, task=None, state=None, **kwargs):
    metrics.task_finished(task_id=task_id, task_name=task.name, state=state)


@signals.task_failure.connect
def _count_failure(sender=None, **kwargs):
    metrics.task_failed(task_name=sender.name)


@signals.worker_ready.connect
def _serve_worker_metrics(**kwargs):
    """With METRICS_WORKER_PORT set, the worker answers Prometheus on that port."""
    from django.conf import settings

    if settings.METRICS_WORKER_PORT:
        metrics.serve(
            port=settings.METRICS_WORKER_PORT,
            address=settings.METRICS_WORKER_ADDRESS,
            redis_url=settings.REDIS_URL,
            queue=settings.CELERY_TASK_DEFAULT_QUEUE,
        )
