"""The performer of the sample clip, enrolled from frontal frames, and his head turn as
kiosk frames; photo spoofs are made from his frontal frame (bench.liveness_material)."""

import io
from datetime import timedelta

import numpy as np
import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from attendance.models import AttendanceSession
from bench import liveness_material as material
from people.models import EnrollmentPhoto
from people.services import encode_photo
from people.training import train_course_now
from recognition import faces
from tests.factories import CourseFactory, PersonFactory

FRONTAL_S = 6.0  # nose at ~0.59 of the jaw width
TURNED_S = 7.6  # nose at ~0.17: turned to his right
# kiosk frames of his turns: to his left (5.45-6.2 s), then to his right (6.2-7.7 s)
TURN_FRAMES_S = [5.45 + material.KIOSK_FRAME_S * k for k in range(16)]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """No challenge state or check-in throttle history from an earlier test (the tests
    send more frames a minute than the per-kiosk throttle allows over a whole file)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def kiosk_clock(monkeypatch):
    """The server's clock, moved on by the kiosk's frame interval with `kiosk_clock.tick()`:
    the challenge judges the head's speed by the time between frames, and the test's frames
    stand for a camera's, not for how fast this machine answers."""

    class Clock:
        now = timezone.now()

        def tick(self, seconds: float = material.KIOSK_FRAME_S):
            Clock.now += timedelta(seconds=seconds)

    monkeypatch.setattr(timezone, "now", lambda: Clock.now)
    return Clock()


@pytest.fixture(scope="session")
def clip(shared_faces) -> material.Clip:
    return material.clip_frames()


@pytest.fixture(scope="session")
def frontal(clip) -> np.ndarray:
    return clip.at(FRONTAL_S)


@pytest.fixture
def frontal_photo(frontal, tmp_path):
    """The frontal frame as a still photo file: a kiosk camera that never turns its head."""
    photo = tmp_path / "still-photo.png"
    Image.fromarray(frontal).save(photo)
    return photo


def jpeg(frame: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(frame).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def landmarks_of(frame: np.ndarray) -> np.ndarray:
    found = faces.find_faces(frame, faces.FaceConfig(), landmarks68=True)
    assert len(found) == 1, f"{len(found)} faces"
    return found[0].landmarks68


@pytest.fixture
def performer_course(teacher, clip):
    """A course whose one student is the clip's performer, enrolled from two frontal frames,
    liveness on, and an open session."""
    person = PersonFactory(full_name="Lin-Manuel Miranda", external_id="LMM")
    course = CourseFactory(
        name="Theatre", teachers=[teacher], roster=[person], liveness="challenge"
    )
    for seconds in material.FRONTAL_S:
        photo = EnrollmentPhoto(person=person)
        photo.image.save("frame.jpg", ContentFile(jpeg(clip.at(seconds))), save=True)
        assert encode_photo(photo_id=photo.pk) == "ready"
    train_course_now(course_id=course.pk)
    now = timezone.now()
    session = AttendanceSession.objects.create(
        course=course, starts_at=now - timedelta(minutes=1), ends_at=now + timedelta(hours=1),
        opened_at=now,
    )  # fmt: skip
    return course, person, session
