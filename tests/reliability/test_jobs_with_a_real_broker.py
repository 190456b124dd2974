"""Every kind of background job with a real Redis stopped and started again.

A real `celery worker` with its beat (the one sweep every second, jobs stalled after 2 s)
runs on a throwaway redis-server (the fixtures of test_faults.py). While that Redis is
stopped a teacher uploads an enrollment photo, a class photo and a ZIP of photos, and
deletes a photo (which requests a training): each request answers normally and its row waits
queued. Once Redis is back, the sweep sends every job again and each one finishes. Jobs whose
input file went missing meanwhile end failed with their reason instead of waiting forever.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from attendance.class_photos import MISSING_FILE
from attendance.models import ClassPhoto
from people import photo_import, services
from people.models import CourseClassifier, EnrollmentPhoto, PhotoImportJob, TrainingRequest
from tests.api.test_photo_import import face, make_zip
from tests.factories import CourseFactory, PersonFactory
from tests.reliability import test_faults
from tests.reliability.odd_files import BUILDERS
from tests.reliability.test_faults import wait_until
from tests.reliability.test_jobs import stored

pytestmark = pytest.mark.worker
# The throwaway Redis and worker processes of the fault tests.
throwaway_redis, broker, workers = (
    test_faults.throwaway_redis,
    test_faults.broker,
    test_faults.workers,
)

SWEEPING = {"RELIABILITY_SWEEP_EVERY_SECONDS": 1, "RELIABILITY_JOB_STALLED_AFTER_SECONDS": 2}


def submit_every_kind(api, teacher, person, course, session, shared_faces) -> dict:
    """One job of each kind; each request answers as it does with the broker up."""
    photo = api.post(f"/api/people/{person.pk}/photos/", {"image": BUILDERS["webp"]().as_file()})
    assert photo.status_code == 202, photo.content
    class_photo = api.post(
        f"/api/sessions/{session.pk}/class-photos/",
        {"image": BUILDERS["webp"]().as_file()},
        format="multipart",
    )
    assert class_photo.status_code == 202, class_photo.content
    importing = CourseFactory(teachers=[teacher], roster=[PersonFactory(external_id="S1")])
    archive = make_zip({"S1.jpg": face(shared_faces, "obama")})
    job = api.post(
        f"/api/courses/{importing.pk}/photo-import/",
        {"file": SimpleUploadedFile("photos.zip", archive, "application/zip")},
        format="multipart",
    )
    assert job.status_code == 202, job.content
    return {
        "photo": EnrollmentPhoto.objects.get(pk=photo.json()["id"]),
        "class_photo": ClassPhoto.objects.get(pk=class_photo.json()["id"]),
        "import": PhotoImportJob.objects.get(pk=job.json()["id"]),
    }


def test_every_kind_of_job_waits_for_the_broker_and_finishes_when_it_is_back(
    workers, broker, teacher, teacher_api, person, known_course, open_session, shared_faces
):
    workers.start("swept", beat=True, **SWEEPING)
    wait_until(lambda: not TrainingRequest.job_unfinished().exists(), 60, "the fixtures' trainings")
    version = CourseClassifier.objects.get(course=known_course).version
    broker.stop()

    jobs = submit_every_kind(teacher_api, teacher, person, known_course, open_session, shared_faces)
    biden = EnrollmentPhoto.objects.filter(person__courses=known_course).last()
    assert teacher_api.delete(f"/api/photos/{biden.pk}/").status_code == 204
    assert jobs["photo"].status == "pending"
    assert jobs["class_photo"].status == "pending"
    assert jobs["import"].state == "queued"
    [training] = TrainingRequest.job_unfinished().filter(course=known_course)
    assert training.state == "queued"

    broker.start()  # the same port, empty: none of these messages was ever sent

    def finished(row):
        row.refresh_from_db()
        return getattr(row, row.job_state_field) not in row.job_waiting_states()

    for name, row in [*jobs.items(), ("training", training)]:
        wait_until(lambda row=row: finished(row), 90, f"the sweep runs the {name} job")
    # Encoded (held for review: the same face is enrolled as another student of the school).
    assert jobs["photo"].status in ("ready", "needs_review"), jobs["photo"].rejection_reason
    assert jobs["photo"].encoding is not None
    assert (jobs["class_photo"].status, jobs["class_photo"].error) == ("done", "")
    assert [entry["outcome"] for entry in jobs["class_photo"].faces] == ["present"]
    assert (jobs["import"].state, jobs["import"].error) == ("done", "")
    assert training.state == "done"
    assert CourseClassifier.objects.get(course=known_course).version > version
    assert "jobs.tasks.sweep_jobs" in workers.log("swept")


def test_jobs_whose_input_went_missing_fail_with_their_reason(
    workers, broker, teacher, teacher_api, person, known_course, open_session, shared_faces
):
    workers.start("swept", beat=True, **SWEEPING)
    broker.stop()
    jobs = submit_every_kind(teacher_api, teacher, person, known_course, open_session, shared_faces)
    stored(jobs["photo"].image).unlink()
    stored(jobs["class_photo"].image).unlink()
    stored(jobs["import"].archive).unlink()

    broker.start()

    for name, row in jobs.items():
        wait_until(
            lambda row=row: (
                (row.refresh_from_db() or True)
                and getattr(row, row.job_state_field) == row.job_failed
            ),
            90,
            f"the {name} job fails",
        )
    assert jobs["photo"].rejection_reason == services.MISSING_FILE_REASON
    assert jobs["class_photo"].error == MISSING_FILE
    assert jobs["import"].error == photo_import.MISSING_ARCHIVE
    assert not jobs["import"].archive
