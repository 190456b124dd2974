"""FaceConfig: every setting of the face pipeline, read from Django settings when asked
(never at import time) and kept until a setting changes."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

# Where the converted encoder is kept when no setting says otherwise (git-ignored).
DEFAULT_MODEL_CACHE_DIR = Path(__file__).resolve().parent.parent / ".cache" / "models"

# FaceConfig field -> the Django setting that sets it.
SETTINGS = {
    "detector_model": "FACE_DETECTOR_MODEL",
    "min_detect_px": "FACE_MIN_DETECT_PX",
    "jitters": "FACE_ENCODING_JITTERS",
    "landmarks_model": "FACE_LANDMARKS_MODEL",
    "min_face_px": "FACE_MIN_SIZE_PX",
    "max_image_pixels": "FACE_MAX_IMAGE_PIXELS",
    "encoder_runtime": "FACE_ENCODER_RUNTIME",
    "encoder_threads": "FACE_ENCODER_THREADS",
    "model_cache_dir": "FACE_MODEL_CACHE_DIR",
}


@dataclass(frozen=True)
class FaceConfig:
    """How faces are detected and encoded. Defaults are measured on the sample faces.

    - `detector_model`: "hog" (fast on CPU) or "cnn" (more accurate, far too slow without
      a GPU for a kiosk).
    - `min_detect_px`: the smallest face (box side, in pixels of the original frame) that
      detection must find. HOG's window is 80 px (its boxes are 73 px and larger), so the
      detection copy is scaled by 80/min_detect_px, with dlib upsampling when that is above
      1: 40 (the default) runs on the full frame with upsample 1, as the plain
      face_recognition recipe does; a kiosk asking for 80 px faces runs upsample 0.
    - `jitters`: re-samplings averaged per encoding (1 = none; N costs N times as much).
    - `landmarks_model`: "small" (5 points, what dlib's encoder was trained with) or
      "large" (68 points).
    - `min_face_px`: enrollment faces smaller than this (box side) are rejected; the encoder
      works on a 150 px chip and small faces give poor encodings.
    - `max_image_pixels`: larger images are rejected before decoding (memory, and
      decompression bombs); also set as Pillow's own guard when the app starts.
    - `encoder_runtime`: "onnx" (dlib's network and weights run by ONNX Runtime, see
      `recognition.onnx_encoder`; ~10x faster) or "dlib" (dlib itself, the reference).
      Their encodings differ by < 1e-6, so they share one `encoder_name`. With jitters > 1
      dlib encodes (its random jitters cannot be reproduced exactly outside it).
    - `encoder_threads`: ONNX Runtime's threads per process (1 when several web and worker
      processes share the cores).
    - `model_cache_dir`: where the converted ONNX encoder is written.
    """

    detector_model: str = "hog"
    min_detect_px: int = 40
    jitters: int = 1
    landmarks_model: str = "small"
    min_face_px: int = 80
    max_image_pixels: int = 50_000_000
    encoder_runtime: str = "onnx"
    encoder_threads: int = 1
    model_cache_dir: Path = DEFAULT_MODEL_CACHE_DIR

    def __post_init__(self):
        if self.detector_model not in ("hog", "cnn"):
            raise ValueError(f"detector_model must be 'hog' or 'cnn', not {self.detector_model!r}")
        if self.landmarks_model not in ("small", "large"):
            raise ValueError(
                f"landmarks_model must be 'small' or 'large', not {self.landmarks_model!r}"
            )
        if self.jitters < 1 or self.min_detect_px < 20:
            raise ValueError("jitters >= 1 and min_detect_px >= 20")
        if self.min_face_px < 0 or self.max_image_pixels < 1:
            raise ValueError("min_face_px >= 0 and max_image_pixels >= 1")
        if self.encoder_runtime not in ("onnx", "dlib"):
            raise ValueError(
                f"encoder_runtime must be 'onnx' or 'dlib', not {self.encoder_runtime!r}"
            )
        if self.encoder_threads < 1:
            raise ValueError("encoder_threads >= 1")
        object.__setattr__(self, "model_cache_dir", Path(self.model_cache_dir))

    @classmethod
    def from_settings(cls) -> FaceConfig:
        """The FACE_* Django settings, each falling back to the measured default.

        Built once and kept until a setting changes (tests' overrides send Django's
        `setting_changed`). Works without Django or before settings are configured (tests,
        scripts): then the defaults, not kept.
        """
        cached = _current
        if cached is not None:
            return cached
        try:
            from django.conf import settings
        except ImportError:
            return cls()
        if not settings.configured:
            return cls()
        defaults = cls()
        values = {
            field: getattr(settings, name, getattr(defaults, field))
            for field, name in SETTINGS.items()
        }
        config = cls(**{k: v if v is not None else getattr(defaults, k) for k, v in values.items()})
        with _lock:
            _remember(config)
        return config

    @property
    def encoder_name(self) -> str:
        """What produced an encoding; encodings with different names are not comparable."""
        return f"dlib-resnet-v1/{self.landmarks_model}/j{self.jitters}"


_current: FaceConfig | None = None
_lock = threading.Lock()


def _remember(config: FaceConfig | None) -> None:
    global _current
    _current = config


def forget_on_setting_change(*, setting: str, **kwargs) -> None:
    """Receiver of Django's `setting_changed`: a FACE_* setting changed, build it again."""
    if setting in SETTINGS.values():
        with _lock:
            _remember(None)
