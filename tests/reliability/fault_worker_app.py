"""The project's Celery app, for the worker processes that the fault tests start and kill.

Started as `celery -A tests.reliability.fault_worker_app worker ...`, it is the real app with
the real settings, except two timings a test cannot wait for, read from test-only variables:

- RELIABILITY_SWEEP_EVERY_SECONDS: the beat entries of CELERY_BEAT_SCHEDULE that run
  jobs.tasks.sweep_jobs run this often instead of every minute (the entries
  themselves come from the settings: without them, no sweep runs here either);
- RELIABILITY_JOB_STALLED_AFTER_SECONDS: JOB_STALLED_AFTER_SECONDS below the broker's
  visibility timeout that the JOB_STALLED_AFTER_SECONDS variable must exceed.
"""

import os

from django.conf import settings

from attendance_site.celery import app

SWEEP_TASK = "jobs.tasks.sweep_jobs"

if os.environ.get("RELIABILITY_SWEEP_EVERY_SECONDS"):
    every = float(os.environ["RELIABILITY_SWEEP_EVERY_SECONDS"])
    app.conf.beat_schedule = {
        name: {**entry, "schedule": every} if entry["task"] == SWEEP_TASK else entry
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
    }

if os.environ.get("RELIABILITY_JOB_STALLED_AFTER_SECONDS"):
    settings.JOB_STALLED_AFTER_SECONDS = int(os.environ["RELIABILITY_JOB_STALLED_AFTER_SECONDS"])

__all__ = ["app"]
