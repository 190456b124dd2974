"""The head-turn challenge: a recognised student proves to be a live person, not a photo.

When a course has `liveness = "challenge"`, the first frame in which a roster student is
recognised does not mark them: it starts a challenge ("turn your head to your left/right",
direction chosen at random by the server) and remembers the head's yaw in that frame
(recognition.head_pose). A later frame passes the challenge when, for the same person, on
the same kiosk credential, the head has turned by at least `TURN_THRESHOLD` in the requested
direction, and the face moved continuously in between (`continuous`). The student is then
marked at the time the challenge started, with `liveness = "passed"` on the record.

Turning the wrong way (by the threshold), a gap or jump in the face's track, or the challenge
expiring starts a new challenge (a new random direction and start frame); nothing is marked.

State lives in Django's cache (Redis in production, shared by all web processes), one entry
per (session, person, credential), expiring with the challenge (`TTL_SECONDS`). The kiosk
sends one frame at a time, so there are no concurrent updates of one entry in practice; a lost
update could only restart a challenge, never mark anyone.

Thresholds (measured on the sample clip and on photo spoofs, see bench/liveness.py):
- `TURN_THRESHOLD = 0.3` yaw units (0.15 of the jaw width): a real turn moves the nose 0.4-0.5
  of the jaw width; a photo rotated up to 40 degrees, tilted, moved or scaled moved it at most
  about 0.05.
- `MAX_GAP_SECONDS = 1.2`: the kiosk sends a frame every ~0.3 s during a challenge; a longer
  absence of the face (e.g. while swapping pictures) breaks the track.
- `MAX_JUMP = 0.75` box widths of centre movement, `MAX_SCALE = 1.6` size change between
  consecutive frames: dlib's boxes jitter by ~20% in size on a steady face.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.utils import timezone

from recognition import head_pose
from recognition.faces import DetectedFace, FaceBox

TTL_SECONDS = 10.0
TURN_THRESHOLD = 0.3
MAX_GAP_SECONDS = 1.2
MAX_JUMP = 0.75
MAX_SCALE = 1.6
TURNS = (head_pose.LEFT, head_pose.RIGHT)

PASSED = "passed"


@dataclass(frozen=True)
class Verdict:
    """Either a pending challenge (what the kiosk shows) or a pass (when to mark)."""

    turn: str | None = None  # pending: "left" or "right", as the student sees it
    expires_in: float | None = None  # pending: seconds left
    started_at: datetime | None = None  # passed: when the challenge started
    progress: float = 0.0  # pending: share of the required turn made so far, 0..1

    @property
    def passed(self) -> bool:
        return self.turn is None

    def as_dict(self) -> dict:
        return {
            "turn": self.turn,
            "expires_in": round(self.expires_in, 1),
            "progress": round(self.progress, 2),
        }


def random_turn(turns: tuple[str, ...]) -> str:
    return secrets.choice(turns)


def required(course) -> bool:
    return course.liveness == course.Liveness.CHALLENGE


def credential_key(credential: str) -> str:
    """A short digest: a kiosk token must not appear in cache keys."""
    return hashlib.sha256(credential.encode()).hexdigest()[:16]


def _key(session_id: int, person_id: int, credential: str) -> str:
    return f"liveness:{session_id}:{person_id}:{credential_key(credential)}"


def continuous(previous: FaceBox, current: FaceBox) -> bool:
    """Whether `current` can be the same face as `previous` one frame later."""
    size = max(previous.width, previous.height, 1)
    dx = (current.left + current.right - previous.left - previous.right) / 2
    dy = (current.top + current.bottom - previous.top - previous.bottom) / 2
    scale = max(current.width, 1) / max(previous.width, 1)
    return (dx * dx + dy * dy) ** 0.5 <= MAX_JUMP * size and 1 / MAX_SCALE <= scale <= MAX_SCALE


def evaluate(
    *,
    session_id: int,
    person_id: int,
    credential: str,
    face: DetectedFace,
    now: datetime | None = None,
    choose: Callable[[tuple[str, ...]], str] | None = None,
) -> Verdict:
    """One frame of a recognised person: continue, pass, or (re)start their challenge.

    `face.landmarks68` must be present (find_faces(..., landmarks68=True)); a face without
    usable landmarks cannot pass. `choose` picks the direction of a new challenge (default:
    at random).
    """
    choose = choose or random_turn
    now = now or timezone.now()
    stamp = now.timestamp()
    key = _key(session_id, person_id, credential)
    try:
        current_yaw = head_pose.yaw(face.landmarks68)
    except (ValueError, TypeError):
        current_yaw = None
    state = cache.get(key)
    if state is not None and current_yaw is not None and _on_track(state, face.box, stamp):
        progress = head_pose.turned(state["start_yaw"], current_yaw, state["turn"])
        if progress >= TURN_THRESHOLD:
            cache.delete(key)
            return Verdict(started_at=datetime.fromtimestamp(state["started"], tz=now.tzinfo))
        if progress > -TURN_THRESHOLD:  # not yet far enough: keep the start frame
            state.update(seen=stamp, box=_box_tuple(face.box))
            remaining = state["expires"] - stamp
            cache.set(key, state, timeout=max(1, int(remaining) + 1))
            share = min(1.0, max(0.0, progress / TURN_THRESHOLD))
            return Verdict(turn=state["turn"], expires_in=remaining, progress=share)
    if current_yaw is None:
        cache.delete(key)
        return Verdict(turn=choose(TURNS), expires_in=TTL_SECONDS)
    return _start(key, face, current_yaw, stamp, choose)


def _on_track(state: dict, box: FaceBox, stamp: float) -> bool:
    return (
        stamp < state["expires"]
        and 0 <= stamp - state["seen"] <= MAX_GAP_SECONDS
        and continuous(FaceBox(*state["box"]), box)
    )


def _start(key, face: DetectedFace, current_yaw: float, stamp: float, choose) -> Verdict:
    turn = choose(TURNS)
    state = {
        "turn": turn,
        "start_yaw": current_yaw,
        "started": stamp,
        "expires": stamp + TTL_SECONDS,
        "seen": stamp,
        "box": _box_tuple(face.box),
    }
    cache.set(key, state, timeout=int(TTL_SECONDS) + 1)
    return Verdict(turn=turn, expires_in=TTL_SECONDS)


def _box_tuple(box: FaceBox) -> tuple[int, int, int, int]:
    return (box.top, box.right, box.bottom, box.left)


def set_course_mode(*, course, mode: str):
    """Turn the course's head-turn challenge on ("challenge") or off ("off")."""
    if mode not in course.Liveness.values:
        raise ValueError(f"liveness must be one of {course.Liveness.values}, not {mode!r}")
    course.liveness = mode
    course.save(update_fields=["liveness"])
    return course
