"""The Celery app, configured from Django settings (CELERY_* names)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "attendance_site.settings")

app = Celery("attendance_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="attendance_site.ping", ignore_result=False)
def ping() -> str:
    """Round-trip check used by /healthz tests and operators: a worker answers "pong"."""
    return "pong"
