"""Check-in: latency through HTTP (gunicorn), the app's pipeline alone, the plain recipe, and
kiosks sending frames at the same time."""

from __future__ import annotations

import http.client
import json
import threading
import time
import uuid
from dataclasses import dataclass

from bench.frames import Frame
from bench.recipe import UNKNOWN, KnownFaces
from bench.stats import cpu_seconds, percentile, summary_ms


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
        fields = b""
        if frame.min_face_px:  # as the kiosk page sends it
            fields = (
                f"--{boundary}\r\n"
                'Content-Disposition: form-data; name="min_face_px"\r\n\r\n'
                f"{frame.min_face_px}\r\n"
            ).encode()
        self.body = b"".join(
            [
                fields,
                f"--{boundary}\r\n".encode(),
                b'Content-Disposition: form-data; name="image"; filename="snapshot.jpg"\r\n',
                b"Content-Type: image/jpeg\r\n\r\n",
                frame.data,
                f"\r\n--{boundary}--\r\n".encode(),
            ]
        )
        self.content_type = f"multipart/form-data; boundary={boundary}"


def post(kiosk: Kiosk, upload: Upload, timeout: float = 120) -> tuple[int, bytes, float]:
    """One check-in on a new connection (gunicorn's sync workers close it after each).

    Returns the status, the body, and the wall time from connecting to the last byte.
    """
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


def names_in_response(body: bytes, names: dict[int, str]) -> list[str]:
    faces = json.loads(body)["faces"]
    return sorted(
        names.get(face["person"]["id"], "?") if face["person"] else UNKNOWN for face in faces
    )


class Pipeline:
    """The app's check-in work without HTTP: load_image + find_faces + identify."""

    def __init__(self, model, names: dict[int, str], tolerance: float, config=None):
        from recognition import faces

        self.model = model
        self.names = names
        self.tolerance = tolerance
        self.config = config or faces.FaceConfig.from_settings()

    def identify(self, data: bytes, min_face_px: int | None = None) -> list[str]:
        from recognition import faces

        image = faces.load_image(data, self.config)
        return self.names_of(faces.find_faces(image, self.config, min_face_px=min_face_px))

    def names_of(self, detected) -> list[str]:
        from recognition import classifier

        if not detected:
            return []
        matches = classifier.identify(
            self.model, [face.encoding for face in detected], self.tolerance
        )
        return sorted(
            self.names.get(m.person_id, "?") if m.person_id is not None else UNKNOWN
            for m in matches
        )


def _timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


def bench_checkin(
    kiosk: Kiosk, frames: list[Frame], pipeline: Pipeline, known: KnownFaces, reps: int
) -> list[dict]:
    """Per frame: HTTP, pipeline and recipe p50/p95 over `reps` runs each, interleaved so
    that a busy moment of the machine hits all three alike; and the names each found."""
    uploads = [Upload(frame) for frame in frames]
    times = {
        frame.name: {"http": [], "pipeline": [], "recipe": [], "paired": []} for frame in frames
    }
    found = {frame.name: {"http": set(), "pipeline": set(), "recipe": set()} for frame in frames}
    errors = {frame.name: [] for frame in frames}
    for _ in range(reps):
        for frame, upload in zip(frames, uploads, strict=True):
            status, body, http_seconds = post(kiosk, upload)
            if status == 200:
                times[frame.name]["http"].append(http_seconds)
                found[frame.name]["http"].add(tuple(names_in_response(body, kiosk.names)))
            else:
                errors[frame.name].append(f"HTTP {status}: {body[:200]!r}")
            names, seconds = _timed(pipeline.identify, frame.data, frame.min_face_px)
            times[frame.name]["pipeline"].append(seconds)
            if status == 200:
                times[frame.name]["paired"].append(http_seconds - seconds)
            found[frame.name]["pipeline"].add(tuple(names))
            names, seconds = _timed(known.identify, frame.data)
            times[frame.name]["recipe"].append(seconds)
            found[frame.name]["recipe"].add(tuple(names))
    return [
        _checkin_row(frame, times[frame.name], found[frame.name], errors[frame.name])
        for frame in frames
    ]


