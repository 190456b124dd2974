"""Health checks for a load balancer and an orchestrator.

- /health/live: the process answers (no dependency is touched): restart it when this fails.
- /health/ready: the database, Redis (broker and cache) and the file storage answer: send it
  traffic only while this is 200; 503 names what failed. /healthz is the same check.
"""

import os

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from attendance_site.celery import app as celery_app


def _failed(exc: Exception) -> str:
    return f"error: {exc.__class__.__name__}"


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down"; report, never raise
        return _failed(exc)
    return "ok"


def broker_status() -> str:
    if not settings.REDIS_URL:
        return "in-process"
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # kombu raises many kinds; all mean unreachable
        return _failed(exc)
    return "ok"


def storage_status() -> str:
    """The bucket answers (S3), or the media folder can be written (local)."""
    try:
        bucket = getattr(default_storage, "bucket", None)  # S3Storage only
        if bucket is not None:
            bucket.meta.client.head_bucket(Bucket=bucket.name)
            return "ok"
        location = default_storage.location
        os.makedirs(location, exist_ok=True)
        if not os.access(location, os.W_OK):
            return "error: not writable"
    except Exception as exc:  # botocore and OSError alike mean "cannot store files"
        return _failed(exc)
    return "ok"


@never_cache
@require_GET
def live(request):
    return JsonResponse({"status": "ok"})


class LiveMiddleware:
    """Answers /health/live before any other middleware, so that no session, user or time
    zone lookup (the database) stands between the probe and the process."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == "/health/live":
            return live(request)
        return self.get_response(request)


@never_cache
@require_GET
def ready(request):
    checks = {"database": database_status(), "broker": broker_status(), "storage": storage_status()}
    healthy = not any(value.startswith("error") for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )
