"""The Celery app, configured from Django settings (CELERY_* names)."""

import os
from contextvars import Token

from celery import Celery, signals

from jobs import request_id

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "attendance_site.settings")

app = Celery("attendance_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="attendance_site.ping", ignore_result=False)
def ping() -> str:
    """Round-trip check used by /healthz tests and operators: a worker answers "pong"."""
    return "pong"


# Each task's log lines name the request that queued it (jobs.request_id).
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