def _checkin_row(frame: Frame, times: dict, found: dict, errors: list) -> dict:
    paired = times.pop("paired")
    stats = {kind: summary_ms(values) for kind, values in times.items()}

    def one(kind):  # the names a path gave, if it always gave the same
        return list(next(iter(found[kind]))) if len(found[kind]) == 1 else None

    http_p50, pipeline_p50 = stats["http"]["p50_ms"], stats["pipeline"]["p50_ms"]
    recipe_p50 = stats["recipe"]["p50_ms"]
    app, recipe = one("http"), one("recipe")
    return {
        "frame": frame.name,
        "size": frame.size,
        "min_face_px": frame.min_face_px,
        "expected": list(frame.expected),
        "http": stats["http"],
        "pipeline": stats["pipeline"],
        "recipe": stats["recipe"],
        "ratio_http_to_recipe": _ratio(http_p50, recipe_p50),
        "ratio_pipeline_to_recipe": _ratio(pipeline_p50, recipe_p50),
        "web_overhead_ms": None if http_p50 is None else round(http_p50 - pipeline_p50, 1),
        # The median of (HTTP − pipeline) over back-to-back pairs: less sensitive to the
        # machine's load changing during the run than the difference of the two medians.
        "web_overhead_paired_ms": summary_ms(paired)["p50_ms"] if paired else None,
        "app_names": app,
        "pipeline_names": one("pipeline"),
        "recipe_names": recipe,
        "same_identities": app is not None and app == recipe and app == one("pipeline"),
        "app_as_expected": app == list(frame.expected),
        "recipe_as_expected": recipe == list(frame.expected),
        "errors": errors,
    }


def _ratio(numerator, denominator) -> float | None:
    if numerator is None or not denominator:
        return None
    return round(numerator / denominator, 3)


def bench_detector_settings(frames: list[Frame], pipelines: dict[str, Pipeline], reps: int):
    """The pipeline under other detector settings, on the same frames: faces found and p50."""
    rows = []
    for label, pipeline in pipelines.items():
        for frame in frames:
            runs = [_timed(pipeline.identify, frame.data, frame.min_face_px) for _ in range(reps)]
            names = runs[-1][0]
            rows.append(
                {
                    "settings": label,
                    "min_detect_px": pipeline.config.min_detect_px,
                    "frame": frame.name,
                    "names": names,
                    "as_expected": names == list(frame.expected),
                    **summary_ms([seconds for _, seconds in runs]),
                }
            )
    return rows


def warm_up(kiosk: Kiosk, frame: Frame, workers: int) -> None:
    """Each gunicorn worker loads Django's URLs, dlib's models and the course model on its
    first check-in: send a few rounds of simultaneous requests so every worker has one."""
    run_kiosks(kiosk, Upload(frame), kiosks=workers * 2, seconds=0, rounds=2)


def run_kiosks(
    kiosk: Kiosk, upload: Upload, kiosks: int, seconds: float, rounds: int | None = None
) -> dict:
    """`kiosks` threads posting back to back for `seconds` (or `rounds` posts each)."""
    latencies, errors = [], []
    lock = threading.Lock()
    start_gate = threading.Barrier(kiosks)
    deadline_box = {}

    def kiosk_loop():
        start_gate.wait()
        done = 0
        while True:
            if rounds is not None and done >= rounds:
                return
            if rounds is None and time.perf_counter() >= deadline_box["deadline"]:
                return
            try:
                status, body, elapsed = post(kiosk, upload)
                failure = None if status == 200 else f"HTTP {status}: {body[:120]!r}"
            except OSError as error:
                elapsed, failure = None, f"{type(error).__name__}: {error}"
            with lock:
                if failure:
                    errors.append(failure)
                else:
                    latencies.append(elapsed)
            done += 1

    deadline_box["deadline"] = time.perf_counter() + seconds
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
        "p50_ms": None if not latencies else round(percentile(latencies, 50) * 1000, 1),
        "p95_ms": None if not latencies else round(percentile(latencies, 95) * 1000, 1),
        "errors": len(errors),
        "error_examples": sorted(set(errors))[:3],
    }


def bench_concurrency(
    kiosk: Kiosk, frame: Frame, kiosk_counts, seconds: float, server_pids=lambda: []
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
        per_core = row["per_second"] / cores if cores else None
        rows.append(
            {
                "frame": frame.size,
                **row,
                "server_cores": None if cores is None else round(cores, 2),
                # Independent of how much of the machine other work took: capacity per core.
                "per_core_second": None if per_core is None else round(per_core, 2),
            }
        )
    return rows
