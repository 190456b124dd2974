"""One way to run background work durably: rows that say how far their job got.

Every kind of background work (an enrollment photo's encoding, a course's training, a
class photo, a photo import) is a row of a model that inherits `DurableJob` and names, in
class attributes, its task and the values of its state field. The row's life:

    queued --(the task claims it)--> claimed --> done | failed (with a reason a person reads)

- `enqueue_after_commit(task, pk)` sends the task once the transaction that wrote the row
  commits; it never raises. With the broker down it logs and the row stays queued.
- The task claims the row with a compare-and-set on (state, attempts): of two deliveries of
  one message (a redelivery after the broker's visibility timeout, a sweep's re-send) one
  claims the row and the other returns. A finished row is never worked on again.
- `finish` stores the outcome only while the row is still at its claim's attempt, so a
  delivery that lost its claim to a later one writes nothing.
- `run_job` is the body of every task: an unexpected error is retried with a growing
  countdown until the row has used `job_max_attempts` claims, then the row fails with
  `job_gave_up_reason`.
- `sweep` (periodic, `jobs.tasks.sweep_jobs`) sends again every row left queued or claimed
  longer than JOB_STALLED_AFTER_SECONDS (longer than the broker's visibility timeout, so that
  it does not race Redis's own redelivery), and fails the rows out of attempts.

When REDIS_URL is unset tasks run in-process (Celery's eager mode) through the same path;
with IN_PROCESS_TASKS_IN_THREAD (which `make run` sets for its server) `send` hands them to
one background thread of the web process, which runs them one at a time after the request
that queued them has answered: its page can show the job's progress instead of waiting.
That thread also runs the sweep after a minute without work, as the beat does otherwise.
"""

from __future__ import annotations

import logging
import queue
import threading
from datetime import timedelta
from functools import partial

from django.apps import apps
from django.conf import settings
from django.db import connections, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from telemetry import request_id

logger = logging.getLogger(__name__)

RETRY_COUNTDOWN_SECONDS = 5  # doubled at each retry
GAVE_UP_REASON = "This could not be processed after several attempts. Try again."


class JobState(models.TextChoices):
    """The states of a job whose model has no states of its own."""

    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class DurableJob(models.Model):
    """A row worked on by a background task. Subclasses set the `job_*` attributes."""

    attempts = models.PositiveSmallIntegerField(
        default=0, help_text="How many times a task claimed this job."
    )
    state_changed_at = models.DateTimeField(default=timezone.now)

    job_task: str = ""  # dotted path of the Celery task that takes the row's pk
    job_state_field = "state"
    job_queued = JobState.QUEUED
    job_claimed = JobState.RUNNING
    job_failed = JobState.FAILED
    job_reason_field = "error"
    job_attempts_field = "attempts"
    job_changed_field = "state_changed_at"
    job_max_attempts = 3
    job_gave_up_reason = GAVE_UP_REASON
    job_on_give_up = ""  # dotted path of `f(row)` to call instead of `fail` when giving up

    class Meta:
        abstract = True

    @classmethod
    def job_waiting_states(cls) -> tuple[str, str]:
        return (cls.job_queued, cls.job_claimed)

    @classmethod
    def job_stalled_cutoff(cls):
        return timezone.now() - timedelta(seconds=settings.JOB_STALLED_AFTER_SECONDS)

    @classmethod
    def job_unfinished(cls) -> models.QuerySet:
        return cls._default_manager.filter(
            **{f"{cls.job_state_field}__in": cls.job_waiting_states()}
        )

    @classmethod
    def job_stalled(cls) -> models.QuerySet:
        changed = f"{cls.job_changed_field}__lt"
        return cls.job_unfinished().filter(**{changed: cls.job_stalled_cutoff()})


# ---------------------------------------------------------------------------------------
# Sending


def send(task, pk) -> bool:
    """Send the task now, with the id of the request that queued it in its headers (the
    worker logs under it); False (logged) when the broker cannot take it. Never raises."""
    headers = request_id.task_headers()
    if task.app.conf.task_always_eager and settings.IN_PROCESS_TASKS_IN_THREAD:
        _in_process_queue().put((task, pk, headers))
        return True
    try:
        task.apply_async((pk,), headers=headers)
    except Exception:  # kombu and redis raise many kinds of connection errors
        logger.warning(
            "could not queue %s(%s); the sweep sends it again", task.name, pk, exc_info=True
        )
        return False
    return True


_in_process: queue.SimpleQueue | None = None
_in_process_lock = threading.Lock()


def _in_process_queue() -> queue.SimpleQueue:
    """The queue of the web process's one task thread, started on first use."""
    global _in_process
    with _in_process_lock:
        if _in_process is None:
            _in_process = queue.SimpleQueue()
            threading.Thread(
                target=_run_in_process, args=(_in_process,), name="in-process-tasks", daemon=True
            ).start()
    return _in_process


IN_PROCESS_SWEEP_SECONDS = 60  # as often as the beat schedule's sweep_jobs
_STOP = object()


def stop_in_process_tasks(timeout: float = 60) -> None:
    """End the task thread now, dropping the tasks still waiting (their rows stay queued for
    the sweep, as when the process stops). For the tests: a thread that a test started would
    otherwise go on running its tasks during later tests, and Celery refuses `result.get()`
    anywhere in the process while a task runs eagerly."""
    global _in_process
    with _in_process_lock:
        tasks, _in_process = _in_process, None
    if tasks is None:
        return
    while True:
        try:
            tasks.get_nowait()
        except queue.Empty:
            break
    tasks.put(_STOP)
    for thread in threading.enumerate():
        if thread.name == "in-process-tasks":
            thread.join(timeout)


