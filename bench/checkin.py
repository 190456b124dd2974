"""Check-in: latency through HTTP (gunicorn), the app's pipeline alone and the plain recipe;
the kiosk's fast path against the sum of its parts; kiosks posting at the same time."""

from __future__ import annotations

import http.client
import json
import threading
import time
import uuid
from dataclasses import dataclass

from bench.frames import Frame
from bench.recipe import UNKNOWN, KnownFaces
from bench.stats import cpu_seconds, p50_ms, summary_ms, timed


@dataclass(frozen=True)
class Kiosk:
    """Where and how a kiosk posts: the session's check-in URL and its kiosk token."""

    host: str
    port: int
    session_id: int
    token: str
    names: dict[int, str]  # person id -> sample folder name

    @property
    def path(self) -> str:
        return f"/api/sessions/{self.session_id}/checkin/"


class Upload:
    """A frame as the multipart body a kiosk posts (built once, outside the timings)."""

    def __init__(self, frame: Frame):
        boundary = uuid.uuid4().hex
        part = f'--{boundary}\r\nContent-Disposition: form-data; name="{{}}"'
        fields = f"{part.format('min_face_px')}\r\n\r\n{frame.min_face_px}\r\n".encode()
        self.body = b"".join(
            [
                fields if frame.min_face_px else b"",  # as the kiosk page sends it
                part.format("image").encode() + b'; filename="snapshot.jpg"\r\n',
                b"Content-Type: image/jpeg\r\n\r\n",
                frame.data,
                f"\r\n--{boundary}--\r\n".encode(),
            ]
        )
        self.content_type = f"multipart/form-data; boundary={boundary}"


def post(kiosk: Kiosk, upload: Upload, timeout: float = 120) -> tuple[int, bytes, float]:
    """One check-in on a new connection (gunicorn's sync workers close it after each):
    the status, the body, and the wall time from connecting to the last byte."""
    headers = {
        "Content-Type": upload.content_type,
        "Authorization": f"Kiosk {kiosk.token}",
        "Content-Length": str(len(upload.body)),
    }
    start = time.perf_counter()
    connection = http.client.HTTPConnection(kiosk.host, kiosk.port, timeout=timeout)
    try:
        connection.request("POST", kiosk.path, body=upload.body, headers=headers)
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    return response.status, body, time.perf_counter() - start


class Pipeline:
    """The app's check-in work without HTTP: load_image + find_faces + identify."""

    def __init__(self, model, names: dict[int, str], tolerance: float, config):
        self.model, self.names, self.tolerance, self.config = model, names, tolerance, config

    def identify(self, data: bytes, min_face_px: int | None = None) -> list[str]:
        from recognition import faces

        image = faces.load_image(data, self.config)
        return self.names_of(faces.find_faces(image, self.config, min_face_px=min_face_px))

    def names_of(self, detected) -> list[str]:
        from recognition import classifier

        if not detected:
            return []
        encodings = [face.encoding for face in detected]
        matches = classifier.identify(self.model, encodings, self.tolerance)
        return sorted(
            self.names.get(m.person_id, "?") if m.person_id is not None else UNKNOWN
            for m in matches
        )


def _http_names(kiosk: Kiosk, upload: Upload) -> list[str]:
    status, body, _ = post(kiosk, upload)
    if status != 200:
        raise RuntimeError(f"HTTP {status}: {body[:200]!r}")
    faces = json.loads(body)["faces"]
    return sorted(
        kiosk.names.get(f["person"]["id"], "?") if f["person"] else UNKNOWN for f in faces
    )


def bench_checkin(kiosk: Kiosk, frames: list[Frame], pipeline, known: KnownFaces, reps: int):
    """Per frame: HTTP, pipeline and recipe p50/p95 over `reps` runs each, interleaved so
    that a busy moment of the machine hits all three alike; and the names each found."""
    rows = []
    for frame in frames:
        upload = Upload(frame)
        paths = {
            "http": lambda upload=upload: _http_names(kiosk, upload),
            "pipeline": lambda frame=frame: pipeline.identify(frame.data, frame.min_face_px),
            "recipe": lambda frame=frame: known.identify(frame.data),
        }
        times = {path: [] for path in [*paths, "paired"]}
        found, errors = {path: set() for path in paths}, []
        for _ in range(reps):
            took = {}
            for path, identify in paths.items():
                try:
                    names, took[path] = timed(identify)
                except RuntimeError as error:
                    errors.append(str(error))
                    continue
                times[path].append(took[path])
                found[path].add(tuple(names))
            if "http" in took:
                times["paired"].append(took["http"] - took["pipeline"])
        stats = {path: summary_ms(times[path]) for path in paths}
        same = {
            path: list(min(names)) if len(names) == 1 else None for path, names in found.items()
        }
        http_p50, pipeline_p50, recipe_p50 = (stats[path]["p50_ms"] for path in paths)
        rows.append(
            {
                "frame": frame.name,
                "size": frame.size,
                "expected": list(frame.expected),
                **stats,
                "ratio_http_to_recipe": http_p50 and round(http_p50 / recipe_p50, 3),
                "web_overhead_ms": http_p50 and round(http_p50 - pipeline_p50, 1),
                # The median of (HTTP − pipeline) over back-to-back pairs: less sensitive to
                # the machine's load changing during the run than the difference of medians.
                "web_overhead_paired_ms": p50_ms(times["paired"]),
                "app_names": same["http"],
                "pipeline_names": same["pipeline"],
                "recipe_names": same["recipe"],
                "same_identities": same["http"] is not None
                and same["http"] == same["pipeline"] == same["recipe"],
                "errors": errors,
            }
        )
    return rows


