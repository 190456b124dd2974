"""Celery tasks of enrollment and training: each takes a row's pk and calls one service
through `jobs.durable.run_job`, which owns the retry and give-up policy of every job."""

from celery import shared_task

from jobs import durable
from people import photo_import, roster_import, services, training
from people.models import EnrollmentPhoto, PhotoImportJob, RosterImportJob, TrainingRequest


@shared_task(bind=True, acks_late=True)
def encode_photo(self, photo_id: int) -> str | None:
    return durable.run_job(
        self, EnrollmentPhoto, photo_id, lambda: services.encode_photo(photo_id=photo_id)
    )


@shared_task
def reencode_outdated_photos() -> int:
    """Periodic: photos encoded with other face settings than now are encoded again."""
    return services.reencode_outdated_photos()


@shared_task(bind=True, acks_late=True)
def run_requested_training(self, request_id: int) -> int | None:
    return durable.run_job(
        self,
        TrainingRequest,
        request_id,
        lambda: training.run_requested_training(request_id=request_id),
    )


@shared_task(bind=True, acks_late=True)
def run_photo_import(self, job_id: int) -> str | None:
    return durable.run_job(
        self, PhotoImportJob, job_id, lambda: photo_import.run_photo_import(job_id=job_id)
    )


@shared_task(bind=True, acks_late=True)
def run_roster_import(self, job_id: int) -> str | None:
    return durable.run_job(
        self, RosterImportJob, job_id, lambda: roster_import.run_roster_import(job_id=job_id)
    )
