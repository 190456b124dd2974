"""Is an enrollment photo good enough to recognise a student by? Pure functions, numpy only.

`measure()` takes the decoded upright RGB image, the face's box, the aligned face chip the
encoder sees and the 68 landmarks (recognition.faces.face_chip_and_landmarks) and returns
plain numbers; `problems()` compares them with the thresholds below and returns the reasons
a teacher can act on. The thresholds and the photos they were measured on are in
docs/photo-quality.md.

- `face_px`: the face box's shorter side in the photo's own pixels.
- `detail`: the inner face's detail at the photo's own pixel scale (what a 3x3 blur removes)
  over its detail at half that resolution. Natural photos have detail at every scale (0.57-
  1.13 on the samples); an enlarged crop has little at the finest one, because its pixels
  are interpolated from fewer real ones (0.36-0.60 on group crops enlarged 1.4-4x).
- `high_band`: mean spectral power of the inner face at 0.75-1 of the photo's own Nyquist
  frequency over that at 0.35-0.5 (Hann window). Enlarging by 1.4-2x leaves the top band
  empty (0.009-0.025 on group crops of 63-109 px faces), where `detail` is still high;
  strong enlargement (4x) fills it with JPEG block edges, which `detail` catches.
- `sharpness`: variance of the Laplacian on the 150 px chip (grey, 0-255), i.e. at the scale
  the encoder works at: a blurred or upscaled small face has little, a large sharp one much.
- `brightness`, `dark_fraction`, `bright_fraction`: exposure of the inner face (the box of
  landmarks 17-67: brows, eyes, nose, mouth).
- `yaw`: recognition.head_pose.yaw (0 frontal, about +-1 fully turned).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from recognition import head_pose

# Measured thresholds (docs/photo-quality.md)
MIN_FACE_PX = 80
MIN_DETAIL = 0.50
MIN_HIGH_BAND = 0.03
MIN_SHARPNESS = 100.0
MIN_BRIGHTNESS = 60.0
MAX_BRIGHTNESS = 215.0
MAX_CLIPPED_FRACTION = 0.25
MAX_ABS_YAW = 0.65

DARK_LEVEL = 30
BRIGHT_LEVEL = 245


@dataclass(frozen=True)
class Problem:
    code: str
    message: str


SMALL = Problem(
    "small",
    "The face is too small in this photo: take the photo closer, so the face fills a good "
    "part of the picture (cropping or enlarging a group photo does not help).",
)
UPSCALED = Problem(
    "upscaled",
    "This photo looks enlarged from a small picture (for example a face cut out of a group "
    "photo): take a new photo of the student alone, close up.",
)
BLURRED = Problem(
    "blurred",
    "The face is blurred: take the photo closer, in focus, and hold the camera still.",
)
DARK = Problem(
    "dark",
    "The face is too dark: take the photo facing a window or a lamp, not with the light "
    "behind the student.",
)
WASHED_OUT = Problem(
    "washed_out",
    "The face is washed out by light: avoid direct sun or flash on the face.",
)
TURNED = Problem(
    "turned",
    "The face is turned to the side: ask the student to look straight at the camera.",
)


def _gray(rgb: np.ndarray) -> np.ndarray:
    rgb = np.asarray(rgb, dtype=np.float32)
    return rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114


def _blur3(gray: np.ndarray) -> np.ndarray:
    """3x3 binomial blur ([1 2 1]/4 each way), edges repeated."""
    padded = np.pad(gray, 1, mode="edge")
    rows = (padded[:-2, :] + 2 * padded[1:-1, :] + padded[2:, :]) / 4
    return (rows[:, :-2] + 2 * rows[:, 1:-1] + rows[:, 2:]) / 4


def _laplacian(gray: np.ndarray) -> np.ndarray:
    return (
        gray[:-2, 1:-1] + gray[2:, 1:-1] + gray[1:-1, :-2] + gray[1:-1, 2:] - 4 * gray[1:-1, 1:-1]
    )


def _inner_face(image: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
    points = np.asarray(landmarks, dtype=np.float64)[17:]
    height, width = image.shape[:2]
    left, top = np.floor(points.min(axis=0)).astype(int)
    right, bottom = np.ceil(points.max(axis=0)).astype(int)
    left, top = max(left, 0), max(top, 0)
    right, bottom = min(right, width), min(bottom, height)
    if right - left < 4 or bottom - top < 4:
        raise ValueError("the landmarks enclose no face region")
    return image[top:bottom, left:right]


def _fine_detail(gray: np.ndarray) -> float:
    return float((gray - _blur3(gray)).std())


def _detail_ratio(face: np.ndarray) -> float:
    height, width = (face.shape[0] // 2) * 2, (face.shape[1] // 2) * 2
    face = face[:height, :width]
    half = (face[0::2, 0::2] + face[1::2, 0::2] + face[0::2, 1::2] + face[1::2, 1::2]) / 4
    coarse = _fine_detail(half)
    return _fine_detail(face) / coarse if coarse > 0.01 else 0.0


def _high_band(face: np.ndarray) -> float:
    height, width = face.shape
    window = np.outer(np.hanning(height), np.hanning(width))
    power = np.abs(np.fft.fftshift(np.fft.fft2((face - face.mean()) * window))) ** 2
    rows, cols = np.mgrid[-(height // 2) : height - height // 2, -(width // 2) : width - width // 2]
    radius = np.hypot(rows / (height / 2), cols / (width / 2))
    middle = power[(radius > 0.35) & (radius <= 0.5)].mean()
    return float(power[(radius > 0.75) & (radius <= 1.0)].mean() / middle) if middle > 0 else 0.0


def measure(*, image: np.ndarray, box, chip: np.ndarray, landmarks: np.ndarray) -> dict:
    """The photo's quality numbers (JSON-ready floats), see the module docstring."""
    face = _gray(_inner_face(image, landmarks))
    chip_gray = _gray(chip)
    return {
        "face_px": int(min(box.right - box.left, box.bottom - box.top)),
        "detail": round(_detail_ratio(face), 3),
        "high_band": round(_high_band(face), 4),
        "sharpness": round(float(_laplacian(chip_gray).var()), 1),
        "brightness": round(float(face.mean()), 1),
        "dark_fraction": round(float((face < DARK_LEVEL).mean()), 3),
        "bright_fraction": round(float((face > BRIGHT_LEVEL).mean()), 3),
        "yaw": round(head_pose.yaw(landmarks), 3),
    }


