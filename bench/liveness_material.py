"""Test material for the head-turn challenge: the sample clip and photo spoofs.

- `clip_frames()`: the frames of `../shared/faces/video/short_hamilton_clip.mp4`, decoded
  with the ffmpeg binary that the `imageio-ffmpeg` wheel ships (nothing is downloaded).
  Between about 3.6 s and 7.8 s the performer turns his head to his right (the nose moves
  towards the image's left); the mirrored frames are a real turn to his left.
- `photo_view()`: a picture seen as a flat object (a printed photo or a phone screen) that
  is rotated about its vertical axis, tilted, turned in its plane, moved and brought closer,
  through a pinhole camera: a perspective transform with Pillow.
- `in_phone()`: the picture shown inside a darker phone body.
- `spoof_sequences()`: frame sequences a cheater could show the kiosk with a photo.
- `swap_sequences()`: pictures swapped in place, no motion between them: a photo and its
  mirror image, a frontal picture and a turned one, two turned frames of the clip with the
  turn in between cut out, three poses shown in the asked order; on paper, tilted paper
  and a phone screen.
- `turned_swap_sequence()`: a picture and its mirror image swapped in place, each turned
  about its vertical axis from +40 to -40 degrees while shown (a flat picture's perspective
  moves the yaw by up to ~0.17), in the direction the asked turn needs.

Used by the tests (tests/liveness/) and the benchmark (bench/liveness.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

SHARED_FACES = (Path(__file__).resolve().parents[1] / ".." / "shared" / "faces").resolve()
CLIP = SHARED_FACES / "video" / "short_hamilton_clip.mp4"
TURN_START_S, TURN_END_S = 3.6, 7.8
FRONTAL_S = (5.94, 6.67)  # frontal frames (nose ~0.57 of the jaw width): enrollment
KIOSK_FRAME_S = 0.15  # the kiosk's frame interval during a challenge (static/js/kiosk.js)


@dataclass(frozen=True)
class Clip:
    fps: float
    frames: np.ndarray  # (n, H, W, 3) uint8, read-only

    def at(self, seconds: float, *, mirrored: bool = False) -> np.ndarray:
        index = min(len(self.frames) - 1, max(0, round(seconds * self.fps)))
        frame = self.frames[index]
        return np.ascontiguousarray(frame[:, ::-1]) if mirrored else frame


@cache
def clip_frames(path: Path = CLIP) -> Clip:
    import imageio_ffmpeg

    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    width, height = meta["size"]
    frames = np.stack(
        [np.frombuffer(raw, dtype=np.uint8).reshape(height, width, 3) for raw in reader]
    )
    frames.flags.writeable = False
    return Clip(fps=float(meta["fps"]), frames=frames)


def photo_view(
    image: np.ndarray,
    *,
    yaw: float = 0.0,
    pitch: float = 0.0,
    roll: float = 0.0,
    scale: float = 1.0,
    shift: tuple[float, float] = (0.0, 0.0),
    background: tuple[int, int, int] = (48, 48, 52),
) -> np.ndarray:
    """The image as a flat picture held in front of a camera: turned `yaw` degrees about its
    vertical axis, tilted `pitch` degrees, turned `roll` degrees in its plane, `scale` times
    closer and shifted by `shift` pixels; same frame size."""
    height, width = image.shape[:2]
    focal = 1.2 * width  # a webcam's field of view, ~45 degrees across
    cx, cy = width / 2, height / 2
    rotation = _rotation(yaw, pitch, roll)
    depth = focal / scale
    camera = np.array([[focal, 0, cx], [0, focal, cy], [0, 0, 1]])
    placed = np.column_stack(
        [
            rotation[:, 0],
            rotation[:, 1],
            [shift[0] * depth / focal, shift[1] * depth / focal, depth],
        ]
    )
    centre = np.array([[1, 0, -cx], [0, 1, -cy], [0, 0, 1]])
    homography = camera @ placed @ centre  # picture pixel -> camera pixel
    inverse = np.linalg.inv(homography)
    inverse /= inverse[2, 2]
    picture = Image.fromarray(np.ascontiguousarray(image))
    out = picture.transform(
        (width, height),
        Image.Transform.PERSPECTIVE,
        tuple(inverse.flatten()[:8]),
        Image.Resampling.BILINEAR,
        fillcolor=background,
    )
    return np.asarray(out)


def _rotation(yaw: float, pitch: float, roll: float) -> np.ndarray:
    y, p, r = (math.radians(a) for a in (yaw, pitch, roll))
    about_y = np.array([[math.cos(y), 0, math.sin(y)], [0, 1, 0], [-math.sin(y), 0, math.cos(y)]])
    about_x = np.array([[1, 0, 0], [0, math.cos(p), -math.sin(p)], [0, math.sin(p), math.cos(p)]])
    about_z = np.array([[math.cos(r), -math.sin(r), 0], [math.sin(r), math.cos(r), 0], [0, 0, 1]])
    return about_z @ about_x @ about_y


def in_phone(image: np.ndarray, *, screen: float = 0.8, dim: float = 0.8) -> np.ndarray:
    """The image on a phone screen: shrunk to `screen` of the frame, dimmed, inside a dark
    rounded body, in front of a blurred, darker copy of the scene."""
    height, width = image.shape[:2]
    picture = Image.fromarray(np.ascontiguousarray(image))
    scene = picture.filter(ImageFilter.GaussianBlur(12)).point(lambda v: int(v * 0.45))
    sw, sh = round(width * screen), round(height * screen)
    border = max(6, sw // 25)
    left, top = (width - sw) // 2, (height - sh) // 2
    draw = ImageDraw.Draw(scene)
    draw.rounded_rectangle(
        (left - border, top - border, left + sw + border, top + sh + border),
        radius=3 * border,
        fill=(18, 18, 20),
    )
    shown = picture.resize((sw, sh), Image.Resampling.BILINEAR).point(lambda v: int(v * dim))
    scene.paste(shown, (left, top))
    return np.asarray(scene)


@dataclass(frozen=True)
class SpoofSequence:
    name: str
    frames: list[np.ndarray]


def spoof_sequences(base: np.ndarray, *, frames: int = 12, tag: str = "") -> list[SpoofSequence]:
    """What a cheater can do with a photo in `frames` kiosk frames: hold it still, turn it
    about its vertical axis up to 10-40 degrees either way (the closest a flat picture gets to
    a head turn), swing it back and forth, tilt it, move it and bring it closer, on paper and
    on a phone screen."""
    ramp = np.linspace(0.0, 1.0, frames)
    paths: dict[str, list[dict]] = {"still": [{} for _ in ramp]}
    for angle in (10, 20, 30, 40):
        for sign in (1, -1):
            paths[f"turned {sign * angle:+d} deg"] = [{"yaw": sign * angle * t} for t in ramp]
    for angle in (25, 40):
        paths[f"swung +-{angle} deg"] = [{"yaw": angle * math.sin(4 * t)} for t in ramp]
    paths["tilted 30 deg"] = [{"pitch": 30 * t} for t in ramp]
    paths["turned in plane 20 deg"] = [{"roll": 20 * t} for t in ramp]
    paths["brought closer 1.4x"] = [{"scale": 1 + 0.4 * t} for t in ramp]
    paths["moved sideways"] = [{"shift": (80 * t, 10 * t)} for t in ramp]
    paths["turned 35, tilted, moved"] = [
        {"yaw": 35 * t, "pitch": -15 * t, "roll": 8 * t, "scale": 1 + 0.2 * t, "shift": (40 * t, 0)}
        for t in ramp
    ]
    paths["turned -35, tilted, moved"] = [
        {
            "yaw": -35 * t,
            "pitch": 15 * t,
            "roll": -8 * t,
            "scale": 1 - 0.1 * t,
            "shift": (-40 * t, 0),
        }
        for t in ramp
    ]
    sequences = []
    for medium, prepare in (("photo", lambda im: im), ("phone", in_phone)):
        picture = prepare(base)
        for name, path in paths.items():
            views = [photo_view(picture, **step) for step in path]
            sequences.append(SpoofSequence(f"{tag}{medium}, {name}", views))
    return sequences


# Clip times of the performer's poses (yaw from recognition.head_pose, as sent; mirrored
# frames have about the opposite yaw): frontal, turned to his own left (+), to his right (-).
CLIP_FRONTAL_S = 5.94  # +0.14
CLIP_TURNED_S = (3.6, 4.5, 6.17, 7.64)  # +0.39, -0.45, +0.35, -0.72
CLIP_CUTS_S = ((3.6, 4.5), (5.44, 6.17), (6.17, 7.64))  # a turn with its middle cut out
PHOTO = SHARED_FACES / "probe" / "lin-manuel-miranda.png"  # the performer, yaw +0.33


def mirrored(image: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(image[:, ::-1])


def placed(
    image: np.ndarray,
    box,
    *,
    size: tuple[int, int] = (640, 480),
    face_px: int = 150,
    centre: tuple[float, float] = (320, 230),
) -> np.ndarray:
    """The picture scaled and moved so that its face `box` (a FaceBox) is `face_px` wide at
    `centre` of a `size` frame: a cheater holding each picture in the same place."""
    scale = box.width / face_px  # frame pixel -> picture pixel
    cx, cy = (box.left + box.right) / 2, (box.top + box.bottom) / 2
    matrix = (scale, 0, cx - scale * centre[0], 0, scale, cy - scale * centre[1])
    picture = Image.fromarray(np.ascontiguousarray(image))
    out = picture.transform(
        size, Image.Transform.AFFINE, matrix, Image.Resampling.BILINEAR, fillcolor=(48, 48, 52)
    )
    return np.asarray(out)


MEDIA = {
    "paper": lambda im: im,
    "tilted paper": lambda im: photo_view(im, yaw=20, pitch=10, roll=4),
    "phone": in_phone,
}


@dataclass(frozen=True)
class SwapSequence:
    name: str
    frames: list[np.ndarray]  # the same array objects repeat: one picture shown again
    orders: tuple[tuple[str, str], ...]  # the challenge orders it is tried against


def swap_sequences(
    pictures: dict[str, np.ndarray],
    *,
    pairs: list[tuple[str, str]],
    triples: list[tuple[str, str, str]],
    frames: int = 24,
    holds: tuple[int, ...] = (1, 2, 4),
    media: tuple[str, ...] = tuple(MEDIA),
) -> list[SwapSequence]:
    """Sequences of `frames` kiosk frames made of whole pictures swapped in place.

    `pictures`: name -> an already `placed` frame. `pairs`: two pictures alternated, every
    `hold` frames, tried against both orders. `triples` (frontal, turned left, turned right):
    shown in the asked order (frontal, then the first side, then the other), each for `hold`
    frames, repeated; each order gets its own arrangement.
    """
    left_right = ("left", "right")
    right_left = ("right", "left")
    sequences = []
    for medium in media:
        shown = {name: MEDIA[medium](picture) for name, picture in pictures.items()}
        for first, second in pairs:
            for hold in holds:
                cycle = [shown[first]] * hold + [shown[second]] * hold
                sequences.append(
                    SwapSequence(
                        f"{medium}: {first} <-> {second}, every {hold}",
                        (cycle * frames)[:frames],
                        (left_right, right_left),
                    )
                )
        for frontal, left, right in triples:
            for hold in holds[:2] + (3,):
                for order, sides in ((left_right, (left, right)), (right_left, (right, left))):
                    cycle = [p for name in (frontal, *sides) for p in [shown[name]] * hold]
                    sequences.append(
                        SwapSequence(
                            f"{medium}: {frontal}, {sides[0]}, {sides[1]} in order, every {hold}",
                            (cycle * frames)[:frames],
                            (order,),
                        )
                    )
    return sequences


def turned_swap_sequence(
    left: np.ndarray, right: np.ndarray, order: tuple[str, str], *, sweep: int = 40, each: int = 5
) -> list[np.ndarray]:
    """`left`/`right`: a picture whose head is turned to the person's left (positive yaw)
    and its mirror image. Shown in the order the two turns need (for left-right: `right`,
    `left`, `left`, `right`), each turned about the vertical axis from `sweep` to `-sweep`
    degrees (then back) over `each` frames, so that the perspective adds to the turn when a
    positive `sweep` raises the yaw, and works against it otherwise."""
    angles = [sweep - 2 * sweep * k / (each - 1) for k in range(each)]
    pictures = (right, left, left, right) if order[0] == "left" else (left, right, right, left)
    signs = (1, 1, -1, -1) if order[0] == "left" else (-1, -1, 1, 1)
    return [
        photo_view(picture, yaw=sign * angle)
        for picture, sign in zip(pictures, signs, strict=True)
        for angle in angles
    ]
