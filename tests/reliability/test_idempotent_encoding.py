"""Encoding is idempotent: two deliveries of one encoding task never
both encode or overwrite each other; the stalled-photo sweep waits longer than the broker's
own redelivery and reports the right count."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from people import services
from people.models import EnrollmentPhoto
from tests.factories import PersonFactory
from tests.test_settings import _manage_check

pytestmark = pytest.mark.django_db
Status = EnrollmentPhoto.Status


@pytest.fixture
def photo(shared_faces):
    photo = EnrollmentPhoto(person=PersonFactory())
    data = (shared_faces / "enroll" / "obama" / "obama.jpg").read_bytes()
    photo.image.save("face.jpg", ContentFile(data), save=True)
    return photo


def test_a_second_delivery_of_a_finished_photo_does_nothing(photo):
    assert services.encode_photo(photo_id=photo.pk) == Status.READY
    photo.refresh_from_db()
    attempts, changed = photo.processing_attempts, photo.status_changed_at
    assert services.encode_photo(photo_id=photo.pk) is None
    photo.refresh_from_db()
    assert (photo.status, photo.processing_attempts) == (Status.READY, attempts)
    assert photo.status_changed_at == changed


def test_a_delivery_overtaken_by_a_newer_claim_does_not_store_its_result(photo, monkeypatch):
    """Delivery A is slow; meanwhile delivery B claims the photo and finishes it rejected
    (say). A's late "ready" must not overwrite B's outcome."""
    from recognition import faces

    real = faces.encode_enrollment_photo

    def slow_then_overtaken(handle, config):
        face = real(handle, config)
        EnrollmentPhoto.objects.filter(pk=photo.pk).update(
            status=Status.REJECTED,
            rejection_reason="finished by the other delivery",
            processing_attempts=5,
        )
        return face

    monkeypatch.setattr(faces, "encode_enrollment_photo", slow_then_overtaken)
    assert services.encode_photo(photo_id=photo.pk) is None
    photo.refresh_from_db()
    assert photo.status == Status.REJECTED
    assert photo.rejection_reason == "finished by the other delivery"
    assert photo.encoding is None


def test_the_sweep_counts_what_it_requeued_and_gave_up(photo, settings, monkeypatch):
    queued = []
    monkeypatch.setattr(services, "queue_encoding", queued.append)
    old = timezone.now() - timedelta(seconds=settings.PHOTO_STALLED_AFTER_SECONDS + 5)
    second = EnrollmentPhoto.objects.create(person=photo.person, image=photo.image.name)
    given_up = EnrollmentPhoto.objects.create(
        person=photo.person, image=photo.image.name, processing_attempts=99
    )
    EnrollmentPhoto.objects.update(status=Status.PROCESSING, status_changed_at=old)
    assert services.requeue_stalled_photos() == 3
    assert sorted(queued) == sorted([photo.pk, second.pk])
    given_up.refresh_from_db()
    assert given_up.status == Status.REJECTED


def test_the_sweep_waits_longer_than_the_brokers_visibility_timeout(settings):
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert visibility < settings.PHOTO_STALLED_AFTER_SECONDS
    result = _manage_check(CELERY_VISIBILITY_TIMEOUT="600", PHOTO_STALLED_AFTER_SECONDS="300")
    assert result.returncode != 0
    assert "PHOTO_STALLED_AFTER_SECONDS must be longer" in result.stderr
