"""Every kind of background job (jobs.durable) survives a broker that refuses its message and
an input file that went missing: the request answers normally, the row waits `queued`, the
one sweep sends it again once the broker takes messages, and a missing file ends the job
`failed` with a reason a person can read. Duplicate deliveries do the work once.

The broker here refuses every message the way kombu does when Redis is down (the tests with
a real Redis stopped and started again are in test_jobs_with_a_real_broker.py).
"""

from datetime import timedelta
from pathlib import Path

import pytest
from celery.app.task import Task
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from kombu.exceptions import OperationalError

from attendance.class_photos import MISSING_FILE
from attendance.models import ClassPhoto
from jobs import durable
from jobs.tasks import sweep_jobs
from people import photo_import, services
from people.models import CourseClassifier, EnrollmentPhoto, PhotoImportJob, TrainingRequest
from people.tasks import run_photo_import
from tests.api.test_photo_import import face, make_zip
from tests.factories import CourseFactory, PersonFactory
from tests.reliability.odd_files import BUILDERS

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker(monkeypatch):
    """A switch: `broker.down()` makes every task's message fail as with Redis stopped."""

    class Switch:
        refused = 0

        def down(self):
            def refuse(task, *args, **kwargs):
                Switch.refused += 1
                raise OperationalError(
                    "Error 111 connecting to 127.0.0.1:6379. Connection refused."
                )

            monkeypatch.setattr(Task, "apply_async", refuse)

        def up(self):
            monkeypatch.undo()

    return Switch()


