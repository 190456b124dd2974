"""A stored model that cannot be read: check-in still answers 200 with
every face unknown, the course is queued for training, and the problem is logged."""

import io
import logging

import numpy as np
import pytest
from django.db.models import F
from django.utils import timezone

from attendance.models import AttendanceRecord
from people.models import CourseClassifier, TrainingRequest
from recognition import classifier
from tests.reliability.odd_files import jpeg


def old_format_model(known_course) -> bytes:
    data = bytes(CourseClassifier.objects.get(course=known_course).model_data)
    arrays = dict(np.load(io.BytesIO(data), allow_pickle=False))
    arrays["format_version"] = np.array(classifier.FORMAT_VERSION + 99, dtype=np.int64)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


@pytest.mark.parametrize("kind", ["garbage", "old-format", "missing"])
def test_check_in_with_an_unreadable_stored_model_answers_unknown_and_retrains(
    kind, db, teacher_api, open_session, known_course, caplog
):
    stored = {"garbage": b"\x00not a model" * 10, "missing": None}
    data = stored[kind] if kind in stored else old_format_model(known_course)
    CourseClassifier.objects.filter(course=known_course).update(
        model_data=data, version=F("version") + 1, trained_at=timezone.now(),
    )  # fmt: skip
    TrainingRequest.objects.filter(course=known_course).delete()
    image = io.BytesIO(jpeg())
    image.name = "frame.jpg"
    with caplog.at_level(logging.WARNING, logger="people.model_cache"):
        response = teacher_api.post(f"/api/sessions/{open_session.pk}/checkin/", {"image": image})
    assert response.status_code == 200, response.content[:300]
    assert [face["outcome"] for face in response.json()["faces"]] == ["unknown"]
    assert not AttendanceRecord.objects.exists()
    assert TrainingRequest.objects.filter(course=known_course, state="queued").exists()
    assert "unreadable" in caplog.text
