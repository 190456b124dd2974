"""The id of the request being served or of the request that queued the running task.

Every log line carries it (`RequestIdFilter`), in the web process (set by
attendance_site.request_id.RequestIdMiddleware) and in the worker: tasks carry it in their
message headers (`task_headers`, added by jobs.durable.send) and the worker's task signals
set it around each task (attendance_site.celery).
"""

import logging
import re
import uuid
from contextvars import ContextVar

TASK_HEADER = "request_id"
_ACCEPTED = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

current: ContextVar[str | None] = ContextVar("request_id", default=None)


def from_header(value: str | None) -> str:
    """The client's id when it is a plain token (no spaces, no line breaks), else a new one."""
    if value and _ACCEPTED.match(value):
        return value
    return uuid.uuid4().hex


def task_headers() -> dict[str, str]:
    """Message headers that carry the current request's id into a task."""
    request_id = current.get()
    return {TASK_HEADER: request_id} if request_id else {}


def of_task(task_request) -> str | None:
    """The id a task's message carries (custom headers become attributes of the request)."""
    headers = getattr(task_request, "headers", None) or {}
    return getattr(task_request, TASK_HEADER, None) or headers.get(TASK_HEADER)


class RequestIdFilter(logging.Filter):
    """Gives every log record a `request_id` ("-" outside a request or task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current.get() or "-"
        return True
