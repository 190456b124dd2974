"""How small a face a check-in may look for: the detection cost of one frame is bounded.

dlib's detector scans every pixel of its input at every upsampling, so a frame of P pixels
searched for faces of at least m px costs about P x (HOG_WINDOW_PX / m)^2 detector pixels
(recognition.faces.detection_plan). A client choosing a tiny `min_face_px` for a large frame
would make each request cost seconds of CPU and hundreds of MB; here the smallest face is
raised until the frame fits CHECKIN_MAX_DETECTION_PIXELS, and never below HOG_WINDOW_PX / 2
(at most one upsampling). A kiosk's own frames (640 px, 80 px faces) are far below the bound.
"""

import math

from django.conf import settings

from recognition.detection import HOG_WINDOW_PX

SMALLEST_CHECKIN_FACE_PX = HOG_WINDOW_PX // 2  # upsampling once at most


def checkin_min_face_px(*, requested: int | None, frame_shape: tuple[int, ...]) -> int:
    """The smallest face searched for in a check-in frame of `frame_shape` (H, W, ...)
    when the client asked for `requested` (None: the server's FACE_MIN_DETECT_PX)."""
    wanted = max(requested or settings.FACE_MIN_DETECT_PX, SMALLEST_CHECKIN_FACE_PX)
    pixels = frame_shape[0] * frame_shape[1]
    budget = settings.CHECKIN_MAX_DETECTION_PIXELS
    return max(wanted, math.ceil(HOG_WINDOW_PX * math.sqrt(pixels / budget)))


def detection_pixels(*, min_face_px: int, frame_shape: tuple[int, ...]) -> float:
    """What the detector scans for faces of at least `min_face_px` in such a frame."""
    return frame_shape[0] * frame_shape[1] * (HOG_WINDOW_PX / min_face_px) ** 2
