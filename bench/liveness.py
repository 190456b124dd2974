"""Benchmark section of issue 12: does the head-turn challenge stop photos and pass people?

    .venv/bin/python -m bench.liveness [--quick]     # this section alone (~2-4 minutes)

It drives the real state machine (`attendance.liveness.evaluate`, on Django's configured
cache) with the real face pipeline (`faces.find_faces(..., landmarks68=True)`) on frames
spaced as the kiosk sends them during a challenge (every 0.28 s):

- **Spoofs**: photo sequences from `bench.liveness_material.spoof_sequences` (stills;
  photos turned about their vertical axis up to +-40 degrees, swung, tilted, turned in plane,
  moved, brought closer; on paper and on a phone screen), from frontal frames of the clip
  and a sample photo, each with both directions requested. Worst case: every detected face
  is treated as the recognised student (no identity check), so a pass could only be refused
  by the liveness check itself. Target: 0 passes.
- **Real turns**: the clip from many start frames during its head turn, original (a turn to
  his right, so "right" is requested) and mirrored (a turn to his left), with the identity
  check of check-in (distance <= 0.6 to two frontal enrollment frames). Passes within 3 s
  of frames. Target: >= 95%.
- **Added server time per frame**: `find_faces` alone vs with the 68 landmarks, the yaw and
  one `evaluate` call, paired on the same frames in the same run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

import numpy as np

from bench import liveness_material as material

PASS_WITHIN_S = 3.0
TOLERANCE = 0.6


def _largest(found):
    return max(found, key=lambda face: face.box.width * face.box.height) if found else None


def run_sequence(faces_per_frame, turn: str, *, accept=None, interval=material.KIOSK_FRAME_S):
    """Feed one face per frame to a fresh challenge asking for `turn`. Returns the seconds
    from the first frame to the pass, or None. `accept(face)` is the identity check."""
    from attendance import liveness

    start = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
    credential = f"bench:{uuid.uuid4().hex}"
    for index, face in enumerate(faces_per_frame):
        if face is None or (accept is not None and not accept(face)):
            continue  # no (recognised) face in this frame: the server sees nothing of them
        now = start + timedelta(seconds=index * interval)
        verdict = liveness.evaluate(
            session_id=0,
            person_id=0,
            credential=credential,
            face=face,
            now=now,
            choose=lambda turns: turn,
        )
        if verdict.passed:
            return index * interval
    return None


def bench_spoofs(config, *, bases: int, frames: int, log=print) -> dict:
    from recognition import faces, head_pose

    clip = material.clip_frames()
    pictures = [("clip frame", clip.at(s)) for s in material.FRONTAL_S][:bases]
    if bases > len(pictures):
        photo = faces.load_image(material.SHARED_FACES / "probe" / "obama-480p.jpg")
        pictures.append(("sample photo", photo))
    rows, passes, total, spread = [], 0, 0, []
    for label, picture in pictures:
        sequences = material.spoof_sequences(picture, frames=frames, tag=f"{label}: ")
        log(f"  spoofs from the {label}: {len(sequences)} sequences x {frames} frames")
        for sequence in sequences:
            found = [
                _largest(faces.find_faces(f, config, landmarks68=True)) for f in sequence.frames
            ]
            yaws = [head_pose.yaw(face.landmarks68) for face in found if face is not None]
            if yaws:
                spread.append(max(yaws) - min(yaws))
            for turn in head_pose.LEFT, head_pose.RIGHT:
                passed = run_sequence(found, turn)
                total += 1
                passes += passed is not None
                rows.append(
                    {
                        "sequence": sequence.name,
                        "turn": turn,
                        "frames_with_face": sum(face is not None for face in found),
                        "yaw_range": round(max(yaws) - min(yaws), 3) if yaws else None,
                        "passed": passed is not None,
                    }
                )
    return {
        "sequences": total,
        "passes": passes,
        "max_yaw_range": round(max(spread), 3) if spread else None,
        "p95_yaw_range": round(float(np.percentile(spread, 95)), 3) if spread else None,
        "rows": rows,
    }


def bench_real(config, *, start_step: float, log=print) -> dict:
    from recognition import faces, head_pose

    clip = material.clip_frames()
    enrolled = [faces.find_faces(clip.at(s), config)[0].encoding for s in material.FRONTAL_S]

    def accept(face) -> bool:
        distances = [float(np.linalg.norm(face.encoding - e)) for e in enrolled]
        return min(distances) <= TOLERANCE

    starts = np.arange(material.TURN_START_S, 7.0 + 1e-9, start_step)
    steps = int(PASS_WITHIN_S / material.KIOSK_FRAME_S) + 1
    found_at: dict[tuple[float, bool], object] = {}

    def face_at(seconds: float, mirrored: bool):
        key = (round(seconds * clip.fps), mirrored)
        if key not in found_at:
            frame = clip.at(seconds, mirrored=mirrored)
            found_at[key] = _largest(faces.find_faces(frame, config, landmarks68=True))
        return found_at[key]

    rows = []
    for mirrored, turn in ((False, head_pose.RIGHT), (True, head_pose.LEFT)):
        log(f"  real turns to the {turn}: {len(starts)} start frames")
        for start in starts:
            sequence = [face_at(start + k * material.KIOSK_FRAME_S, mirrored) for k in range(steps)]
            passed = run_sequence(sequence, turn, accept=accept)
            rows.append(
                {
                    "start_s": round(float(start), 2),
                    "turn": turn,
                    "passed_after_s": None if passed is None else round(passed, 2),
                }
            )
    passed = [row["passed_after_s"] for row in rows if row["passed_after_s"] is not None]
    return {
        "sequences": len(rows),
        "passes": len(passed),
        "pass_rate": round(len(passed) / len(rows), 3),
        "median_s_to_pass": round(statistics.median(passed), 2) if passed else None,
        "rows": rows,
    }


def bench_added_time(config, *, reps: int) -> dict:
    from attendance import liveness
    from recognition import faces

    clip = material.clip_frames()
    frames = [clip.at(s) for s in np.arange(4.0, 7.0, 0.3)]
    plain, with_liveness = [], []
    for _ in range(reps):
        for frame in frames:
            t0 = time.perf_counter()
            faces.find_faces(frame, config)
            t1 = time.perf_counter()
            found = faces.find_faces(frame, config, landmarks68=True)
            for face in found:
                liveness.evaluate(session_id=0, person_id=0, credential="bench", face=face)
            t2 = time.perf_counter()
            plain.append((t1 - t0) * 1000)
            with_liveness.append((t2 - t1) * 1000)
    added = [b - a for a, b in zip(plain, with_liveness, strict=True)]
    return {
        "frames": len(plain),
        "plain_p50_ms": round(statistics.median(plain), 1),
        "liveness_p50_ms": round(statistics.median(with_liveness), 1),
        "added_p50_ms": round(statistics.median(added), 2),
    }


# spoof pictures, frames per spoof sequence, step between real start frames (s), timing reps
MODES = {"full": (3, 10, 0.14, 2), "quick": (2, 8, 0.28, 1), "tiny": (1, 3, 1.0, 1)}


def bench_http(kiosk, live_kiosk, frame, reps: int) -> dict:
    """The same one-face frame posted to the gunicorn server, interleaved: to a session of
    a course with liveness off (the student already checked in: today's repeated check-in)
    and to one with the challenge on (the still frame keeps the challenge pending, so every
    post runs the whole liveness path: 68 landmarks, yaw, a record query, the cached state
    in Redis when the stack has it)."""
    from bench.checkin import Upload, post

    upload = Upload(frame)
    times = {"off": [], "challenge": []}
    paired = []
    outcomes = {"off": set(), "challenge": set()}
    post(kiosk, upload)  # marks the student in the liveness-off session
    for index in range(reps):
        order = (("off", kiosk), ("challenge", live_kiosk))
        pair = {}
        for mode, target in order if index % 2 == 0 else order[::-1]:
            status, body, seconds = post(target, upload)
            if status == 200:
                times[mode].append(seconds * 1000)
                pair[mode] = seconds * 1000
                outcomes[mode] |= {f["outcome"] for f in json.loads(body)["faces"]}
        if len(pair) == 2:
            paired.append(pair["challenge"] - pair["off"])
    p50 = {mode: statistics.median(values) for mode, values in times.items() if values}
    return {
        "frame": frame.name,
        "posts": {mode: len(values) for mode, values in times.items()},
        "outcomes": {mode: sorted(values) for mode, values in outcomes.items()},
        "off_p50_ms": round(p50.get("off", float("nan")), 1),
        "challenge_p50_ms": round(p50.get("challenge", float("nan")), 1),
        "added_p50_ms": round(statistics.median(paired), 1) if paired else None,
        "added_share": round(statistics.median(paired) / p50["off"], 3)
        if paired and p50.get("off")
        else None,
    }


def bench_liveness(*, mode: str = "full", log=print) -> dict:
    from recognition import faces

    bases, frames, start_step, reps = MODES[mode]
    config = faces.FaceConfig.from_settings()
    log("liveness: spoof sequences")
    spoofs = bench_spoofs(config, bases=bases, frames=frames, log=log)
    log("liveness: real head turns (the clip and its mirror image)")
    real = bench_real(config, start_step=start_step, log=log)
    log("liveness: added server time per frame")
    added = bench_added_time(config, reps=reps)
    return {"mode": mode, "spoofs": spoofs, "real": real, "added_time": added}


def targets(result: dict) -> list[dict]:
    spoofs, real, added = result["spoofs"], result["real"], result["added_time"]
    return [
        {
            "target": "liveness: 0 passes over >= 100 photo spoof sequences",
            "measured": f"{spoofs['passes']} of {spoofs['sequences']}",
            "met": spoofs["passes"] == 0 and spoofs["sequences"] >= 100,
        },
        {
            "target": "liveness: >= 95% of real head turns pass within 3 s",
            "measured": f"{real['passes']} of {real['sequences']} ({real['pass_rate']:.0%})",
            "met": real["pass_rate"] >= 0.95,
        },
        {
            "target": "liveness: <= 10 ms added server time per frame",
            "measured": _added_measured(result),
            "met": max(added["added_p50_ms"], result.get("http", {}).get("added_p50_ms") or 0)
            <= 10,
        },
    ]


def _added_measured(result: dict) -> str:
    pipeline = f"{result['added_time']['added_p50_ms']} ms in the pipeline (paired p50)"
    http = result.get("http")
    if not http:
        return pipeline
    return (
        f"{http['added_p50_ms']} ms over HTTP (p50 {http['challenge_p50_ms']} vs "
        f"{http['off_p50_ms']} ms; median of paired differences, "
        f"{(http['added_share'] or 0):.1%} of a check-in); {pipeline}"
    )


def markdown(result: dict) -> list[str]:
    from attendance import liveness

    spoofs, real, added = result["spoofs"], result["real"], result["added_time"]
    by_kind: dict[str, list[dict]] = {}
    for row in spoofs["rows"]:
        by_kind.setdefault(row["sequence"].split(": ", 1)[1].split(",")[0], []).append(row)
    out = [
        "## Liveness: head-turn challenge (issue 12)",
        "",
        f"Threshold {liveness.TURN_THRESHOLD} yaw units; frames every "
        f"{material.KIOSK_FRAME_S} s as the kiosk sends them during a challenge.",
        "",
        "| material | sequences | passes | notes |",
        "|---|---|---|---|",
        f"| photo spoofs (paper and phone; still, turned +-10-40 deg, swung, tilted, moved, "
        f"closer; both directions requested) | {spoofs['sequences']} | {spoofs['passes']} | "
        f"yaw range within a sequence: p95 {spoofs['p95_yaw_range']}, "
        f"max {spoofs['max_yaw_range']} |",
        f"| real head turns (clip + mirror, start frames 3.6-7.0 s) | {real['sequences']} | "
        f"{real['passes']} ({real['pass_rate']:.0%}) | median {real['median_s_to_pass']} s "
        f"to pass, within {PASS_WITHIN_S:g} s |",
        "",
        f"Server time per frame (p50 of {added['frames']}): find_faces "
        f"{added['plain_p50_ms']} ms; with 68 landmarks, yaw and the challenge state "
        f"{added['liveness_p50_ms']} ms; added {added['added_p50_ms']} ms (paired).",
    ]
    http = result.get("http")
    if http:
        out += [
            "",
            f"Through gunicorn, the same {http['frame']} frame, interleaved "
            f"({http['posts']['challenge']} posts each): liveness off (already checked in) "
            f"p50 {http['off_p50_ms']} ms, challenge pending p50 {http['challenge_p50_ms']} ms: "
            f"added {http['added_p50_ms']} ms (median of back-to-back pairs, order alternated). "
            "The bench's gunicorn has no Redis cache (per-process state), so a pending "
            "challenge may restart between workers: the same work per frame either way.",
        ]
    failed = [row for row in real["rows"] if row["passed_after_s"] is None]
    if failed:
        starts = ", ".join(f"{row['start_s']} s ({row['turn']})" for row in failed)
        out += ["", f"Real turns that did not pass within {PASS_WITHIN_S:g} s: {starts}."]
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.liveness", description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "attendance_site.settings")
    django.setup()
    began = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - began:6.1f} s] {message}", file=sys.stderr, flush=True)

    result = bench_liveness(mode="quick" if args.quick else "full", log=log)
    print("\n".join(markdown(result)))
    for row in targets(result):
        print(f"- {row['target']}: {row['measured']} ({'met' if row['met'] else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
