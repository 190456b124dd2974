"""Admin actions: encode selected photos again, retrain selected courses."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_re_encoding_resets_the_photos_and_queues_them(client, superuser, photo, monkeypatch):
    queued = []
    monkeypatch.setattr("people.services.queue_encoding", queued.append)
    client.force_login(superuser)
    client.post(
        reverse("admin:people_enrollmentphoto_changelist"),
        {"action": "reencode_photos", "_selected_action": [photo.pk]},
    )
    photo.refresh_from_db()
    assert (photo.status, photo.rejection_reason) == ("pending", "")
    assert queued == [photo.pk]


def test_retraining_selected_courses_requests_a_training(client, superuser, course, monkeypatch):
    requested = []
    monkeypatch.setattr("people.training.request_training", requested.append)
    client.force_login(superuser)
    client.post(
        reverse("admin:people_course_changelist"),
        {"action": "retrain_courses", "_selected_action": [course.pk]},
    )
    assert [list(ids) for ids in requested] == [[course.pk]]
