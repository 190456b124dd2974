"""The head-turn challenge: a recognised student proves to be a live person, not a picture.

When a course has `liveness = "challenge"`, the first frame in which a roster student is
recognised does not mark them: it starts a challenge of two turns in a random order ("turn
your head to your left, then to your right", or right then left; `ORDERS`) and remembers the
head's yaw (recognition.head_pose). The student is marked, at the time the challenge started
and with `liveness = "passed"`, once both turns were *seen happening*, in the asked order:

- **A step** is a turn in its direction by at least `TURN` (first step, from where the head
  was) or `SWING` (second step, back across from where the first turn ended), reached
  through at least `MIN_ADVANCES` frames that each moved the head on by at least
  `MIN_ADVANCE` towards the target: at least two frames in between, so a picture swapped for
  another (a photo and its mirror image, a frontal and a turned one) never completes a step.
  Moving back by more than `BACKTRACK` starts the step again from that frame (the student
  hesitated); the order stays.
- **Between consecutive frames** the face must be the same moving face: its yaw changes by
  at most `MAX_RATE * dt + YAW_NOISE` (a human head's speed), its box moves and grows
  little (`continuous`), its encoding changes little (`MAX_APPEARANCE_CHANGE`), and the
  frames are at most `MAX_GAP_SECONDS` apart. Anything else is a jump: it passes nothing and
  starts a new challenge (a new random order) from that frame.
- A frame less than `MIN_FRAME_GAP_SECONDS` after the last one counted is faster than a
  camera delivers: it is refused (not counted, the challenge unchanged). A frame more than
  `MAX_ADVANCE_GAP_SECONDS` after the last (the face was hidden, e.g. while a picture was
  swapped) may move the turn on but is not one of its steps: the move was not seen.

State lives in Django's cache (Redis in production, shared by all web processes), one entry
per (session, person, credential), expiring with the challenge (`TTL_SECONDS`). The kiosk
sends one frame at a time, so there are no concurrent updates of one entry in practice; a lost
update could only restart a challenge, never mark anyone.

Thresholds, measured on the sample clip's real head turns at 30 frames/s and on photo
spoofs (bench/liveness.py runs both):
- `TURN = 0.3`, `SWING = 0.5` yaw units: the clip's turns span 0.8-1.05 (from +0.35..+0.41
  to -0.53..-0.72 and back); a photo rotated up to 40 degrees, tilted, moved or scaled moves
  the yaw by at most 0.17 over a whole sequence (p95 0.11): short of either turn.
- `MIN_ADVANCE = 0.08`: a frame counts as a step of the turn only when it moves on by more
  than the landmarks' jitter on a still picture; each picture swapped in therefore adds at
  most about one step, and a turn needs three. `BACKTRACK = 0.1`: the clip's landmark noise
  against the direction of a turn reaches ~0.07 between frames.
- `MAX_RATE = 1.8` yaw units/s and `YAW_NOISE = 0.15`: the largest change between two clip
  frames dt apart is 0.18 (dt 1/30 s), 0.31 (0.1 s), 0.48 (0.2 s), 0.53 (0.27 s), under
  1.6 dt + 0.12 everywhere.
- `MAX_APPEARANCE_CHANGE = 0.7`: clip frames up to 0.6 s apart differ by at most 0.63 in
  encoding distance (a frame and its own mirror image by 0.16-0.31: no help against mirrors,
  but a swap to a picture that looks different restarts).
- `MAX_GAP_SECONDS = 0.6`, `MAX_ADVANCE_GAP_SECONDS = 0.35` (the kiosk sends a frame every
  0.15 s during a challenge: one lost frame still counts; the clip's real turns pass 97% of
  the time with frames 0.2 s apart, 61% with 0.3 s, 98% with 0.15 s), the
  old `MAX_JUMP = 0.75` box widths and `MAX_SCALE = 1.6` (dlib's boxes jitter ~20% in size).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from django.core.cache import cache
from django.utils import timezone

from recognition import head_pose
from recognition.faces import DetectedFace, FaceBox

TTL_SECONDS = 10.0
TURN = 0.3
SWING = 0.5
MIN_ADVANCE = 0.08
MIN_ADVANCES = 3
BACKTRACK = 0.1
MAX_RATE = 1.8
YAW_NOISE = 0.15
MAX_APPEARANCE_CHANGE = 0.7
MAX_GAP_SECONDS = 0.6
MAX_ADVANCE_GAP_SECONDS = 0.35
MIN_FRAME_GAP_SECONDS = 1 / 30
MAX_JUMP = 0.75
MAX_SCALE = 1.6
ORDERS = ((head_pose.LEFT, head_pose.RIGHT), (head_pose.RIGHT, head_pose.LEFT))

PASSED = "passed"


@dataclass(frozen=True)
class Verdict:
    """Either a pending challenge (what the kiosk shows) or a pass (when to mark)."""

    steps: tuple[str, ...] = ()  # pending: the asked order, e.g. ("left", "right")
    step: int = 0  # pending: index of the turn the student should make now
    expires_in: float | None = None  # pending: seconds left
    started_at: datetime | None = None  # passed: when the challenge started
    progress: float = 0.0  # pending: share of the whole challenge done so far, 0..1

    @property
    def passed(self) -> bool:
        return not self.steps

    @property
    def turn(self) -> str | None:
        """The turn to make now: "left" or "right", as the student sees it."""
        return self.steps[self.step] if self.steps else None

    def as_dict(self) -> dict:
        return {
            "turn": self.turn,
            "steps": list(self.steps),
            "step": self.step,
            "expires_in": round(self.expires_in, 1),
            "progress": round(self.progress, 2),
        }


def random_order(orders: tuple[tuple[str, ...], ...]) -> tuple[str, ...]:
    return secrets.choice(orders)


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


def max_yaw_step(seconds: float) -> float:
    """The largest yaw change a real head shows between two frames `seconds` apart."""
    return MAX_RATE * seconds + YAW_NOISE


def evaluate(
    *,
    session_id: int,
    person_id: int,
    credential: str,
    face: DetectedFace,
    now: datetime | None = None,
    choose: Callable[[tuple[tuple[str, ...], ...]], tuple[str, ...]] | None = None,
) -> Verdict:
    """One frame of a recognised person: continue, pass, or (re)start their challenge.

    `face.landmarks68` must be present (find_faces(..., landmarks68=True)); a face without
    usable landmarks cannot pass. `choose` picks the order of a new challenge's turns from
    `ORDERS` (default: `random_order`, at random).
    """
    choose = choose or random_order
    now = now or timezone.now()
    stamp = now.timestamp()
    key = _key(session_id, person_id, credential)
    try:
        current_yaw = head_pose.yaw(face.landmarks68)
    except (ValueError, TypeError):
        current_yaw = None
    if current_yaw is None:
        cache.delete(key)
        return Verdict(steps=tuple(choose(ORDERS)), expires_in=TTL_SECONDS)
    state = cache.get(key)
    if state is None:
        return _start(key, face, current_yaw, stamp, choose)
    if 0 <= stamp - state["seen"] < MIN_FRAME_GAP_SECONDS:
        return _pending(state, stamp)  # faster than a camera: not counted
    if not _same_moving_face(state, face, current_yaw, stamp):
        return _start(key, face, current_yaw, stamp, choose)
    if _advance(state, current_yaw, seen_moving=stamp - state["seen"] <= MAX_ADVANCE_GAP_SECONDS):
        cache.delete(key)
        return Verdict(started_at=datetime.fromtimestamp(state["started"], tz=now.tzinfo))
    state.update(seen=stamp, yaw=current_yaw, box=_box_tuple(face.box), encoding=_enc(face))
    cache.set(key, state, timeout=max(1, int(state["expires"] - stamp) + 1))
    return _pending(state, stamp)


def _same_moving_face(state: dict, face: DetectedFace, current_yaw: float, stamp: float) -> bool:
    """Whether this frame continues the tracked face: in time, no jump of pose, place or look."""
    elapsed = stamp - state["seen"]
    if not (stamp < state["expires"] and 0 <= elapsed <= MAX_GAP_SECONDS):
        return False
    if abs(current_yaw - state["yaw"]) > max_yaw_step(elapsed):
        return False
    if not continuous(FaceBox(*state["box"]), face.box):
        return False
    previous = np.frombuffer(state["encoding"], dtype=np.float32)
    change = float(np.linalg.norm(previous - np.asarray(face.encoding, dtype=np.float32)))
    return change <= MAX_APPEARANCE_CHANGE


def _advance(state: dict, current_yaw: float, *, seen_moving: bool) -> bool:
    """Count this frame towards the current step (updating `state`); True when the last
    step is done. A frame after a gap (`seen_moving` false) moves the turn on but does not
    count as one of its steps: the move was not seen."""
    sign = 1.0 if state["steps"][state["step"]] == head_pose.LEFT else -1.0
    progress = sign * (current_yaw - state["anchor"])
    if progress >= state["level"] + MIN_ADVANCE:
        state.update(level=progress, advances=state["advances"] + seen_moving)
    elif progress < state["level"] - BACKTRACK:
        state.update(anchor=current_yaw, level=0.0, advances=0)  # back: this step again
    if state["level"] < _needed(state["step"]) or state["advances"] < MIN_ADVANCES:
        return False
    if state["step"] + 1 == len(state["steps"]):
        return True
    state.update(step=state["step"] + 1, anchor=current_yaw, level=0.0, advances=0)
    return False


def _needed(step: int) -> float:
    return TURN if step == 0 else SWING


def _pending(state: dict, stamp: float) -> Verdict:
    share = min(1.0, state["level"] / _needed(state["step"]))
    return Verdict(
        steps=tuple(state["steps"]),
        step=state["step"],
        expires_in=state["expires"] - stamp,
        progress=(state["step"] + share) / len(state["steps"]),
    )


def _start(key, face: DetectedFace, current_yaw: float, stamp: float, choose) -> Verdict:
    state = {
        "steps": tuple(choose(ORDERS)),
        "step": 0,
        "anchor": current_yaw,
        "level": 0.0,
        "advances": 0,
        "started": stamp,
        "expires": stamp + TTL_SECONDS,
        "seen": stamp,
        "yaw": current_yaw,
        "box": _box_tuple(face.box),
        "encoding": _enc(face),
    }
    cache.set(key, state, timeout=int(TTL_SECONDS) + 1)
    return _pending(state, stamp)


def _enc(face: DetectedFace) -> bytes:
    return np.asarray(face.encoding, dtype=np.float32).tobytes()


def _box_tuple(box: FaceBox) -> tuple[int, int, int, int]:
    return (box.top, box.right, box.bottom, box.left)


def set_course_mode(*, course, mode: str):
    """Turn the course's head-turn challenge on ("challenge") or off ("off")."""
    if mode not in course.Liveness.values:
        raise ValueError(f"liveness must be one of {course.Liveness.values}, not {mode!r}")
    course.liveness = mode
    course.save(update_fields=["liveness"])
    return course
