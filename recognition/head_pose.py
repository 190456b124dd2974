"""Head yaw (turning left or right) from dlib's 68 face landmarks, in plain numpy.

The measure: draw a line from the chin (point 8) through the nose tip (point 30) and see
where it crosses the line between two opposite points of the jaw outline (points 0 and 16,
1 and 15, 2 and 14; averaged). On a frontal face it crosses about half-way; when the head
turns, the nose tip, which stands ~3 cm in front of the jaw, swings sideways while the jaw
points stay behind, and the crossing moves towards one end (in the sample clip from 0.56 to
0.16 of the way). `yaw()` returns that fraction mapped to -1..1 (0 = frontal).

Why a flat picture cannot fake it: a printed photo or a phone screen is a plane, and any
view of a plane that is rotated, tilted, moved, brought closer or farther is (up to the
perspective of its depth, small at arm's length) an *affine* map of the picture. Affine maps
keep straight lines straight and keep ratios of lengths along a line, so the point where the
chin-nose line crosses the jaw line stays at the same fraction of the way: the measure is
exactly invariant under those moves, and only nearly so under strong perspective (a
photo turned 40 degrees about its vertical axis moves the yaw by up to ~0.17 in the
benchmark's photo sequences, p95 0.11, against 0.8-1.0 for the clip's turns). A real head
is not flat: its nose moves in depth relative to the jaw, which changes the fraction. (The
plain projection of the nose onto the jaw line is *not* affine-invariant - a sheared photo
moves it - which is why the chin is used to fix the direction of the crossing.)

Direction: frames are taken as the camera sees them, not mirrored (the kiosk mirrors only
its on-screen preview; its snapshots are the raw camera picture). Point 0 is then on the
image's left, which is the person's right. Positive yaw = the nose moved towards the image's
right = the person turned their head to **their own left**; negative = to their right.
"""

from __future__ import annotations

import numpy as np

LANDMARK_COUNT = 68
NOSE_TIP = 30
CHIN = 8
JAW_PAIRS = ((0, 16), (1, 15), (2, 14))

LEFT = "left"  # as the person sees it
RIGHT = "right"


def nose_fraction(landmarks: np.ndarray) -> float:
    """Where the chin-to-nose line crosses the jaw line, 0 at point 0 (image left), 1 at 16.

    Raises ValueError for anything but a (68, 2) array of finite points, or a degenerate
    face (jaw points on top of each other, chin on the jaw line).
    """
    points = np.asarray(landmarks, dtype=np.float64)
    if points.shape != (LANDMARK_COUNT, 2) or not np.isfinite(points).all():
        raise ValueError("expected 68 landmark points as a (68, 2) array")
    nose, chin = points[NOSE_TIP], points[CHIN]
    fractions = []
    for left, right in JAW_PAIRS:
        a, b = points[left], points[right]
        # chin + t (nose - chin) = a + s (b - a): solve for s, the fraction along the jaw line
        matrix = np.column_stack([b - a, chin - nose])
        if abs(np.linalg.det(matrix)) < 1e-6 * max(1.0, float(np.dot(b - a, b - a))):
            raise ValueError("degenerate landmarks: the chin-nose line is parallel to the jaw")
        s, _ = np.linalg.solve(matrix, chin - a)
        fractions.append(s)
    return float(np.mean(fractions))


def yaw(landmarks: np.ndarray) -> float:
    """Head yaw in -1..1 (about; 0 frontal): positive = turned to the person's own left."""
    return 2.0 * nose_fraction(landmarks) - 1.0


def turned(start_yaw: float, current_yaw: float, direction: str) -> float:
    """How far the head turned in `direction` (as the person sees it) since the start, in yaw
    units; negative when it turned the other way."""
    if direction not in (LEFT, RIGHT):
        raise ValueError(f"direction must be {LEFT!r} or {RIGHT!r}, not {direction!r}")
    change = current_yaw - start_yaw
    return change if direction == LEFT else -change
