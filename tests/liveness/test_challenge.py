"""The challenge state machine, frame by frame, on the cache the settings configure (Redis in
CI). Faces are synthetic here (a box and landmarks of a chosen yaw); the API tests run the
real thing on the clip."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from django.core.cache import cache

from attendance import liveness
from recognition import head_pose
from recognition.faces import DetectedFace, FaceBox

T0 = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
BOX = FaceBox(top=100, right=300, bottom=300, left=100)


def face(yaw: float, box: FaceBox = BOX, landmarks=True) -> DetectedFace:
    """Jaw points 0/16 (and the pairs used with them) on one line, the nose on it at the
    fraction that gives `yaw`, the chin below: placed in the box."""
    points = np.zeros((68, 2))
    points[[0, 1, 2]] = (0.0, 0.5)
    points[[16, 15, 14]] = (1.0, 0.5)
    points[8] = (0.5, 1.0)
    points[30] = ((yaw + 1) / 2, 0.5)
    points = points * (box.width, box.height) + (box.left, box.top)
    assert head_pose.yaw(points) == pytest.approx(yaw)
    return DetectedFace(box, np.zeros(128, np.float32), points if landmarks else None)


def frame(yaw, seconds, box=BOX, turn="left", credential="kiosk:a", person=7, **kw):
    return liveness.evaluate(
        session_id=1,
        person_id=person,
        credential=credential,
        face=face(yaw, box, **kw),
        now=T0 + timedelta(seconds=seconds),
        choose=lambda turns: turn,
    )


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_the_first_frame_starts_a_challenge_in_the_chosen_direction():
    verdict = frame(0.1, 0, turn="right")
    assert not verdict.passed
    assert verdict.as_dict() == {"turn": "right", "expires_in": 10.0, "progress": 0.0}


def test_turning_far_enough_the_asked_way_passes_with_the_start_time():
    frame(0.1, 0, turn="left")
    pending = frame(0.25, 0.3)
    assert (pending.turn, pending.progress) == ("left", pytest.approx(0.5))
    assert pending.expires_in == pytest.approx(9.7)
    verdict = frame(0.1 + liveness.TURN_THRESHOLD + 0.01, 0.6)
    assert verdict.passed and verdict.started_at == T0
    assert not frame(0.5, 0.9).passed  # used up: the next frame starts a new challenge


def test_to_the_right_means_a_falling_yaw():
    frame(0.1, 0, turn="right")
    assert frame(0.1 - liveness.TURN_THRESHOLD - 0.01, 0.3).passed


def test_just_short_of_the_threshold_does_not_pass():
    frame(0.0, 0, turn="left")
    for k in range(1, 30):
        assert not frame(liveness.TURN_THRESHOLD - 0.01, 0.3 * k).passed


def test_the_wrong_way_starts_a_new_challenge_from_that_frame():
    frame(0.0, 0, turn="left")
    restarted = frame(-liveness.TURN_THRESHOLD, 0.3, turn="right")
    assert restarted.turn == "right" and restarted.expires_in == 10.0
    # measured from the new start (-0.3), not the old one
    assert not frame(-liveness.TURN_THRESHOLD - 0.2, 0.6).passed
    assert frame(-2 * liveness.TURN_THRESHOLD - 0.01, 0.9).passed


def test_an_expired_challenge_starts_again():
    frame(0.0, 0)
    for k in range(1, 34):  # steady frames for 9.9 s
        assert not frame(0.0, 0.3 * k).passed
    assert frame(0.0, 10.2).expires_in == 10.0
    assert frame(0.5, 10.5).passed  # from the new start


def test_a_gap_in_the_frames_starts_again():
    frame(0.0, 0)
    assert frame(0.5, 0.3 + liveness.MAX_GAP_SECONDS + 0.1).expires_in == 10.0
    frame(0.0, 10)
    assert frame(0.5, 10 + liveness.MAX_GAP_SECONDS - 0.1).passed


@pytest.mark.parametrize(
    "box",
    [
        FaceBox(top=100, right=460, bottom=300, left=260),  # jumped 0.8 of its width
        FaceBox(top=270, right=300, bottom=470, left=100),  # jumped down 0.85 of its size
        FaceBox(top=60, right=350, bottom=400, left=10),  # 1.7x larger
        FaceBox(top=140, right=260, bottom=260, left=140),  # 0.6x smaller
    ],
)
def test_a_face_that_jumps_or_changes_size_is_a_new_challenge(box):
    frame(0.0, 0)
    assert not frame(0.6, 0.3, box=box).passed
    assert frame(0.61 + liveness.TURN_THRESHOLD, 0.6, box=box).passed  # tracked from there


def test_a_face_that_moves_and_grows_smoothly_stays_on_track():
    frame(0.0, 0)
    moved = FaceBox(top=120, right=420, bottom=360, left=180)  # 0.64 widths, 1.2x
    assert liveness.continuous(BOX, moved)
    assert frame(0.5, 0.3, box=moved).passed


def test_each_person_and_each_kiosk_has_its_own_challenge():
    frame(0.0, 0, credential="kiosk:a", person=7)
    assert frame(0.5, 0.3, credential="kiosk:b", person=7).expires_in == 10.0
    assert frame(0.5, 0.3, credential="kiosk:a", person=8).expires_in == 10.0
    assert frame(0.5, 0.3, credential="kiosk:a", person=7).passed


def test_a_face_without_landmarks_cannot_pass():
    frame(0.0, 0)
    assert not frame(0.9, 0.3, landmarks=False).passed
    assert not frame(0.9, 0.6).passed  # and its challenge was started again


def test_the_state_is_in_the_shared_cache_under_a_digest_of_the_credential():
    frame(0.0, 0, credential="kiosk:secret-token")
    key = f"liveness:1:7:{liveness.credential_key('kiosk:secret-token')}"
    assert cache.get(key)["turn"] == "left"
    assert "secret-token" not in key


def test_the_challenge_entry_expires_with_the_challenge():
    import time

    frame(0.0, 0)
    key = cache.make_and_validate_key(f"liveness:1:7:{liveness.credential_key('kiosk:a')}")
    if hasattr(cache, "_expire_info"):  # LocMemCache (no REDIS_URL)
        ttl = cache._expire_info[key] - time.time()
    else:  # Django's RedisCache (REDIS_URL, as in CI and production)
        ttl = cache._cache.get_client(key).ttl(key)
    assert 0 < ttl <= liveness.TTL_SECONDS + 1
