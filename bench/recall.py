"""Detection recall on ground-truth boxes: the app's detector vs the plain recipe.

The frames: the dlib example group photos (`groups/`, 43 faces with PASCAL VOC-style boxes
in training.xml/testing.xml) at their size and upscaled to 1280 and 3000 px wide, and
composites of the sample enrollment faces pasted at chosen sizes into 1280x720 and
4000x3000 frames (their boxes are known by construction). A face is found when a detected
box overlaps its true box with IoU >= 0.4.
"""

from __future__ import annotations

import random
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from bench.frames import SHARED_FACES, enrollment_photos

IOU_FOUND = 0.4


@dataclass
class TruthFrame:
    name: str
    image: np.ndarray  # RGB
    boxes: list[tuple[int, int, int, int]]  # left, top, width, height
    people: list[str] = field(default_factory=list)  # per box, for composites

    @property
    def size(self) -> str:
        return f"{self.image.shape[1]}x{self.image.shape[0]}"

    @property
    def face_px(self) -> tuple[int, int]:
        widths = [w for _, _, w, _ in self.boxes]
        return min(widths), max(widths)


def group_truth(faces_root: Path = SHARED_FACES) -> dict[str, list[tuple[int, int, int, int]]]:
    truth = {}
    for name in ("training.xml", "testing.xml"):
        for image in ET.parse(faces_root / "groups" / name).getroot().iter("image"):
            truth[image.get("file")] = [
                tuple(int(b.get(k)) for k in ("left", "top", "width", "height"))
                for b in image.iter("box")
            ]
    return truth


def group_frames(width: int | None = None, faces_root: Path = SHARED_FACES) -> list[TruthFrame]:
    """The 9 labelled group photos, at their size or upscaled to `width` px wide."""
    frames = []
    for file, boxes in sorted(group_truth(faces_root).items()):
        with Image.open(faces_root / "groups" / file) as source:
            image = source.convert("RGB")
        factor = 1.0
        if width:
            factor = width / image.width
            image = image.resize((width, round(image.height * factor)), Image.Resampling.BICUBIC)
        scaled = [tuple(round(v * factor) for v in box) for box in boxes]
        frames.append(TruthFrame(file, np.asarray(image), scaled))
    return frames


def _face_crops(faces_root: Path) -> list[tuple[str, Image.Image, tuple[int, int, int, int]]]:
    """Each sample enrollment photo cropped around its face (2x the box), with the box."""
    from recognition import faces

    crops = []
    for person, path in enrollment_photos(faces_root):
        with Image.open(path) as source:
            image = ImageOps.exif_transpose(source).convert("RGB")
        box = faces.detect_faces(np.asarray(image), min_face_px=80)[0]
        side = max(box.width, box.height)
        cx, cy = (box.left + box.right) / 2, (box.top + box.bottom) / 2
        left, top = round(cx - side), round(cy - side)
        crop = image.crop((left, top, left + 2 * side, top + 2 * side))
        crops.append((person, crop, (box.left - left, box.top - top, box.width, box.height)))
    return crops


def composite(
    width: int,
    height: int,
    face_sizes: list[int],
    *,
    seed: int = 0,
    faces_root: Path = SHARED_FACES,
) -> TruthFrame:
    """The sample faces pasted at the given box sizes on a grid, over a plain
    gradient; each one's true box is where its detected box was, scaled."""
    rng = random.Random(seed)
    crops = _face_crops(faces_root)
    # a plain gradient: a textured background makes HOG (app and recipe alike) see a few
    # small "faces" in it, which would blur what the composites measure
    ramp = np.linspace(90, 170, width, dtype=np.float32)[None, :, None]
    tint = np.array([1.0, 0.95, 0.9], dtype=np.float32)[None, None, :]
    canvas = Image.fromarray(np.broadcast_to(ramp * tint, (height, width, 3)).astype(np.uint8))
    count = len(face_sizes)
    columns = max(1, round((count * width / height) ** 0.5))
    rows = -(-count // columns)
    cell_w, cell_h = width // columns, height // rows
    boxes, people = [], []
    for index, size in enumerate(face_sizes):
        person, crop, (bl, bt, bw, bh) = crops[index % len(crops)]
        factor = size / bw
        piece = crop.resize(
            (round(crop.width * factor), round(crop.height * factor)), Image.Resampling.LANCZOS
        )
        if piece.width > cell_w or piece.height > cell_h:
            raise ValueError(f"{size} px faces do not fit {count} to a {width}x{height} frame")
        col, row = index % columns, index // columns
        x = col * cell_w + rng.randint(0, cell_w - piece.width)
        y = row * cell_h + rng.randint(0, cell_h - piece.height)
        canvas.paste(piece, (x, y))
        boxes.append((x + round(bl * factor), y + round(bt * factor), size, round(bh * factor)))
        people.append(person)
    name = f"{count} faces of {min(face_sizes)}-{max(face_sizes)} px"
    return TruthFrame(name, np.asarray(canvas), boxes, people)


def found(truth: list[tuple[int, int, int, int]], boxes) -> int:
    """How many true boxes a detected box matches (IoU >= 0.4). `boxes`: (l, t, r, b)."""
    hits = 0
    for left, top, width, height in truth:
        for bl, bt, br, bb in boxes:
            iw = min(left + width, br) - max(left, bl)
            ih = min(top + height, bb) - max(top, bt)
            inter = max(iw, 0) * max(ih, 0)
            union = width * height + (br - bl) * (bb - bt) - inter
            if union and inter / union >= IOU_FOUND:
                hits += 1
                break
    return hits


def app_boxes(image: np.ndarray, config=None, min_face_px=None) -> list[tuple[int, int, int, int]]:
    from recognition import faces

    return [
        (b.left, b.top, b.right, b.bottom)
        for b in faces.detect_faces(image, config, min_face_px=min_face_px)
    ]


def recipe_boxes(image: np.ndarray) -> list[tuple[int, int, int, int]]:
    from bench.recipe import face_recognition

    return [
        (left, top, right, bottom)
        for top, right, bottom, left in face_recognition.face_locations(image)
    ]


def recall_row(label: str, frames: list[TruthFrame], config=None, min_face_px=None) -> dict:
    """App vs recipe on the same frames: faces found and detection seconds."""
    row = {"frames": label, "faces": 0, "app": 0, "recipe": 0, "app_s": 0.0, "recipe_s": 0.0}
    row.update(app_extra=0, recipe_extra=0)
    row["face_px"] = [
        min(f.face_px[0] for f in frames),
        max(f.face_px[1] for f in frames),
    ]
    row["size"] = frames[0].size if len({f.size for f in frames}) == 1 else "mixed"
    for frame in frames:
        row["faces"] += len(frame.boxes)
        started = time.perf_counter()
        boxes = app_boxes(frame.image, config, min_face_px)
        row["app_s"] += time.perf_counter() - started
        hits = found(frame.boxes, boxes)
        row["app"] += hits
        row["app_extra"] += max(len(boxes) - hits, 0)
        started = time.perf_counter()
        boxes = recipe_boxes(frame.image)
        row["recipe_s"] += time.perf_counter() - started
        hits = found(frame.boxes, boxes)
        row["recipe"] += hits
        row["recipe_extra"] += max(len(boxes) - hits, 0)
    return row