def _run_in_process(tasks: queue.SimpleQueue) -> None:
    """Run each task as Celery's eager mode does, one after the other. A task it queues
    joins the end of the queue. With no beat to run the sweep, the thread runs it after a
    minute without work: the rows a stopped process left queued are sent again."""
    while True:
        try:
            item = tasks.get(timeout=IN_PROCESS_SWEEP_SECONDS)
            if item is _STOP:
                return
            task, pk, headers = item
            work, name = partial(task.apply_async, (pk,), headers=headers), f"{task.name}({pk})"
        except queue.Empty:
            work, name = sweep, "sweep"
        try:
            work()
        except Exception:
            logger.exception("in-process %s failed", name)
        finally:
            connections.close_all()  # this thread's own connections


def enqueue_after_commit(task, pk) -> None:
    """Send the task once the current transaction commits (at once outside one)."""
    transaction.on_commit(partial(send, task, pk))


def enqueue(row: DurableJob) -> None:
    """The row's own task, after the commit."""
    enqueue_after_commit(import_string(row.job_task), row.pk)


# ---------------------------------------------------------------------------------------
# Claiming and finishing


def claim(model: type[DurableJob], pk) -> DurableJob | None:
    """Compare-and-set: the row moves to claimed (one more attempt) only if no other delivery
    changed it since it was read. Returns the claimed row, or None (gone, finished, or
    claimed by another delivery)."""
    state_field, attempts_field = model.job_state_field, model.job_attempts_field
    current = model._default_manager.filter(pk=pk).values_list(state_field, attempts_field).first()
    if current is None or current[0] not in model.job_waiting_states():
        return None
    state, attempts = current
    claimed = model._default_manager.filter(
        pk=pk, **{state_field: state, attempts_field: attempts}
    ).update(
        **{
            state_field: model.job_claimed,
            attempts_field: F(attempts_field) + 1,
            model.job_changed_field: timezone.now(),
        }
    )
    return model._default_manager.get(pk=pk) if claimed else None


def finish(row: DurableJob, state: str, *, mine: bool = True, **fields) -> bool:
    """Store the outcome: only while the row is at this claim's attempt (`mine`), or, for a
    give-up, while it is still unfinished. True when stored."""
    model = type(row)
    rows = model._default_manager.filter(pk=row.pk)
    if mine:
        rows = rows.filter(
            **{
                model.job_state_field: model.job_claimed,
                model.job_attempts_field: getattr(row, model.job_attempts_field),
            }
        )
    else:
        rows = rows.filter(**{f"{model.job_state_field}__in": model.job_waiting_states()})
    now = timezone.now()
    stored = rows.update(**{model.job_state_field: state, model.job_changed_field: now, **fields})
    if stored:
        setattr(row, model.job_state_field, state)
        setattr(row, model.job_changed_field, now)
        for name, value in fields.items():
            setattr(row, name, value)
    return bool(stored)


def fail(row: DurableJob, reason: str, *, mine: bool = True, **fields) -> bool:
    """The job ends failed with a reason a person can read."""
    reason_field = type(row).job_reason_field
    length = type(row)._meta.get_field(reason_field).max_length
    return finish(row, type(row).job_failed, mine=mine, **{reason_field: reason[:length], **fields})


def give_up(model: type[DurableJob], pk) -> bool:
    """Out of attempts: the row fails with the model's give-up reason (unless finished)."""
    row = model._default_manager.filter(pk=pk).first()
    if row is None:
        return False
    if model.job_on_give_up:
        return bool(import_string(model.job_on_give_up)(row))
    return fail(row, model.job_gave_up_reason, mine=False)


# ---------------------------------------------------------------------------------------
# The retry policy, and the sweep


def run_job(task, model: type[DurableJob], pk, work):
    """The body of every job task: `work()` runs (it claims the row itself); an unexpected
    error is retried with a doubling countdown while the row has attempts left, then the row
    fails with its give-up reason. Expected outcomes (bad input) are the service's to store
    as `failed` with their reason, never raised."""
    try:
        return work()
    except Exception as error:
        attempts = (
            model._default_manager.filter(pk=pk)
            .values_list(model.job_attempts_field, flat=True)
            .first()
        )
        if attempts is None:
            return None
        retries = task.request.retries
        if max(attempts, retries + 1) >= model.job_max_attempts:
            logger.exception("%s %s failed %s times; giving up", model.__name__, pk, attempts)
            give_up(model, pk)
            return None
        countdown = RETRY_COUNTDOWN_SECONDS * 2**retries
        raise task.retry(exc=error, countdown=countdown, max_retries=None) from error


def job_models() -> list[type[DurableJob]]:
    return [model for model in apps.get_models() if issubclass(model, DurableJob)]


def sweep() -> int:
    """Send again every job left queued or claimed past JOB_STALLED_AFTER_SECONDS; fail the
    ones out of attempts. Returns how many rows it handled."""
    handled = 0
    for model in job_models():
        task = import_string(model.job_task)
        stalled = model.job_stalled().values_list(
            "pk", model.job_state_field, model.job_attempts_field
        )
        for pk, state, attempts in list(stalled):
            handled += 1
            if attempts >= model.job_max_attempts:
                give_up(model, pk)
                continue
            # Touch the row (compare-and-set), so the next sweep waits a full period again.
            touched = model._default_manager.filter(
                pk=pk, **{model.job_state_field: state, model.job_attempts_field: attempts}
            ).update(**{model.job_changed_field: timezone.now()})
            if touched:
                logger.info("sweep: sending %s %s again", model.__name__, pk)
                send(task, pk)
    return handled
