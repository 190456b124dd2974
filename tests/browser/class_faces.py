"""A class of 30 real, distinct faces for the kiosk journey, from ../shared/faces only.

Each student is shown to the kiosk's camera (tests/browser/fake_camera.js) as a picture
moving a little, or as a short stretch of video, in the picture's own pixels: nothing is
enlarged, so a face is as big and as sharp in the kiosk's snapshots as it is in the source.

Thirteen people have a face the photo-quality gate accepts at that size (measured with
recognition.quality, see docs/photo-quality.md): the five of enroll/, the performer of
video/ (the frames of his small head turn), and from groups/ Tom Cruise, four people who
each appear several times in bald_guys.jpg (one picture to enroll, another to check in)
and the two largest sharp faces of the PASCAL pictures (96 and 117 px). The other 17
students are the faces of the PASCAL group pictures, 37-53 px in their own pixels: a
student standing far from the kiosk. They are real and distinct too, and the gate rightly
refuses them (no face found at that size, or too small), which the kiosk tells them.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PIL import Image

from bench.liveness_material import clip_frames
from bench.photo_quality import group_boxes

FRAME = (1280, 720)  # the stand-in camera's size (fake_camera.js)
FITS = (1120, 640)  # a picture that big still fits the frame while it moves
MARGIN = 0.6  # around a face box, of its size
VIDEO_S = (5.95, 7.3)  # the performer's small head turn (frontal frames around 6-7 s)
SMALL_FACE_PX = 53  # the group faces that stand "far from the kiosk"


@dataclass(frozen=True)
class Student:
    name: str
    frames: tuple[str, ...]  # data: URLs, played in turn
    motion: str  # how a still picture moves (fake_camera.js); video frames move by themselves
    checkin: str | None = None  # a data: URL of another picture of them, or None
    enrolls: bool = True  # whether the gate accepts their face


def data_url(picture: Image.Image) -> str:
    out = io.BytesIO()
    picture.convert("RGB").save(out, "JPEG", quality=95)
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode()


def fitted(picture: Image.Image) -> Image.Image:
    """The picture made smaller if it does not fit the frame; never enlarged."""
    picture = picture.convert("RGB")
    picture.thumbnail(FITS)
    return picture


@cache
def _opened(path: Path) -> Image.Image:
    with Image.open(path) as picture:
        return picture.convert("RGB")


def face_crop(path: Path, box, margin: float = MARGIN) -> Image.Image:
    """The face at `box` (left, top, right, bottom) with a margin, in the photo's own pixels."""
    picture = _opened(path)
    left, top, right, bottom = box
    mx, my = int((right - left) * margin), int((bottom - top) * margin)
    return picture.crop(
        (
            max(left - mx, 0),
            max(top - my, 0),
            min(right + mx, picture.width),
            min(bottom + my, picture.height),
        )
    )


def _still(
    name: str, picture: Image.Image, checkin: Image.Image | None = None, motion: str = "turn"
) -> Student:
    return Student(
        name=name,
        frames=(data_url(fitted(picture)),),
        motion=motion,
        checkin=data_url(fitted(checkin)) if checkin is not None else None,
    )


def _video_frames() -> tuple[str, ...]:
    clip = clip_frames()
    first, last = (round(seconds * clip.fps) for seconds in VIDEO_S)
    return tuple(data_url(Image.fromarray(frame)) for frame in clip.frames[first:last])


# Faces found by recognition.faces.detect_faces (left, top, right, bottom): to enroll, and
# another picture of them to check in with (None: they do not check in in the journey)
BALD_GUYS = {
    "Vin Diesel": ((68, 87, 234, 255), (528, 105, 728, 306)),
    "Jason Statham": ((366, 822, 608, 1062), None),
    "Bruce Willis": ((1062, 756, 1228, 922), None),
    "Dwayne Johnson": ((1080, 1312, 1246, 1480), (1826, 434, 1942, 550)),
}
# (name, photo, face box, margin): the margin keeps the neighbours out. Their faces (96 and
# 117 px) are sharp enough still, but a turn of a degree or 5 % smaller halves their
# sharpness (49-97 < 100): they move by whole pixels only.
GROUP_FACES = [
    ("Ana Petrova", "2008_001322.jpg", (339, 146, 435, 243), MARGIN),
    ("Tomás Ruiz", "2008_002506.jpg", (317, 72, 434, 189), 0.3),
]
FAR_AWAY_NAMES = [
    "Amara Okafor", "Ben Carter", "Chloé Martin", "Dario Rossi", "Elif Yılmaz", "Finn Murphy",
    "Grace Lee", "Hugo Weber", "Isla Brown", "Jonas Berg", "Kaito Sato", "Lena Novak",
    "Mateo García", "Nora Haddad", "Omar Farouk", "Priya Nair", "Quinn Walsh",
]  # fmt: skip


@cache
def the_class(faces_dir: Path) -> tuple[Student, ...]:
    groups = faces_dir / "groups"

    def photo(name: str) -> Image.Image:
        return _opened(faces_dir / name)

    students = [
        _still("Barack Obama", photo("enroll/obama/obama.jpg"), photo("probe/obama1.jpg")),
        _still("Joe Biden", photo("enroll/biden/biden2.jpg")),  # biden.jpg: 96 px, blurred
        _still("Kit Harington", photo("enroll/kit_harington/john1.jpeg")),
        _still(
            "Rose Leslie",
            photo("enroll/rose_leslie/img1.jpg"),
            photo("enroll/rose_leslie/img2.jpg"),
        ),
        _still(
            "Alex Lacamoire",
            photo("enroll/alex_lacamoire/img1.jpg"),
            photo("probe/alex_lacamoire1.jpg"),
        ),
        Student(
            name="Lin-Manuel Miranda",
            frames=_video_frames(),
            motion="",
            checkin=data_url(fitted(photo("probe/lin-manuel-miranda.png"))),
        ),
        _still("Tom Cruise", face_crop(groups / "Tom_Cruise_avp_2014_4.jpg", (81, 312, 496, 728))),
    ]
    bald = groups / "bald_guys.jpg"
    for name, (enrolled, other) in BALD_GUYS.items():
        students.append(_still(name, face_crop(bald, enrolled), other and face_crop(bald, other)))
    for name, photo, box, margin in GROUP_FACES:
        students.append(_still(name, face_crop(groups / photo, box, margin), motion="shift"))
    small = [
        (path, (left, top, left + width, top + height))
        for path, (top, left, width, height) in group_boxes()
        if max(width, height) <= SMALL_FACE_PX
    ]
    for name, (path, box) in zip(FAR_AWAY_NAMES, small, strict=False):
        students.append(
            Student(
                name=name, frames=(data_url(face_crop(path, box)),), motion="turn", enrolls=False
            )
        )
    return tuple(students)
