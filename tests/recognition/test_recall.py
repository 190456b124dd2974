"""Detection recall on real photos at several frame sizes: every labelled face of the dlib
group photos (43 faces, 37-109 px) and of composites of the sample faces is found whatever
the frame's size, as the plain recipe (full frame, upsample 1) finds them, and the kiosk's
fast path finds what it asks for."""

import pytest

from bench import recall
from recognition import detection, faces


def boxes(found):
    return [(b.left, b.top, b.right, b.bottom) for b in found]


@pytest.fixture(scope="module")
def groups():
    return recall.group_frames()


def test_every_labelled_face_of_the_group_photos_is_found(groups):
    assert sum(len(f.boxes) for f in groups) == 43
    for frame in groups:
        found = recall.found(frame.boxes, boxes(faces.detect_faces(frame.image)))
        assert found == len(frame.boxes), frame.name


def test_the_group_photos_upscaled_to_1280_px_lose_no_face():
    """Large frames are searched in bands on threads: no face is lost at the seams."""
    for frame in recall.group_frames(1280):
        found = recall.found(frame.boxes, boxes(faces.detect_faces(frame.image)))
        assert found == len(frame.boxes), frame.name


@pytest.mark.parametrize(
    ("size", "face_px", "count"),
    [((1280, 720), 40, 9), ((1280, 720), 60, 9), ((1280, 720), 80, 9), ((2400, 1800), 45, 12)],
    ids=["1280x720-40px", "1280x720-60px", "1280x720-80px", "2400x1800-45px"],
)
def test_faces_of_the_stated_minimum_size_are_found_at_any_frame_size(size, face_px, count):
    frame = recall.composite(*size, [face_px] * count, seed=face_px)
    found = boxes(faces.detect_faces(frame.image))
    assert recall.found(frame.boxes, found) == count
    assert recall.found(frame.boxes, recall.recipe_boxes(frame.image)) <= count


def test_the_kiosk_fast_path_finds_the_faces_it_asks_for_and_no_smaller():
    frame = recall.composite(640, 480, [80, 90, 100, 110], seed=1)
    assert recall.found(frame.boxes, boxes(faces.detect_faces(frame.image, min_face_px=80))) == 4
    small = recall.composite(640, 480, [40, 40, 40, 40], seed=1)
    assert recall.found(small.boxes, boxes(faces.detect_faces(small.image))) == 4
    # asking for 80 px faces is an honest promise about what is searched: 40 px ones are not
    assert faces.detect_faces(small.image, min_face_px=80) == []


@pytest.mark.parametrize(
    ("min_face_px", "plan"),
    [(40, (1.0, 1)), (80, (1.0, 0)), (160, (0.5, 0)), (20, (1.0, 2))],
)
def test_the_detection_plan_follows_the_smallest_face(min_face_px, plan):
    assert detection.detection_plan(min_face_px) == plan
