"""The yaw estimate: direction, size of a real turn, and why a flat picture cannot fake it."""

import numpy as np
import pytest

from bench.liveness_material import photo_view
from recognition import head_pose
from tests.liveness.conftest import FRONTAL_S, TURNED_S, landmarks_of


def synthetic_face(nose_fraction: float) -> np.ndarray:
    """68 points: jaw on a U, chin at the bottom, the nose tip at a fraction of the jaw."""
    points = np.zeros((68, 2))
    angles = np.linspace(np.pi, 0, 17)
    points[:17, 0] = 100 + 50 * np.cos(angles)
    points[:17, 1] = 100 + 60 * np.sin(angles)
    points[17:, :] = (100, 80)
    points[30] = (50 + 100 * nose_fraction, 110)
    return points


def test_a_frontal_face_has_zero_yaw_and_the_nose_towards_the_image_right_is_positive():
    assert head_pose.yaw(synthetic_face(0.5)) == pytest.approx(0.0, abs=1e-9)
    assert head_pose.yaw(synthetic_face(0.8)) > 0.3
    assert head_pose.yaw(synthetic_face(0.2)) < -0.3
    mirrored = synthetic_face(0.8) * (-1, 1)
    mirrored[:17] = mirrored[16::-1].copy()  # point 0 is always on the image's left
    assert head_pose.yaw(mirrored) == pytest.approx(-head_pose.yaw(synthetic_face(0.8)))


def test_any_affine_view_of_a_flat_face_keeps_its_yaw():
    """Rotating, tilting, shearing, scaling or moving a picture is an affine map of it."""
    rng = np.random.default_rng(12)
    face = synthetic_face(0.62)
    for _ in range(50):
        matrix = rng.normal(size=(2, 2)) * 0.6 + np.eye(2)
        if abs(np.linalg.det(matrix)) < 0.2:
            continue
        moved = face @ matrix.T + rng.normal(size=2) * 100
        assert head_pose.yaw(moved) == pytest.approx(head_pose.yaw(face), abs=1e-9)


def test_bad_landmarks_are_a_value_error():
    with pytest.raises(ValueError, match="68 landmark points"):
        head_pose.yaw(np.zeros((5, 2)))
    with pytest.raises(ValueError, match="68 landmark points"):
        head_pose.yaw(np.full((68, 2), np.nan))
    with pytest.raises(ValueError, match="degenerate"):
        head_pose.yaw(np.zeros((68, 2)))


def test_turned_measures_the_requested_direction():
    assert head_pose.turned(0.1, 0.5, "left") == pytest.approx(0.4)
    assert head_pose.turned(0.1, 0.5, "right") == pytest.approx(-0.4)
    with pytest.raises(ValueError, match="direction"):
        head_pose.turned(0, 0, "up")


def test_the_performer_turning_to_his_right_has_his_yaw_fall(clip):
    frontal = head_pose.yaw(landmarks_of(clip.at(FRONTAL_S)))
    turned = head_pose.yaw(landmarks_of(clip.at(TURNED_S)))
    assert -0.2 < frontal < 0.4
    assert turned < -0.5
    assert head_pose.turned(frontal, turned, "right") > 0.6


def test_in_the_mirror_image_the_same_turn_is_to_his_left(clip):
    frontal = head_pose.yaw(landmarks_of(clip.at(FRONTAL_S, mirrored=True)))
    turned = head_pose.yaw(landmarks_of(clip.at(TURNED_S, mirrored=True)))
    assert turned > 0.5
    assert head_pose.turned(frontal, turned, "left") > 0.6


@pytest.mark.parametrize(
    "view",
    [
        {"yaw": 40},
        {"yaw": -40},
        {"yaw": 20, "pitch": 20},
        {"pitch": -30},
        {"roll": 20},
        {"scale": 1.4},
        {"scale": 0.8, "shift": (60, 10)},
        {"yaw": -35, "pitch": 15, "roll": 10, "scale": 1.2},
    ],
    ids=repr,
)
def test_a_photo_of_the_frontal_face_seen_at_an_angle_keeps_its_yaw(frontal, view):
    straight = head_pose.yaw(landmarks_of(frontal))
    seen = head_pose.yaw(landmarks_of(photo_view(frontal, **view)))
    assert abs(seen - straight) < 0.15  # a real turn changes it by 0.8


def test_find_faces_gives_the_68_landmarks_only_when_asked(frontal):
    from recognition import faces

    config = faces.FaceConfig()
    (plain,) = faces.find_faces(frontal, config)
    (face,) = faces.find_faces(frontal, config, landmarks68=True)
    assert plain.landmarks68 is None
    assert face.landmarks68.shape == (68, 2) and not face.landmarks68.flags.writeable
    assert np.array_equal(face.encoding, plain.encoding) and face.box == plain.box
    box = face.box
    nose_x, nose_y = face.landmarks68[30]
    assert box.left < nose_x < box.right and box.top < nose_y < box.bottom