@pytest.fixture
def commits(django_capture_on_commit_callbacks):
    """Run what a request queues on commit, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def sweep_later(commits) -> int:
    """The sweep, once the jobs have waited longer than JOB_STALLED_AFTER_SECONDS."""
    past = timezone.now() - timedelta(seconds=settings.JOB_STALLED_AFTER_SECONDS + 1)
    for model in durable.job_models():
        model._default_manager.update(**{model.job_changed_field: past})
    with commits():
        return sweep_jobs.delay().get()


def stored(field) -> Path:
    return Path(settings.MEDIA_ROOT) / field.name


# -------------------------------------------------------------------------------------
# Photo imports


def import_course(teacher):
    return CourseFactory(teachers=[teacher], roster=[PersonFactory(external_id="S1")])


def post_import(api, course, shared_faces, commits):
    archive = make_zip({"S1.jpg": face(shared_faces, "obama")})
    with commits():
        return api.post(
            f"/api/courses/{course.pk}/photo-import/",
            {"file": SimpleUploadedFile("photos.zip", archive, "application/zip")},
            format="multipart",
        )


def test_a_photo_import_while_the_broker_is_down_waits_queued_and_the_sweep_runs_it(
    teacher, teacher_api, shared_faces, broker, commits
):
    course = import_course(teacher)
    broker.down()
    response = post_import(teacher_api, course, shared_faces, commits)
    assert response.status_code == 202, response.content
    assert broker.refused == 1
    job = PhotoImportJob.objects.get(pk=response.json()["id"])
    assert job.state == "queued"
    assert stored(job.archive).is_file()  # kept until the job runs

    broker.up()
    sweep_later(commits)
    job.refresh_from_db()
    assert (job.state, job.attempts, job.error) == ("done", 1, "")
    assert not job.archive
    assert EnrollmentPhoto.objects.get(person__external_id="S1").status == "ready"


@pytest.fixture
def queued_import(teacher, teacher_api, shared_faces, broker, commits) -> PhotoImportJob:
    """A photo import sent while the broker was down, and the broker back."""
    broker.down()
    response = post_import(teacher_api, import_course(teacher), shared_faces, commits)
    broker.up()
    return PhotoImportJob.objects.get(pk=response.json()["id"])


def test_a_photo_import_whose_archive_went_missing_fails_with_its_reason(
    teacher_api, queued_import, commits
):
    job = queued_import
    stored(job.archive).unlink()

    with commits():
        assert run_photo_import.delay(job.pk).get() == "failed"
    job.refresh_from_db()
    assert job.state == "failed"
    assert job.error == photo_import.MISSING_ARCHIVE
    progress = teacher_api.get(f"/api/photo-imports/{job.pk}/").json()
    assert progress["finished"] is True and progress["error"] == photo_import.MISSING_ARCHIVE
    sweep_later(commits)  # finished: the sweep leaves it alone
    assert PhotoImportJob.objects.get(pk=job.pk).attempts == 1


def test_a_photo_import_delivered_twice_adds_its_photos_once(queued_import, commits):
    job_id = queued_import.pk
    with commits():
        assert run_photo_import.delay(job_id).get() == "done"
        assert run_photo_import.delay(job_id).get() is None
    assert EnrollmentPhoto.objects.filter(person__external_id="S1").count() == 1


def test_a_photo_import_left_running_out_of_attempts_fails_and_drops_its_archive(
    queued_import, commits
):
    job_id = queued_import.pk
    PhotoImportJob.objects.filter(pk=job_id).update(
        state="running", attempts=PhotoImportJob.job_max_attempts
    )
    archive = stored(PhotoImportJob.objects.get(pk=job_id).archive)

    sweep_later(commits)
    job = PhotoImportJob.objects.get(pk=job_id)
    assert (job.state, job.error) == ("failed", PhotoImportJob.job_gave_up_reason)
    assert not archive.exists()


# -------------------------------------------------------------------------------------
# Class photos


def post_class_photo(api, session, commits):
    with commits():
        return api.post(
            f"/api/sessions/{session.pk}/class-photos/",
            {"image": BUILDERS["webp"]().as_file()},
            format="multipart",
        )


def test_a_class_photo_while_the_broker_is_down_waits_pending_and_the_sweep_runs_it(
    teacher_api, open_session, broker, commits
):
    broker.down()
    response = post_class_photo(teacher_api, open_session, commits)
    assert response.status_code == 202, response.content
    photo = ClassPhoto.objects.get(pk=response.json()["id"])
    assert photo.status == "pending" and broker.refused == 1

    broker.up()
    sweep_later(commits)
    photo.refresh_from_db()
    assert (photo.status, photo.attempts, photo.error) == ("done", 1, "")
    assert [entry["outcome"] for entry in photo.faces] == ["present"]


def test_a_class_photo_whose_file_went_missing_fails_with_its_reason(
    teacher_api, open_session, broker, commits
):
    broker.down()
    photo = ClassPhoto.objects.get(
        pk=post_class_photo(teacher_api, open_session, commits).json()["id"]
    )
    stored(photo.image).unlink()
    broker.up()

    sweep_later(commits)
    photo.refresh_from_db()
    assert (photo.status, photo.error) == ("failed", MISSING_FILE)


def test_a_class_photo_that_keeps_failing_gives_up_with_a_reason(
    teacher_api, open_session, commits, monkeypatch
):
    def crash(*args, **kwargs):
        raise RuntimeError("detector crashed")

    monkeypatch.setattr("recognition.faces.find_faces", crash)
    photo_id = post_class_photo(teacher_api, open_session, commits).json()["id"]
    photo = ClassPhoto.objects.get(pk=photo_id)
    assert (photo.status, photo.attempts) == ("failed", ClassPhoto.job_max_attempts)
    assert photo.error == ClassPhoto.job_gave_up_reason
    assert not photo.image  # the picture is not kept after giving up


# -------------------------------------------------------------------------------------
# Enrollment photos and training


def test_an_enrollment_photo_while_the_broker_is_down_is_encoded_by_the_sweep(
    teacher_api, person, broker, commits
):
    broker.down()
    with commits():
        response = teacher_api.post(
            f"/api/people/{person.pk}/photos/", {"image": BUILDERS["webp"]().as_file()}
        )
    assert response.status_code == 202, response.content
    photo = EnrollmentPhoto.objects.get(pk=response.json()["id"])
    assert photo.status == "pending"

    broker.up()
    sweep_later(commits)
    photo.refresh_from_db()
    assert (photo.status, photo.processing_attempts) == ("ready", 1)


def test_an_enrollment_photo_whose_file_went_missing_is_rejected_with_its_reason(
    teacher_api, person, broker, commits
):
    broker.down()
    with commits():
        response = teacher_api.post(
            f"/api/people/{person.pk}/photos/", {"image": BUILDERS["webp"]().as_file()}
        )
    photo = EnrollmentPhoto.objects.get(pk=response.json()["id"])
    stored(photo.image).unlink()
    broker.up()

    sweep_later(commits)
    photo.refresh_from_db()
    assert (photo.status, photo.rejection_reason) == ("rejected", services.MISSING_FILE_REASON)


def test_a_training_requested_while_the_broker_is_down_is_run_by_the_sweep(
    teacher_api, known_course, broker, commits
):
    version = CourseClassifier.objects.get(course=known_course).version
    biden = EnrollmentPhoto.objects.filter(person__courses=known_course).last()
    broker.down()
    with commits():
        response = teacher_api.delete(f"/api/photos/{biden.pk}/")
    assert response.status_code == 204, response.content
    [request] = TrainingRequest.job_unfinished().filter(course=known_course)
    assert request.state == "queued"
    assert teacher_api.get(f"/api/courses/{known_course.pk}/classifier/").json()[
        "training_requested_at"
    ]

    broker.up()
    sweep_later(commits)
    request.refresh_from_db()
    assert (request.state, request.attempts) == ("done", 1)
    assert CourseClassifier.objects.get(course=known_course).version == version + 1
    answer = teacher_api.get(f"/api/courses/{known_course.pk}/classifier/").json()
    assert answer["training_requested_at"] is None
