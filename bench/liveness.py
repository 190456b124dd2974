"""Benchmark section: does the head-turn challenge stop pictures and pass people?

    .venv/bin/python -m bench.liveness [--quick]     # this section alone (~3-6 minutes)

It drives the real state machine (`attendance.liveness.evaluate`, on Django's configured
cache) with the real face pipeline (`faces.find_faces(..., landmarks68=True)`) on frames
spaced as the kiosk sends them during a challenge (`KIOSK_FRAME_S`):

- **Photo spoofs**: sequences from `bench.liveness_material.spoof_sequences` (stills; photos
  turned about their vertical axis up to +-40 degrees, swung, tilted, turned in plane,
  moved, brought closer; on paper and on a phone screen), from frontal frames of the clip
  and a sample photo, each against both orders. Worst case: every detected face is treated
  as the recognised student (no identity check). Target: 0 passes.
- **Swaps**: `swap_sequences`: pictures swapped in place with no motion between them (a
  photo and its mirror image, frontal and turned, clip frames with the turn cut out, three
  poses in the asked order), every picture placed with its face in the same spot and size,
  on paper, tilted paper and a phone screen; worst case as above. Target: 0 passes.
- **Real turns**: the clip from many start frames during its head turns, as sent and
  mirrored, played forward and then back (a head turning back is the same motion
  reversed), with the identity check of check-in (distance <= 0.6 to two frontal
  enrollment frames). The challenge asks for the order the clip performs from that start
  (its next turn of 0.45 yaw units, then the other way), as a student who follows the
  instruction. Passes within 4 s. Target: >= 95%.
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
from pathlib import Path

import numpy as np

from bench import liveness_material as material

PASS_WITHIN_S = 4.0
TOLERANCE = 0.6
ORACLE_TURN = 0.45  # how far the clip must move from a start frame to tell its next turn


def _largest(found):
    return max(found, key=lambda face: face.box.width * face.box.height) if found else None


def run_sequence(faces_per_frame, order, *, accept=None, interval=material.KIOSK_FRAME_S):
    """Feed one face per frame to a fresh challenge asking for `order` (two turns). Returns
    the seconds from the first frame to the pass, or None. `accept(face)` is the identity
    check."""
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
            choose=lambda orders: tuple(order),
        )
        if verdict.passed:
            return index * interval
    return None


def bench_spoofs(config, *, bases: int, frames: int, log=print) -> dict:
    from attendance import liveness
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
            for order in liveness.ORDERS:
                passed = run_sequence(found, order)
                total += 1
                passes += passed is not None
                rows.append(
                    {
                        "sequence": sequence.name,
                        "order": "-".join(order),
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

    first = round(material.TURN_START_S * clip.fps)
    span = round(material.TURN_END_S * clip.fps) - first
    found_at: dict[tuple[int, bool], object] = {}

    def face_at(seconds: float, mirrored: bool):
        """The clip's turns played forward, then back, then forward again..."""
        step = round(seconds * clip.fps) - first
        step %= 2 * span
        index = first + (step if step <= span else 2 * span - step)
        if (index, mirrored) not in found_at:
            frame = clip.at(index / clip.fps, mirrored=mirrored)
            found_at[index, mirrored] = _largest(faces.find_faces(frame, config, landmarks68=True))
        return found_at[index, mirrored]

    def smooth_yaw(seconds: float, mirrored: bool) -> float | None:
        nearby = [face_at(seconds + k / clip.fps, mirrored) for k in range(-3, 4)]
        yaws = [head_pose.yaw(face.landmarks68) for face in nearby if face is not None]
        return float(np.median(yaws)) if yaws else None

    def order_performed(start: float, mirrored: bool):
        """The clip's next turn of ORACLE_TURN from the start, then the other way."""
        origin = smooth_yaw(start, mirrored)
        for k in range(1, round(8 * clip.fps)):
            now = smooth_yaw(start + k / clip.fps, mirrored)
            if origin is not None and now is not None and abs(now - origin) >= ORACLE_TURN:
                side = head_pose.LEFT if now > origin else head_pose.RIGHT
                return (side, head_pose.RIGHT if side == head_pose.LEFT else head_pose.LEFT)
        raise RuntimeError(f"the clip does not turn after {start} s")

    starts = np.arange(material.TURN_START_S, 7.0 + 1e-9, start_step)
    steps = int(PASS_WITHIN_S / material.KIOSK_FRAME_S) + 1
    rows = []
    for mirrored in (False, True):
        log(f"  real turns{' (mirrored)' if mirrored else ''}: {len(starts)} start frames")
        for start in starts:
            order = order_performed(float(start), mirrored)
            sequence = [face_at(start + k * material.KIOSK_FRAME_S, mirrored) for k in range(steps)]
            passed = run_sequence(sequence, order, accept=accept)
            rows.append(
                {
                    "start_s": round(float(start), 2),
                    "mirrored": mirrored,
                    "order": "-".join(order),
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


def swap_pictures(config, *, samples: bool = True) -> tuple[dict, list, list]:
    """The pictures a cheater swaps (the performer's clip frames and photo, and the sample
    photos whose head is turned by 0.15 or more, each with its mirror image), placed with
    the face in the same spot; the pairs and triples of `swap_sequences`."""
    from recognition import faces, head_pose

    clip = material.clip_frames()
    raw = {"frontal": clip.at(material.CLIP_FRONTAL_S), "photo": faces.load_image(material.PHOTO)}
    for seconds in sorted(
        {*material.CLIP_TURNED_S, *(s for cut in material.CLIP_CUTS_S for s in cut)}
    ):
        raw[f"clip {seconds} s"] = clip.at(seconds)
    paths = sorted(material.SHARED_FACES.glob("enroll/*/*"))
    paths += sorted(material.SHARED_FACES.glob("probe/*"))
    turned_samples = []
    for path in paths if samples else []:
        image = faces.load_image(path)
        found = faces.find_faces(image, config, landmarks68=True)
        if len(found) == 1 and abs(head_pose.yaw(found[0].landmarks68)) >= 0.15:
            raw[path.stem] = image
            turned_samples.append(path.stem)
    pictures = {}
    for name, image in raw.items():
        for flipped in (False, True):
            view = material.mirrored(image) if flipped else image
            face = _largest(faces.find_faces(view, config))
            pictures[f"{name}{' mirrored' if flipped else ''}"] = material.placed(view, face.box)
    turned = ["photo", *(f"clip {s} s" for s in material.CLIP_TURNED_S)]
    pairs = [(name, f"{name} mirrored") for name in ["frontal", *turned, *turned_samples]]
    pairs += [("frontal", name) for name in turned] + [
        ("frontal", f"{name} mirrored") for name in turned
    ]
    for a, b in material.CLIP_CUTS_S:
        pairs += [(f"clip {a} s", f"clip {b} s"), (f"clip {a} s mirrored", f"clip {b} s mirrored")]

    def sides(name: str) -> tuple[str, str]:  # (turned to his left, to his right)
        face = _largest(faces.find_faces(pictures[name], config, landmarks68=True))
        left = head_pose.yaw(face.landmarks68) > 0
        return (name, f"{name} mirrored") if left else (f"{name} mirrored", name)

    triples = [("frontal", *sides(name)) for name in turned]
    triples.append(("frontal", sides("photo")[0], sides("clip 7.64 s")[1]))
    mirror_pairs = [sides(name) for name in ["frontal", *turned, *turned_samples]]
    return pictures, pairs, triples, mirror_pairs


def bench_swaps(
    config, *, frames: int, holds: tuple[int, ...], samples: bool = True, log=print
) -> dict:
    from attendance import liveness
    from recognition import faces

    pictures, pairs, triples, mirror_pairs = swap_pictures(config, samples=samples)
    sequences = material.swap_sequences(
        pictures, pairs=pairs, triples=triples, frames=frames, holds=holds
    )
    for left, right in mirror_pairs:
        for order in liveness.ORDERS:
            for sweep in (40, -40):
                frames_ = material.turned_swap_sequence(
                    pictures[left], pictures[right], order, sweep=sweep
                )
                name = f"paper turned +-40 deg while shown: {left} <-> {right}, sweep {sweep}"
                sequences.append(material.SwapSequence(name, frames_, (order,)))
    log(f"  swaps: {len(sequences)} sequences, {len(pictures)} pictures")
    detected: dict[int, object] = {}

    def face_of(frame):
        if id(frame) not in detected:
            detected[id(frame)] = _largest(faces.find_faces(frame, config, landmarks68=True))
        return detected[id(frame)]

    rows, passes = [], 0
    for sequence in sequences:
        found = [face_of(frame) for frame in sequence.frames]
        for order in sequence.orders:
            passed = run_sequence(found, order)
            passes += passed is not None
            rows.append(
                {
                    "sequence": sequence.name,
                    "order": "-".join(order),
                    "frames_with_face": sum(face is not None for face in found),
                    "passed": passed is not None,
                }
            )
    turned = [row for row in rows if row["sequence"].startswith("paper turned")]
    turned_passes = sum(row["passed"] for row in turned)
    return {  # the swaps of the target; those turned while shown are counted apart
        "sequences": len(rows) - len(turned),
        "passes": passes - turned_passes,
        "pictures": len(pictures),
        "turned_while_shown": len(turned),
        "turned_while_shown_passes": turned_passes,
        "rows": rows,
    }


def bench_added_time(config, *, reps: int) -> dict:
    """What a challenge frame costs on top of a plain check-in's detection: the 68 landmarks,
    the yaw and one `evaluate` (cache read and write included), paired on the same frames.
    CPU time of this process (`process_time`) as well as wall time: on a shared machine the
    wall time of a 30 ms detection swings by more than the few ms measured here. Frames are
    stamped a kiosk interval apart, so each `evaluate` runs the whole rule."""
    from attendance import liveness
    from recognition import faces

    clip = material.clip_frames()
    frames = [clip.at(s) for s in np.arange(4.0, 7.0, 0.3)]
    start = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
    times: dict[str, list[float]] = {"plain": [], "live": [], "plain_cpu": [], "live_cpu": []}
    evaluate_ms = []
    for rep in range(reps):
        for index, frame in enumerate(frames):
            now = start + timedelta(seconds=(rep * len(frames) + index) * material.KIOSK_FRAME_S)
            w0, c0 = time.perf_counter(), time.process_time()
            faces.find_faces(frame, config)
            w1, c1 = time.perf_counter(), time.process_time()
            found = faces.find_faces(frame, config, landmarks68=True)
            w2 = time.perf_counter()
            for face in found:
                liveness.evaluate(session_id=0, person_id=0, credential="bench", face=face, now=now)
            w3, c3 = time.perf_counter(), time.process_time()
            times["plain"].append((w1 - w0) * 1000)
            times["live"].append((w3 - w1) * 1000)
            times["plain_cpu"].append((c1 - c0) * 1000)
            times["live_cpu"].append((c3 - c1) * 1000)
            evaluate_ms.append((w3 - w2) * 1000)

    def added(key: str) -> float:
        pairs = zip(times[f"plain{key}"], times[f"live{key}"], strict=True)
        return round(statistics.median(b - a for a, b in pairs), 2)

    return {
        "frames": len(times["plain"]),
        "plain_p50_ms": round(statistics.median(times["plain"]), 1),
        "liveness_p50_ms": round(statistics.median(times["live"]), 1),
        "added_p50_ms": added(""),
        "plain_cpu_p50_ms": round(statistics.median(times["plain_cpu"]), 1),
        "added_cpu_p50_ms": added("_cpu"),
        "evaluate_p50_ms": round(statistics.median(evaluate_ms), 3),
    }


# spoof pictures, frames per spoof sequence, step between real start frames (s), timing
# reps, swap holds, swaps of the other sample photos too
MODES = {
    "full": (3, 10, 0.07, 2, (1, 2, 4), True),
    "quick": (2, 8, 0.14, 1, (1, 2), True),
    "tiny": (1, 3, 1.0, 1, (2,), False),
}
SWAP_FRAMES = 24


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

    bases, frames, start_step, reps, holds, samples = MODES[mode]
    config = faces.FaceConfig.from_settings()
    log("liveness: spoof sequences")
    spoofs = bench_spoofs(config, bases=bases, frames=frames, log=log)
    log("liveness: swapped pictures")
    swaps = bench_swaps(config, frames=SWAP_FRAMES, holds=holds, samples=samples, log=log)
    log("liveness: real head turns (the clip and its mirror image)")
    real = bench_real(config, start_step=start_step, log=log)
    log("liveness: added server time per frame")
    added = bench_added_time(config, reps=reps)
    return {"mode": mode, "spoofs": spoofs, "swaps": swaps, "real": real, "added_time": added}


def targets(result: dict) -> list[dict]:
    spoofs, swaps, real = result["spoofs"], result["swaps"], result["real"]
    added = result["added_time"]
    return [
        {
            "target": "liveness: 0 passes over >= 200 photo spoof sequences",
            "measured": f"{spoofs['passes']} of {spoofs['sequences']}",
            "met": spoofs["passes"] == 0 and spoofs["sequences"] >= 200,
        },
        {
            "target": "liveness: 0 passes over >= 200 swapped-picture sequences",
            "measured": f"{swaps['passes']} of {swaps['sequences']}",
            "met": swaps["passes"] == 0 and swaps["sequences"] >= 200,
        },
        {
            "target": f"liveness: >= 95% of real head turns pass within {PASS_WITHIN_S:g} s",
            "measured": f"{real['passes']} of {real['sequences']} ({real['pass_rate']:.0%})",
            "met": real["pass_rate"] >= 0.95,
        },
        {
            "target": "liveness: <= 5 ms added server time per challenge frame",
            "measured": _added_measured(result),
            "met": max(added["added_p50_ms"], result.get("http", {}).get("added_p50_ms") or 0) <= 5,
        },
    ]


def _added_measured(result: dict) -> str:
    added = result["added_time"]
    pipeline = (
        f"{added['added_cpu_p50_ms']} ms CPU in the pipeline (paired p50; wall "
        f"{added['added_p50_ms']} ms), of which evaluate {added['evaluate_p50_ms']} ms"
    )
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

    spoofs, swaps, real = result["spoofs"], result["swaps"], result["real"]
    added = result["added_time"]
    out = [
        "## Liveness: head-turn challenge",
        "",
        f"Two turns in a random order, each of at least {liveness.TURN} then "
        f"{liveness.SWING} yaw units seen through {liveness.MIN_ADVANCES} frames that each "
        f"move on by {liveness.MIN_ADVANCE}; frames every {material.KIOSK_FRAME_S} s as the "
        "kiosk sends them during a challenge.",
        "",
        "| material | sequences | passes | notes |",
        "|---|---|---|---|",
        f"| photo spoofs (paper and phone; still, turned +-10-40 deg, swung, tilted, moved, "
        f"closer; both orders asked) | {spoofs['sequences']} | {spoofs['passes']} | "
        f"yaw range within a sequence: p95 {spoofs['p95_yaw_range']}, "
        f"max {spoofs['max_yaw_range']} |",
        f"| swapped pictures (photo <-> mirror image, frontal <-> turned, clip frames with the "
        f"turn cut out, three poses in the asked order; paper, tilted paper, phone; "
        f"{swaps['pictures']} pictures placed in the same spot) | {swaps['sequences']} | "
        f"{swaps['passes']} | |",
        f"| beyond the target: a picture and its mirror image swapped in place, each turned "
        f"+-40 deg about its vertical axis while shown (perspective adds ~0.08 yaw each way) | "
        f"{swaps['turned_while_shown']} | {swaps['turned_while_shown_passes']} | |",
        f"| real head turns (clip + mirror, forward then back, start frames 3.6-7.0 s) | "
        f"{real['sequences']} | "
        f"{real['passes']} ({real['pass_rate']:.0%}) | median {real['median_s_to_pass']} s "
        f"to pass, within {PASS_WITHIN_S:g} s |",
        "",
        f"Server time per frame (p50 of {added['frames']}): find_faces "
        f"{added['plain_p50_ms']} ms; with 68 landmarks, yaw and the challenge state "
        f"{added['liveness_p50_ms']} ms; added {added['added_p50_ms']} ms wall, "
        f"{added['added_cpu_p50_ms']} ms CPU (paired, on a detection of "
        f"{added['plain_cpu_p50_ms']} ms CPU); `evaluate` alone {added['evaluate_p50_ms']} ms.",
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
        starts = ", ".join(
            f"{row['start_s']} s ({'mirrored, ' if row['mirrored'] else ''}{row['order']})"
            for row in failed
        )
        out += ["", f"Real turns that did not pass within {PASS_WITHIN_S:g} s: {starts}."]
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.liveness", description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the whole result here")
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
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
