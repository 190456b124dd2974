"""The challenge state machine, frame by frame, on the cache the settings configure (Redis in
CI). Faces are synthetic here (a box, an encoding and landmarks of a chosen yaw); the API
tests run the real thing on the clip and on swapped pictures."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from django.core.cache import cache

from attendance import liveness
from recognition import head_pose
from recognition.faces import DetectedFace, FaceBox

T0 = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
BOX = FaceBox(top=100, right=300, bottom=300, left=100)
LEFT_RIGHT = ("left", "right")
RIGHT_LEFT = ("right", "left")
DT = 0.15  # the kiosk's frame interval during a challenge


def face(yaw: float, box: FaceBox = BOX, landmarks=True, looks=0.0) -> DetectedFace:
    """Jaw points 0/16 (and the pairs used with them) on one line, the nose on it at the
    fraction that gives `yaw`, the chin below: placed in the box. `looks` moves the encoding."""
    points = np.zeros((68, 2))
    points[[0, 1, 2]] = (0.0, 0.5)
    points[[16, 15, 14]] = (1.0, 0.5)
    points[8] = (0.5, 1.0)
    points[30] = ((yaw + 1) / 2, 0.5)
    points = points * (box.width, box.height) + (box.left, box.top)
    assert head_pose.yaw(points) == pytest.approx(yaw)
    encoding = np.zeros(128, np.float32)
    encoding[0] = looks
    return DetectedFace(box, encoding, points if landmarks else None)


def frame(yaw, seconds, box=BOX, order=LEFT_RIGHT, credential="kiosk:a", person=7, **kw):
    return liveness.evaluate(
        session_id=1,
        person_id=person,
        credential=credential,
        face=face(yaw, box, **kw),
        now=T0 + timedelta(seconds=seconds),
        choose=lambda orders: order,
    )


def frames(yaws, start=0.0, **kw) -> list[liveness.Verdict]:
    """One frame per yaw, DT apart from `start`."""
    return [frame(yaw, start + k * DT, **kw) for k, yaw in enumerate(yaws)]


# a head turning left (yaw up) then right (yaw down past where it started), in steps of 0.1
LEFT_THEN_RIGHT = [0.0, 0.1, 0.2, 0.3, 0.4, 0.3, 0.2, 0.1, 0.0, -0.1, -0.25]


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_the_first_frame_starts_a_challenge_of_two_turns_in_the_chosen_order():
    verdict = frame(0.1, 0, order=RIGHT_LEFT)
    assert not verdict.passed and verdict.turn == "right"
    assert verdict.as_dict() == {
        "turn": "right",
        "steps": ["right", "left"],
        "step": 0,
        "expires_in": 10.0,
        "progress": 0.0,
    }
    assert set(liveness.ORDERS) == {LEFT_RIGHT, RIGHT_LEFT}


def test_a_turn_seen_in_progress_both_ways_passes_with_the_start_time():
    verdicts = frames(LEFT_THEN_RIGHT)
    assert [v.passed for v in verdicts] == [False] * 10 + [True]
    assert verdicts[-1].started_at == T0
    assert [v.turn for v in verdicts[:3]] == ["left"] * 3
    assert [v.turn for v in verdicts[3:10]] == ["right"] * 7  # the first turn is done at 0.3
    assert verdicts[2].progress == pytest.approx(0.5 * 0.2 / liveness.TURN)
    assert not frame(-0.3, 11 * DT).passed  # used up: the next frame starts a new challenge


def test_the_mirrored_order_is_the_mirrored_motion():
    assert frames([-y for y in LEFT_THEN_RIGHT], order=RIGHT_LEFT)[-1].passed
    cache.clear()
    assert not any(v.passed for v in frames([-y for y in LEFT_THEN_RIGHT], order=LEFT_RIGHT))


def test_one_turn_and_back_to_the_start_is_not_enough():
    """The second turn must swing SWING from where the first ended: not just back."""
    verdicts = frames([0.0, 0.1, 0.2, 0.3, 0.2, 0.1, 0.0, 0.0, 0.0])
    assert not any(v.passed for v in verdicts)
    assert verdicts[-1].step == 1


def test_a_turn_needs_two_frames_between_its_start_and_its_end():
    """0 -> 0.2 -> 0.4 reaches the turn but with one frame in between: not yet."""
    assert [v.step for v in frames([0.0, 0.2, 0.4])] == [0, 0, 0]
    assert frame(0.5, 3 * DT).step == 1  # a second frame in between, then on


def test_a_jump_between_two_poses_restarts_the_challenge():
    frames([0.0, 0.1])
    restarted = frame(0.1 + liveness.max_yaw_step(DT) + 0.01, 2 * DT, order=RIGHT_LEFT)
    assert restarted.expires_in == 10.0 and restarted.steps == RIGHT_LEFT


@pytest.mark.parametrize("turned", [0.15, 0.3, 0.43])
def test_a_picture_and_its_mirror_image_swapped_never_pass(turned):
    """The yaw flips sign with the box in place: any swap rhythm, either order."""
    for order in (LEFT_RIGHT, RIGHT_LEFT):
        for hold in (1, 2, 3):
            cache.clear()
            yaws = ([turned] * hold + [-turned] * hold) * 10
            assert not any(v.passed for v in frames(yaws, order=order))


def test_three_poses_in_the_asked_order_without_motion_between_never_pass():
    for hold in (1, 2, 3):
        cache.clear()
        yaws = ([0.0] * hold + [0.4] * hold + [-0.4] * hold) * 6
        assert not any(v.passed for v in frames(yaws, order=LEFT_RIGHT))


def test_a_photo_whose_yaw_wanders_by_less_than_an_advance_never_progresses():
    wobble = [0.0, 0.04, -0.03, 0.05, 0.0, -0.05, 0.03] * 8
    verdicts = frames(wobble)
    assert not any(v.passed for v in verdicts)
    assert {v.step for v in verdicts} == {0}


def test_going_back_starts_the_turn_again_from_there_in_the_same_order():
    verdicts = frames([0.0, 0.1, 0.2, -0.1, 0.0, 0.1])
    assert {v.steps for v in verdicts} == {LEFT_RIGHT}  # no new challenge
    assert verdicts[-1].step == 0  # -0.1 -> 0.1 is two advances: not yet
    assert frame(0.25, 6 * DT).step == 1  # three advances from -0.1, by 0.35


def test_a_frame_faster_than_a_camera_is_not_counted():
    frames([0.0, 0.1, 0.2])
    soon = frame(0.3, 2 * DT + liveness.MIN_FRAME_GAP_SECONDS / 2)
    assert soon.step == 0 and soon.steps == LEFT_RIGHT and soon.expires_in < 10
    assert frame(0.3, 3 * DT).step == 1  # the same pose in time counts


def test_an_expired_challenge_starts_again():
    frame(0.0, 0)
    for k in range(1, 66):  # steady frames for 9.75 s
        assert frame(0.0, DT * k).expires_in < 10
    assert frame(0.0, 10.05).expires_in == 10.0


def test_a_gap_in_the_frames_starts_again():
    frames([0.0, 0.1])
    assert frame(0.2, DT + liveness.MAX_GAP_SECONDS + 0.01).expires_in == 10.0
    frame(0.0, 10)
    assert frame(0.1, 10 + liveness.MAX_GAP_SECONDS - 0.01).expires_in < 10


def test_a_face_that_changes_its_looks_at_once_is_a_new_challenge():
    frames([0.0, 0.1])
    assert frame(0.2, 2 * DT, looks=liveness.MAX_APPEARANCE_CHANGE + 0.01).expires_in == 10.0
    cache.clear()
    frames([0.0, 0.1])
    assert frame(0.2, 2 * DT, looks=liveness.MAX_APPEARANCE_CHANGE - 0.01).expires_in < 10


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
    frames([0.0, 0.1, 0.2])
    assert frame(0.3, 3 * DT, box=box).expires_in == 10.0


def test_a_face_that_moves_and_grows_smoothly_stays_on_track():
    moved = FaceBox(top=120, right=420, bottom=360, left=180)  # 0.64 widths, 1.2x
    assert liveness.continuous(BOX, moved)
    frames([0.0, 0.1, 0.2])
    assert frame(0.3, 3 * DT, box=moved).step == 1


def test_each_person_and_each_kiosk_has_its_own_challenge():
    frames([0.0, 0.1, 0.2, 0.3, 0.4, 0.3, 0.2, 0.1, 0.0, -0.1], credential="kiosk:a")
    assert frame(-0.2, 10 * DT, credential="kiosk:b").expires_in == 10.0
    assert frame(-0.2, 10 * DT, person=8).expires_in == 10.0
    assert frame(-0.25, 10 * DT, credential="kiosk:a").passed


def test_a_face_without_landmarks_cannot_pass():
    frames(LEFT_THEN_RIGHT[:-1])
    assert not frame(-0.25, 10 * DT, landmarks=False).passed
    assert frame(-0.3, 11 * DT).expires_in == 10.0  # and its challenge was started again


def test_the_state_is_in_the_shared_cache_under_a_digest_of_the_credential():
    frame(0.0, 0, credential="kiosk:secret-token")
    key = f"liveness:1:7:{liveness.credential_key('kiosk:secret-token')}"
    assert tuple(cache.get(key)["steps"]) == LEFT_RIGHT
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


def test_a_move_across_a_gap_is_not_one_of_the_turns_steps():
    """Hiding the face while a picture is swapped: the next frame moves the turn on but
    does not count as a step seen happening."""
    gap = liveness.MAX_ADVANCE_GAP_SECONDS + 0.05
    frame(0.0, 0)
    frame(0.1, DT)
    frame(0.2, 2 * DT)
    assert frame(0.35, 2 * DT + gap).step == 0  # two steps seen, the third across the gap
    assert frame(0.45, 3 * DT + gap).step == 1  # a third one seen