def problems(numbers: dict) -> list[Problem]:
    """What keeps the photo from being a good enrollment photo, most important first."""
    found = []
    if numbers["face_px"] < MIN_FACE_PX:
        found.append(SMALL)
    elif numbers.get("captured_live"):
        pass  # a frame of the app's own camera page, at the camera's size: not an enlarged crop
    elif numbers["detail"] < MIN_DETAIL or numbers.get("high_band", 1.0) < MIN_HIGH_BAND:
        found.append(UPSCALED)
    exposure = []
    if numbers["brightness"] < MIN_BRIGHTNESS or numbers["dark_fraction"] > MAX_CLIPPED_FRACTION:
        exposure.append(DARK)
    elif (
        numbers["brightness"] > MAX_BRIGHTNESS or numbers["bright_fraction"] > MAX_CLIPPED_FRACTION
    ):
        exposure.append(WASHED_OUT)
    # A dark or washed-out face has little contrast, hence a low Laplacian: not blur.
    if numbers["sharpness"] < MIN_SHARPNESS and not found and not exposure:
        found.append(BLURRED)
    found += exposure
    if abs(numbers["yaw"]) > MAX_ABS_YAW:
        found.append(TURNED)
    return found


def is_poor(numbers: dict | None) -> bool:
    """Whether stored quality numbers fail the gate (None: not measured, e.g. older photos)."""
    return bool(numbers) and bool(problems(numbers))