def bench_kiosk(frame: Frame, measured: dict, reps: int) -> dict:
    """The kiosk's frame (faces >= frame.min_face_px): its HTTP check-in p50 and the
    recipe's, from the check-in latency rows of the same run (`measured`), against the sum
    of the check-in's own parts (decode, detection, landmarks + encoding) timed here."""
    from recognition import detection, encoding, faces

    config = faces.FaceConfig.from_settings()
    image = faces.load_image(frame.data, config)
    rects = detection.detect(image, config, frame.min_face_px)

    def p50(function) -> float | None:
        return p50_ms([timed(function)[1] for _ in range(reps)])

    parts = {
        "decode": p50(lambda: faces.load_image(frame.data, config)),
        "detection": p50(lambda: detection.detect(image, config, frame.min_face_px)),
        "landmarks_encoding": p50(lambda: encoding.encode(image, rects, config)),
    }
    http_p50, recipe_p50 = measured["http"]["p50_ms"], measured["recipe"]["p50_ms"]
    parts_sum = round(sum(parts.values()), 1)
    return {
        "frame": frame.name,
        "min_face_px": frame.min_face_px,
        "faces": len(rects),
        "http_p50_ms": http_p50,
        "recipe_p50_ms": recipe_p50,
        "parts_ms": parts,
        "parts_sum_ms": parts_sum,
        "ratio_to_recipe": http_p50 and round(http_p50 / recipe_p50, 3),
        "ratio_to_parts": http_p50 and round(http_p50 / parts_sum, 3),
    }


def run_kiosks(
    kiosk: Kiosk, upload: Upload, kiosks: int, seconds: float, rounds: int | None = None
) -> dict:
    """`kiosks` threads posting back to back for `seconds` (or `rounds` posts each)."""
    latencies, errors = [], []
    lock = threading.Lock()
    start_gate = threading.Barrier(kiosks)
    deadline = time.perf_counter() + seconds

    def kiosk_loop():
        start_gate.wait()
        done = 0
        while (done < rounds) if rounds is not None else (time.perf_counter() < deadline):
            try:
                status, body, elapsed = post(kiosk, upload)
                failure = None if status == 200 else f"HTTP {status}: {body[:120]!r}"
            except OSError as error:
                failure = f"{type(error).__name__}: {error}"
            with lock:
                (errors if failure else latencies).append(failure or elapsed)
            done += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=kiosk_loop, daemon=True) for _ in range(kiosks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return {
        "kiosks": kiosks,
        "seconds": round(wall, 1),
        "check_ins": len(latencies),
        "per_second": round(len(latencies) / wall, 2) if wall else None,
        **{key: value for key, value in summary_ms(latencies).items() if key != "n"},
        "errors": len(errors),
        "error_examples": sorted(set(errors))[:3],
    }


def bench_concurrency(
    kiosk: Kiosk, frame: Frame, kiosk_counts, seconds: float, server_pids
) -> list[dict]:
    """Each count of kiosks in turn; server_cores is the CPU the server's processes used
    (cores busy on average): below the machine's cores means other work took the rest."""
    upload = Upload(frame)
    rows = []
    for count in kiosk_counts:
        pids = server_pids()
        cpu_before = cpu_seconds(pids)
        row = run_kiosks(kiosk, upload, kiosks=count, seconds=seconds)
        cores = (cpu_seconds(pids) - cpu_before) / row["seconds"] if row["seconds"] else None
        rows.append(
            {
                "frame": frame.size,
                **row,
                "server_cores": cores and round(cores, 2),
                # Independent of how much of the machine other work took: capacity per core.
                "per_core_second": cores and round(row["per_second"] / cores, 2),
            }
        )
    return rows
