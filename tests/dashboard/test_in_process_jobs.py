"""Without a broker (`make run`), a job runs in the web process's task thread after the
request that queued it has answered: the import page answers at once and its job page shows
the progress, then the outcome."""

import threading
import time
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from jobs import durable
from people import roster_import
from people.models import RosterImportJob
from tests.factories import CourseFactory

pytestmark = pytest.mark.django_db(transaction=True)


def wait_for(predicate, timeout: float = 20):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "the in-process job did not end"
        time.sleep(0.05)


def test_a_roster_import_answers_before_its_job_runs_and_the_page_follows_it(
    teacher, settings, monkeypatch
):
    settings.IN_PROCESS_TASKS_IN_THREAD = True
    gate = threading.Event()
    real_run = roster_import.run_roster_import

    def held_run(*, job_id):
        assert gate.wait(20), "the test never let the job go"
        return real_run(job_id=job_id)

    monkeypatch.setattr(roster_import, "run_roster_import", held_run)
    course = CourseFactory(teachers=[teacher])
    client = Client()
    client.force_login(teacher)
    url = reverse("dashboard:roster-import", args=[course.pk])
    rows = "".join(f"Student {n};T{n:03d}\n" for n in range(40))
    upload = SimpleUploadedFile("class.csv", f"name;number\n{rows}".encode())
    assert client.post(url, {"file": upload}).status_code == 200

    response = client.post(url, {"confirm": "1"})  # answers while the job is held
    job = RosterImportJob.objects.get()
    assert response.status_code == 302 and response.url == f"/roster-imports/{job.pk}/"
    page = client.get(response.url).content.decode()
    assert "Waiting to start" in page and "0 of 40 students added" in page

    gate.set()
    poll = reverse("roster-import-detail", args=[job.pk])
    wait_for(lambda: client.get(poll).json()["finished"])
    assert client.get(poll).json()["done"] == 40
    assert course.roster.count() == 40
    assert "40 students imported." in client.get(response.url).content.decode()


def test_the_task_thread_sweeps_jobs_a_stopped_process_left_queued(teacher, settings, monkeypatch):
    """No beat runs without a broker: after a moment without work the thread runs the sweep,
    which sends the stalled job again."""
    settings.IN_PROCESS_TASKS_IN_THREAD = True
    settings.JOB_STALLED_AFTER_SECONDS = 1
    monkeypatch.setattr(durable, "IN_PROCESS_SWEEP_SECONDS", 0.2)
    course = CourseFactory(teachers=[teacher])
    left = RosterImportJob.objects.create(
        course=course,
        created_by=teacher,
        data="name;number\nAda Lovelace;L-1\n",
        total=1,
        state_changed_at=timezone.now() - timedelta(minutes=5),
    )  # queued by a process that stopped before running it
    durable.send(import_string(left.job_task), -1)  # any task starts the thread
    wait_for(lambda: RosterImportJob.objects.get(pk=left.pk).state == "done")
    assert course.roster.get().external_id == "L-1"


def test_stopping_the_task_thread_drops_the_waiting_tasks(teacher, settings, monkeypatch):
    """What the tests' teardown relies on: a thread left behind would go on running its tasks
    during later tests (Celery then refuses `result.get()` anywhere in the process)."""
    settings.IN_PROCESS_TASKS_IN_THREAD = True
    gate = threading.Event()
    ran = []

    def held_run(*, job_id):
        ran.append(job_id)
        assert gate.wait(20), "the test never let the job go"

    monkeypatch.setattr(roster_import, "run_roster_import", held_run)
    task = import_string(RosterImportJob.job_task)
    durable.send(task, -1)  # runs, held at the gate
    durable.send(task, -2)  # waits behind it
    wait_for(lambda: ran == [-1])
    threading.Timer(0.5, gate.set).start()  # the running task ends after the stop has begun
    durable.stop_in_process_tasks()
    assert not any(thread.name == "in-process-tasks" for thread in threading.enumerate())
    assert ran == [-1]
