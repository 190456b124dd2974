"""Kiosks checking in through the balancer: bounded in time and in requests, every answer
kept so that the database can be compared with what the kiosks were told."""

from __future__ import annotations

import io
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from deploy.cluster.api import Api, multipart

# Probe photos of the enrolled people (and one stranger), sent as a kiosk sends its frames.
PROBES = [
    "probe/obama1.jpg",
    "probe/johnsnow_test1.jpg",
    "probe/alex_lacamoire1.jpg",
    "probe/kit_with_rose.jpg",
    "probe/two_people.jpg",
    "probe/obama-480p.jpg",
    "probe/lin-manuel-miranda.png",
]
KIOSK_WIDTH = 640  # a kiosk sends at most 640 px
MARKING = ("present", "late")


def kiosk_frames(faces: Path) -> list[tuple[str, bytes]]:
    from PIL import Image

    frames = []
    for name in PROBES:
        with Image.open(faces / name) as image:
            image = image.convert("RGB")
            image.thumbnail((KIOSK_WIDTH, KIOSK_WIDTH))
            out = io.BytesIO()
            image.save(out, "JPEG", quality=88)
        frames.append((name, out.getvalue()))
    return frames


@dataclass
class Outcome:
    kiosk: int
    frame: str
    started: float  # seconds since the load began
    seconds: float
    status: int | None  # None: no HTTP answer
    error: str = ""  # the kind of failure, empty for a 200
    faces: list = field(default_factory=list)  # (person id or None, outcome)


class Load:
    def __init__(self, api: Api, path: str, frames, *, kiosks: int, seconds: float, cap: int):
        self.api, self.path, self.frames = api, path, frames
        self.kiosks, self.seconds, self.cap = kiosks, seconds, cap
        self.outcomes: list[Outcome] = []
        self.lock = threading.Lock()
        self.stopped = threading.Event()  # set when the run breaks off (error, Ctrl-C)
        self.start = 0.0

    def run(self, during=None) -> list[Outcome]:
        """All kiosks for `seconds` (each at most `cap` requests); `during(load)` runs in this
        thread meanwhile (the faults)."""
        self.start = time.monotonic()
        threads = [
            threading.Thread(target=self._kiosk, args=(k,), daemon=True) for k in range(self.kiosks)
        ]
        for thread in threads:
            thread.start()
        try:
            if during:
                during(self)
            for thread in threads:
                thread.join(timeout=self.seconds + self.api.timeout)
        finally:
            self.stopped.set()  # no new request; one under way ends within its timeout
        return self.outcomes

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def _kiosk(self, number: int) -> None:
        for sent in range(self.cap):
            if self.elapsed() >= self.seconds or self.stopped.is_set():
                return
            name, data = self.frames[(number + sent) % len(self.frames)]
            self._post(number, name, data)
            self.stopped.wait(0.2)  # a kiosk's pause between frames

    def _post(self, number: int, name: str, data: bytes) -> None:
        body, content_type = multipart({}, {"image": ("frame.jpg", data)})
        began = time.monotonic()
        outcome = Outcome(number, name, began - self.start, 0.0, None)
        try:
            status, answer = self.api.request("POST", self.path, body, content_type)
        except (OSError, ConnectionError) as error:
            outcome.error = f"no answer ({error.__class__.__name__})"
        else:
            outcome.status = status
            if status == 200:
                outcome.faces = [
                    ((face["person"] or {}).get("id"), face["outcome"])
                    for face in json.loads(answer)["faces"]
                ]
            else:
                outcome.error = f"HTTP {status}"
        outcome.seconds = time.monotonic() - began
        with self.lock:
            self.outcomes.append(outcome)


def told_marked(outcomes: list[Outcome]) -> Counter:
    """person id -> how many times a kiosk was told this check-in marked them."""
    return Counter(
        person for o in outcomes for person, said in o.faces if person and said in MARKING
    )


def told_known(outcomes: list[Outcome]) -> set[int]:
    """Everyone a kiosk named (marked now or already checked in)."""
    return {
        person
        for o in outcomes
        for person, said in o.faces
        if person and said in (*MARKING, "already_checked_in")
    }
