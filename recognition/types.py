"""The values the face pipeline hands out: where a face is, the face itself, and why a
photo cannot be used."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext_lazy as _


class ImageRejected(Exception):
    """A photo that cannot be used, with a reason code and a message for the teacher.

    `code` is one of `CODES`; views map it to a form error or an HTTP 422 body.
    """

    CODES = {
        "unreadable": _("This file could not be read as a photo. Use a JPEG, PNG or WebP image."),
        "too_large": _(
            "This photo is too large. Use a smaller photo (at most {limit} megapixels)."
        ),
        "extreme_shape": _(
            "This picture is {width}x{height} pixels: a photo is at most "
            "{ratio} times as long as it is wide. Use an ordinary photo."
        ),
        "no_face": _(
            "No face was found in this photo. Use a photo where the face is clearly visible."
        ),
        "multiple_faces": _(
            "This photo shows more than one face. Use a photo of this person alone."
        ),
        "face_too_small": _(
            "The face in this photo is too small. Use a closer photo where the "
            "face fills more of the picture."
        ),
    }

    def __init__(self, code: str, message: str | None = None):
        if code not in self.CODES:
            raise ValueError(f"unknown rejection code {code!r}")
        self.code = code
        self.message = message or self.CODES[code]
        super().__init__(self.message)

    def __str__(self) -> str:
        return str(self.message)

    @classmethod
    def code_of(cls, message: str) -> str:
        """The code of a stored rejection message ("" for a message of no code, or one
        filled in with numbers): rejected photos keep only the message."""
        return next((code for code, text in cls.CODES.items() if text == message), "")


@dataclass(frozen=True)
class FaceBox:
    """A face's rectangle in full-resolution image pixels (face_recognition's css order)."""

    top: int
    right: int
    bottom: int
    left: int

    @classmethod
    def clipped(cls, rect, shape: tuple[int, ...]) -> FaceBox:
        """A detector's rectangle (`left()`, `top()`…) clipped to an image of `shape`:
        partial faces reach past the edge."""
        height, width = shape[:2]
        return cls(
            top=max(rect.top(), 0),
            right=min(rect.right(), width),
            bottom=min(rect.bottom(), height),
            left=max(rect.left(), 0),
        )

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top

    def as_dict(self) -> dict[str, int]:
        return {"top": self.top, "right": self.right, "bottom": self.bottom, "left": self.left}


@dataclass(frozen=True, eq=False)
class DetectedFace:
    """One face: where it is and its encoding (float32, shape (128,), read-only).

    `landmarks68`: dlib's 68 landmark points, float64 (68, 2) as (x, y) in full-resolution
    pixels, only when find_faces was asked for them (head pose, recognition.head_pose).
    """

    box: FaceBox
    encoding: np.ndarray
    landmarks68: np.ndarray | None = None
