"""The photo-quality gate on real photos: the sample enrollment photos pass; faces cropped out
of group photos and enlarged (what a teacher gets by cropping a class picture), a darkened
photo and a turned face are flagged with the reason a teacher can act on."""

import io

import pytest
from PIL import Image

from bench import liveness_material, photo_quality
from recognition import faces, quality

ENROLL = photo_quality.enroll_photos()
CROPS = photo_quality.group_boxes()
TURNED_S, FRONTAL_S = 5.25, 6.8  # the sample clip: head turned to his right, then frontal


def codes(data: bytes) -> list[str]:
    return [problem.code for problem in quality.problems(photo_quality.gate(data)[1])]


@pytest.mark.parametrize("path", ENROLL, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_sample_enrollment_photo_passes(path):
    assert codes(path.read_bytes()) == []


def test_enlarged_group_photo_crops_are_flagged_as_enlarged():
    flagged, refused = [], []
    for path, box in CROPS:
        try:
            flagged.append(codes(photo_quality.upscaled_crop(path, box)))
        except faces.ImageRejected as rejection:  # a neighbour's face in the margin, or none
            refused.append(rejection.code)
    assert len(flagged) + len(refused) == len(CROPS) == 43
    assert set(refused) <= {"multiple_faces", "no_face"} and len(refused) <= 4
    assert all(found and found[0] == "upscaled" for found in flagged), flagged


def test_a_darkened_photo_is_dark_not_blurred():
    for path in ENROLL[:3]:
        assert codes(photo_quality.darkened(path)) == ["dark"]


def test_a_washed_out_photo_is_flagged():
    numbers = photo_quality.gate(ENROLL[0].read_bytes())[1]
    assert quality.problems({**numbers, "brightness": 230.0}) == [quality.WASHED_OUT]


def clip_frame_jpeg(seconds: float) -> bytes:
    out = io.BytesIO()
    Image.fromarray(liveness_material.clip_frames().at(seconds)).save(out, "JPEG", quality=95)
    return out.getvalue()


def test_a_turned_face_is_flagged_and_the_frontal_one_of_the_same_clip_is_not():
    assert "turned" in codes(clip_frame_jpeg(TURNED_S))
    assert "turned" not in codes(clip_frame_jpeg(FRONTAL_S))


def test_the_reasons_say_what_to_do():
    for problem in (quality.SMALL, quality.UPSCALED, quality.BLURRED, quality.DARK, quality.TURNED):
        assert ":" in problem.message and problem.message.endswith(".")
    assert quality.BLURRED.message.startswith("The face is blurred: take the photo closer")


def test_a_webcam_frame_is_not_taken_for_an_enlarged_crop_when_the_kiosk_took_it(shared_faces):
    """A sample photo shown to a 1280x720 camera (4:2:0 colour, JPEG) loses the finest
    detail an upload of the photo itself has: as an uploaded file it looks enlarged, but a
    frame the enrollment kiosk's camera took is what it is."""
    import io

    from PIL import Image, ImageOps

    from recognition import faces, quality

    frame = ImageOps.pad(
        Image.open(shared_faces / "enroll/kit_harington/john1.jpeg").convert("RGB"), (1280, 720)
    )
    luma, blue, red = frame.convert("YCbCr").split()
    blue, red = (plane.resize((640, 360)).resize((1280, 720)) for plane in (blue, red))
    buffer = io.BytesIO()
    Image.merge("YCbCr", (luma, blue, red)).convert("RGB").save(buffer, "JPEG", quality=92)
    image = faces.load_image(buffer.getvalue())
    (face,) = faces.find_faces(image)
    chip, landmarks = faces.face_chip_and_landmarks(image, face.box)
    numbers = quality.measure(image=image, box=face.box, chip=chip, landmarks=landmarks)

    assert [p.code for p in quality.problems(numbers)] == ["upscaled"]
    assert quality.problems({**numbers, "captured_live": True}) == []
