"""Detection recall on ground-truth boxes, the app's detector vs the plain recipe; and a
class photo, the task's face work vs the recipe.

The frames: the dlib example group photos (`groups/`, 43 faces with PASCAL VOC-style boxes
in training.xml/testing.xml) at their size and upscaled to 1280 and 3000 px wide, and
composites of the sample enrollment faces pasted at chosen sizes into 1280x720 and
4000x3000 frames (their boxes are known by construction). A face is found when a detected
box overlaps its true box with IoU >= 0.4.
"""

from __future__ import annotations

import io
import os
import random
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from bench.frames import PROJECT_ROOT, SHARED_FACES, enrollment_photos
from bench.stats import timed

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


def app_boxes(image: np.ndarray) -> list[tuple[int, int, int, int]]:
    from recognition import faces

    return [(b.left, b.top, b.right, b.bottom) for b in faces.detect_faces(image)]


def recipe_boxes(image: np.ndarray) -> list[tuple[int, int, int, int]]:
    from bench.recipe import face_recognition

    return [
        (left, top, right, bottom)
        for top, right, bottom, left in face_recognition.face_locations(image)
    ]


def recall_row(label: str, frames: list[TruthFrame]) -> dict:
    """App vs recipe on the same frames: faces found, other boxes, detection seconds."""
    row = {"frames": label, "faces": sum(len(f.boxes) for f in frames)}
    row["face_px"] = [min(f.face_px[0] for f in frames), max(f.face_px[1] for f in frames)]
    for who, detect in (("app", app_boxes), ("recipe", recipe_boxes)):
        row[who] = row[f"{who}_extra"] = 0
        seconds = 0.0
        for frame in frames:
            boxes, took = timed(detect, frame.image)
            seconds += took
            hits = found(frame.boxes, boxes)
            row[who] += hits
            row[f"{who}_extra"] += max(len(boxes) - hits, 0)
        row[f"{who}_s"] = round(seconds, 3)
    row["ratio"] = round(row["app_s"] / row["recipe_s"], 3) if row["recipe_s"] else None
    return row


def recall_frames(mode: str) -> list[tuple[str, list[TruthFrame]]]:
    """(label, frames) of the recall table; `tiny` keeps one small frame of each kind."""
    if mode == "tiny":
        return [
            ("groups, native size", group_frames()[:1]),
            ("composite 1280x720, 9 faces of 40 px", [composite(1280, 720, [40] * 9)]),
        ]
    rows = [
        ("groups, native size (360-500 px wide)", group_frames()),
        ("groups upscaled to 1280 px wide", group_frames(1280)),
    ]
    if mode == "full":
        rows.append(("groups upscaled to 3000 px wide", group_frames(3000)))
    for px in (40, 60, 80):
        rows.append((f"composite 1280x720, 9 faces of {px} px", [composite(1280, 720, [px] * 9)]))
    sizes = [40 + (i * 40) // 29 for i in range(30)]
    rows.append(("composite 4000x3000, 30 faces of 40-80 px", [composite(4000, 3000, sizes)]))
    return rows


def bench_recall(mode: str, log=print) -> list[dict]:
    from recognition import faces

    faces.detect_faces(np.zeros((100, 100, 3), np.uint8))  # load settings and models first
    rows = []
    for label, frames in recall_frames(mode):
        log(f"recall: {label}")
        rows.append(recall_row(label, frames))
    return rows


def bench_class_photo(path: Path, size: tuple[int, int], pipeline, known, reps: int) -> dict:
    """A class photo of `size` (30 faces of 60-120 px from 8 MP up, else 6) as the task
    works on it (load + detect every face >= FACE_MIN_DETECT_PX + encode + identify) vs the
    recipe: median wall time on this machine's cores, faces found, peak memory."""
    from bench.recipe import UNKNOWN, face_recognition
    from recognition import faces

    count = 30 if size[0] * size[1] >= 8_000_000 else 6
    frame = composite(*size, [60 + (i * 60) // (count - 1) for i in range(count)], seed=11)
    Image.fromarray(frame.image).save(path, "JPEG", quality=90)
    data = path.read_bytes()

    def app():
        detected = faces.find_faces(faces.load_image(data))
        return [
            (f.box.left, f.box.top, f.box.right, f.box.bottom) for f in detected
        ], pipeline.names_of(detected)

    def recipe():
        image = face_recognition.load_image_file(io.BytesIO(data))
        located = face_recognition.face_locations(image)
        boxes = [(left, top, right, bottom) for top, right, bottom, left in located]
        return boxes, known.names_of(face_recognition.face_encodings(image, located))

    row = {"photo": f"{frame.size}, {count} faces of 60-120 px", "faces": count}
    for who, work in (("app", app), ("recipe", recipe)):
        runs = [timed(work) for _ in range(reps)]
        (boxes, names), _ = runs[-1]
        row[f"{who}_found"], row[f"{who}_boxes"] = found(frame.boxes, boxes), len(boxes)
        row[f"{who}_named"] = sum(name != UNKNOWN for name in names)
        row[f"{who}_s"] = round(float(np.median([seconds for _, seconds in runs])), 2)
    return {
        **row,
        "ratio": round(row["app_s"] / row["recipe_s"], 3),
        "cores": os.cpu_count(),
        "peak_mib": peak_memory_mib(path),
    }


# VmHWM, not getrusage's ru_maxrss: after fork/vfork + exec, ru_maxrss starts from the
# parent's peak (Linux carries it over at exec), which made a 0.6 GB child read 1.5 GB.
_PEAK = """
import sys
from recognition import faces
faces.find_faces(faces.load_image(sys.argv[1]))
print(next(line for line in open("/proc/self/status") if line.startswith("VmHWM:")).split()[1])
"""


def peak_memory_mib(path: Path) -> float | None:
    """Peak resident memory of a fresh process doing the task's face work on the photo
    (dlib models loaded, decode, detection in bands, encodings)."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run(
        [sys.executable, "-c", _PEAK, str(path)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        env=env,
    )
    return None if done.returncode else round(int(done.stdout.split()[-1]) / 1024, 1)
