"""The targets of issue 5, judged on a run's results, and the results as markdown."""

from __future__ import annotations

LIMIT_S = 600


def _frame(results: dict, size: str) -> dict | None:
    return next((r for r in results["checkin"] if r["size"] == size), None)


def _people(rows: list[dict], people: int) -> dict | None:
    return next((r for r in rows if r["people"] == people), None)


def targets(results: dict) -> list[dict]:
    """Each target: what it asks, what was measured, and met (True/False, None: not run)."""
    rows = []

    def add(name, measured, met):
        rows.append({"target": name, "measured": measured, "met": met})

    for size, limit in (("853x480", 0.6), ("1280x720", 0.35)):
        row = _frame(results, size)
        if row is None or row["ratio_http_to_recipe"] is None:
            add(f"check-in p50 ≤ {limit}× recipe at {size}", "not run", None)
            continue
        ratio = row["ratio_http_to_recipe"]
        add(
            f"check-in p50 ≤ {limit}× recipe at {size}",
            f"{ratio:.2f}× ({row['http']['p50_ms']:g} vs {row['recipe']['p50_ms']:g} ms)",
            ratio <= limit,
        )
    _roll_call_targets(results, add)
    different = [r["frame"] for r in results["checkin"] if not r["same_identities"]]
    add(
        "identical identities (check-in vs recipe) on every frame",
        "all identical" if not different else "different on: " + ", ".join(different),
        not different if results["checkin"] else None,
    )
    measured = [r for r in results["checkin"] if r["web_overhead_ms"] is not None]
    overheads = [r["web_overhead_ms"] for r in measured]
    paired = [r["web_overhead_paired_ms"] for r in measured]
    # Judged on the median of back-to-back (HTTP − pipeline) pairs: the same quantity as
    # the difference of the two p50s, but not swayed by the machine's load drifting between
    # the moments the two medians happen to come from.
    add(
        "web overhead ≤ 15 ms (HTTP − pipeline, worst frame)",
        f"{max(paired):g} ms: median of back-to-back differences per frame "
        f"{_joined(paired)}; HTTP p50 − pipeline p50: {_joined(overheads)}"
        if overheads
        else "not run",
        max(paired) <= 15 if overheads else None,
    )
    course = next(
        (r for r in results["training"] if r["people"] == 300 and r["how"] != "classifier.train"),
        None,
    )
    fit = next(
        (r for r in results["training"] if r["people"] == 300 and r["how"] == "classifier.train"),
        None,
    )
    add(
        "retraining a 300-student course < 1 s",
        f"{course['train_s']:g} s with the database ({fit['train_s']:g} s in classifier.train)"
        if course and fit
        else "not run",
        course["train_s"] < 1 if course else None,
    )
    school = results.get("school")
    if school:
        add(
            f"a new photo in a {school['students']:,}-student school retrains only "
            "that student's courses",
            f"{school['courses_retrained']} of {school['courses']} courses retrained, "
            f"the student is in {school['student_courses']}",
            school["only_their_courses"],
        )
    identify = _people(results["identify"], 10_000)
    add(
        "identify one face against 10,000 students < 5 ms",
        f"p50 {identify['p50_ms']:g} ms, p95 {identify['p95_ms']:g} ms" if identify else "not run",
        identify["p50_ms"] < 5 if identify else None,
    )
    eight = next((r for r in results["concurrency"] if r["kiosks"] == 8), None)
    add(
        "zero errors under 8 concurrent kiosks",
        f"{eight['errors']} errors in {eight['check_ins']} check-ins" if eight else "not run",
        eight["errors"] == 0 if eight else None,
    )
    _encoder_targets(results, add)
    if "liveness" in results:  # issue 12
        from bench import liveness

        rows += liveness.targets(results["liveness"])
    duration = results.get("duration_s")
    if duration is not None and results.get("mode") == "full":
        add("full run < 10 minutes", f"{duration / 60:.1f} min", duration < LIMIT_S)
    return rows


def _encoder_targets(results: dict, add) -> None:
    """Issue 15: the ONNX Runtime encoder against dlib's, and what it frees at check-in."""
    enc = results.get("encoder")
    if not enc:
        return
    add(
        "encodings equal to dlib's (max abs difference ≤ 1e-4 per dimension)",
        f"{enc['max_abs_diff']:.1e} on {enc['faces']} faces",
        enc["max_abs_diff"] <= 1e-4,
    )
    one = next(r for r in enc["rows"] if r["encoder"].startswith("onnx, 1 thread"))
    dlib = next(r for r in enc["rows"] if r["encoder"] == "dlib")
    add(
        "encoding ≤ 0.2× dlib's per face (ONNX Runtime, 1 thread, one face a call)",
        f"{one['ratio_to_dlib']:.3f}× ({one['p50_ms']:g} vs {dlib['p50_ms']:g} ms)",
        one["ratio_to_dlib"] <= 0.2,
    )
    growth = enc["memory"].get("growth_mib")
    add(
        "memory per web worker grows < 100 MB (loading the ONNX session)",
        f"{growth:g} MiB" if growth is not None else "not measured",
        growth < 100 if growth is not None else None,
    )
    row = _frame(results, "640x480")
    add(
        "check-in p50 ≤ 0.3× recipe at 640x480",
        f"{row['ratio_http_to_recipe']:.2f}× ({row['http']['p50_ms']:g} vs "
        f"{row['recipe']['p50_ms']:g} ms)"
        if row and row["ratio_http_to_recipe"]
        else "not run",
        row["ratio_http_to_recipe"] <= 0.3 if row and row["ratio_http_to_recipe"] else None,
    )
    eight = next((r for r in results["concurrency"] if r["kiosks"] == 8), None)
    add(
        "≥ 40 check-ins/s with 8 kiosks",
        f"{eight['per_second']:g}/s" if eight else "not run",
        eight["per_second"] >= 40 if eight and eight["per_second"] else None,
    )


def _encoder_section(results: dict) -> list[str]:
    enc = results.get("encoder")
    if not enc:
        return []
    memory = enc["memory"]
    out = [
        "",
        f"## Face encoder: dlib vs ONNX Runtime (ms per face, p50 / p95, {enc['faces']} "
        f"sample faces x {enc['reps']} runs, interleaved)",
        "",
        "The same network and weights (dlib's .dat converted to ONNX); max abs difference of "
        f"the encodings {enc['max_abs_diff']:.1e}. The app runs ONNX Runtime with "
        f"{enc['app_threads']} intra-op thread(s) per process (FACE_ENCODER_THREADS).",
        "",
    ]
    out += _table(
        ["encoder", "call", "p50 ms", "p95 ms", "÷ dlib"],
        [
            [r["encoder"], r["call"], f"{r['p50_ms']:g}", f"{r['p95_ms']:g}"]
            + [f"{r['ratio_to_dlib']:.3f}×"]
            for r in enc["rows"]
        ],
    )
    if "growth_mib" in memory:
        out += [
            "",
            f"Resident memory of a fresh process with the face module loaded: "
            f"{memory['rss_before_mib']:g} MiB; after loading the ONNX session and encoding "
            f"one face {memory['rss_after_mib']:g} MiB, after a batch of 8 "
            f"{memory['rss_after_batch_mib']:g} MiB: +{memory['growth_mib']:g} MiB.",
        ]
    return out


def _yes(value) -> str:
    return {True: "yes", False: "**no**", None: "n/a"}[value]


def _table(headers: list[str], rows: list[list]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    for row in rows:
        lines.append("| " + " | ".join("" if cell is None else str(cell) for cell in row) + " |")
    return lines


def _names(names) -> str:
    return "—" if names is None else (", ".join(names) or "no face")


def _joined(values) -> str:
    return ", ".join(map(str, values))


def _p(stats: dict) -> str:
    return f"{stats['p50_ms']:g} / {stats['p95_ms']:g}" if stats["n"] else "—"


def _roll_call_targets(results: dict, add) -> None:
    """Issue 11: recall at any frame size, the kiosk fast path, the 12 MP class photo."""
    rows = results.get("recall") or []
    short = [r["frames"] for r in rows if r["app"] < r["recipe"]]
    add(
        "recall ≥ the recipe's on every frame of the recall table (faces ≥ 40 px)",
        (
            f"{sum(r['app'] for r in rows)} vs {sum(r['recipe'] for r in rows)} of "
            f"{sum(r['faces'] for r in rows)} faces; "
            + ("below on: " + ", ".join(short) if short else "never below")
        )
        if rows
        else "not run",
        not short if rows else None,
    )
    kiosk = results.get("kiosk")
    if kiosk and kiosk["http_p50_ms"]:
        add(
            f"kiosk 640x480 (faces ≥ {kiosk['min_face_px']} px): check-in p50 ≤ 0.55× recipe",
            f"{kiosk['ratio_to_recipe']:.2f}× "
            f"({kiosk['http_p50_ms']:g} vs {kiosk['recipe_p50_ms']:g} ms)",
            kiosk["ratio_to_recipe"] <= 0.55,
        )
        parts = kiosk["parts_ms"]
        add(
            "kiosk check-in p50 ≤ 1.2× the sum of its own parts",
            f"{kiosk['ratio_to_parts']:.2f}× "
            f"({kiosk['http_p50_ms']:g} vs {kiosk['parts_sum_ms']:g} ms = "
            f"decode {parts['decode']:g} + detection {parts['detection']:g} + landmarks and "
            f"encoding {parts['landmarks_encoding']:g})",
            kiosk["ratio_to_parts"] <= 1.2,
        )
    photo = results.get("class_photo")
    if photo:
        add(
            f"class photo ({photo['photo']}): every face the recipe finds is found",
            f"app {photo['app_found']}, recipe {photo['recipe_found']} of {photo['faces']}",
            photo["app_found"] >= photo["recipe_found"],
        )
        add(
            f"class photo: ≤ 0.6× the recipe's wall time on {photo['cores']} cores",
            f"{photo['ratio']:.2f}× ({photo['app_s']:g} vs {photo['recipe_s']:g} s)",
            photo["ratio"] <= 0.6,
        )
        add(
            "class photo: result within 10 s of upload (the task's face work, in-process)",
            f"{photo['app_s']:g} s",
            photo["app_s"] <= 10,
        )
        add(
            "peak memory of the class-photo face work < 1 GB",
            f"{photo['peak_mib']} MiB" if photo["peak_mib"] else "not measured",
            photo["peak_mib"] < 1024 if photo["peak_mib"] else None,
        )


def _roll_call_sections(results: dict) -> list[str]:
    out = []
    rows = results.get("recall") or []
    if rows:
        out += [
            "",
            "## Detection recall vs the recipe (same files, same run)",
            "",
            "App: `faces.detect_faces` with FACE_MIN_DETECT_PX (smallest face found, in pixels "
            "of the frame). Recipe: `face_recognition.face_locations` (HOG, upsample 1, full "
            "frame). Found: a detected box with IoU ≥ 0.4 with a true box. Other boxes: "
            "detections matching no labelled face (groups photos have some unlabelled faces). "
            "Seconds: detection only, all frames of the row.",
            "",
        ]
        out += _table(
            [
                "frames",
                "faces (px)",
                "app found",
                "recipe found",
                "other boxes app / recipe",
                "app s",
                "recipe s",
                "app ÷ recipe",
            ],
            [
                [
                    r["frames"],
                    f"{r['faces']} ({r['face_px'][0]}-{r['face_px'][1]})",
                    r["app"],
                    r["recipe"],
                    f"{r['app_extra']} / {r['recipe_extra']}",
                    f"{r['app_s']:g}",
                    f"{r['recipe_s']:g}",
                    f"{r['ratio']:.2f}×" if r["ratio"] else "",
                ]
                for r in rows
            ],
        )
    kiosk = results.get("kiosk")
    if kiosk:
        parts = kiosk["parts_ms"]
        out += ["", "## Kiosk fast path (p50, ms)", ""]
        out += _table(
            [
                "frame",
                "asks for faces ≥",
                "HTTP check-in",
                "recipe",
                "decode",
                "detection",
                "landmarks + encoding",
                "sum of parts",
            ],
            [
                [
                    kiosk["frame"],
                    f"{kiosk['min_face_px']} px",
                    kiosk["http_p50_ms"],
                    kiosk["recipe_p50_ms"],
                    parts["decode"],
                    parts["detection"],
                    parts["landmarks_encoding"],
                    kiosk["parts_sum_ms"],
                ]
            ],
        )
    photo = results.get("class_photo")
    if photo:
        out += ["", "## Class photo (median wall time; the task's face work vs the recipe)", ""]
        out += _table(
            [
                "photo",
                "app found (boxes)",
                "recipe found (boxes)",
                "app named",
                "recipe named",
                "app s",
                "recipe s",
                "app ÷ recipe",
                "peak MiB",
            ],
            [
                [
                    photo["photo"],
                    f"{photo['app_found']} ({photo['app_boxes']})",
                    f"{photo['recipe_found']} ({photo['recipe_boxes']})",
                    photo["app_named"],
                    photo["recipe_named"],
                    photo["app_s"],
                    photo["recipe_s"],
                    f"{photo['ratio']:.2f}×",
                    photo["peak_mib"],
                ]
            ],
        )
    return out


def markdown(results: dict) -> str:
    m, ctx = results["machine"], results["context"]
    out = [
        "# Benchmark results",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB RAM, {m['os']}, "
        f"Python {m['python']}. Mode: {results['mode']}; run took "
        f"{results['duration_s'] / 60:.1f} min; load average {ctx['load_before']} before, "
        f"{ctx['load_after']} after (other work on the machine shows up as noise).",
        f"Database: {ctx['database']}; web: gunicorn, {ctx['gunicorn_workers']} sync workers, "
        f"DEBUG=false, check-in rate limits off (the kiosks below post back to back); face "
        f"settings: {ctx['face_config']}.",
        "",
        "## Targets",
        "",
    ]
    out += _table(
        ["target", "measured", "met"],
        [[t["target"], t["measured"], _yes(t["met"])] for t in results["targets"]],
    )
    out += _roll_call_sections(results)
    reps = results["checkin"][0]["http"]["n"] if results["checkin"] else 0
    out += [
        "",
        f"## Check-in latency (ms, p50 / p95 of {reps} runs each, same frames, same run)",
        "",
        "HTTP: `POST /api/sessions/{id}/checkin/` with the kiosk token, through gunicorn, one "
        "request at a time. Pipeline: the app's `load_image` + `find_faces` + `identify` in "
        "one process, no HTTP. Recipe: `face_recognition.load_image_file` + `face_locations` "
        "(upsample 1) + `face_encodings` + nearest known encoding ≤ 0.6. Web overhead = HTTP "
        "p50 − pipeline p50, and in brackets the median of the differences of back-to-back "
        "pairs (what the target is judged on: the machine's changing load disturbs it less).",
        "",
    ]
    out += _table(
        [
            "frame",
            "HTTP check-in",
            "pipeline",
            "recipe",
            "check-in ÷ recipe",
            "web overhead",
            "check-in found",
            "recipe found",
            "same",
        ],
        [
            [
                r["frame"],
                _p(r["http"]),
                _p(r["pipeline"]),
                _p(r["recipe"]),
                f"{r['ratio_http_to_recipe']:.2f}×" if r["ratio_http_to_recipe"] else "—",
                f"{r['web_overhead_ms']:g} ({r['web_overhead_paired_ms']:g})"
                if r["web_overhead_ms"] is not None
                else "—",
                _names(r["app_names"]),
                _names(r["recipe_names"]),
                _yes(r["same_identities"]),
            ]
            for r in results["checkin"]
        ],
    )
    errors = [e for r in results["checkin"] for e in r["errors"]]
    if errors:
        out += ["", f"Check-in errors: {len(errors)}, e.g. {errors[0]}"]
    out += _encoder_section(results)
    if results.get("detector"):
        out += ["", "## Detector settings (pipeline alone, same frames)", ""]
        out += _table(
            ["settings", "smallest face", "frame", "found", "as expected", "p50 ms"],
            [
                [
                    r["settings"],
                    f"{r['min_detect_px']} px",
                    r["frame"],
                    _names(r["names"]),
                    _yes(r["as_expected"]),
                    f"{r['p50_ms']:g}",
                ]
                for r in results["detector"]
            ],
        )
    out += [
        "",
        "## Concurrent kiosks (853x480 frames, back to back)",
        "",
        "Each kiosk is a thread posting the same frame to the same session as soon as the "
        "previous answer came. Server CPU: the CPU time the gunicorn workers used over the "
        "wall time; below the machine's cores, other work on the machine took the rest.",
        "",
    ]
    out += _table(
        [
            "kiosks",
            "seconds",
            "check-ins",
            "check-ins/s",
            "p50 ms",
            "p95 ms",
            "errors",
            "server CPU (cores)",
            "check-ins per server CPU-second",
        ],
        [
            [
                r["kiosks"],
                r["seconds"],
                r["check_ins"],
                r["per_second"],
                r["p50_ms"],
                r["p95_ms"],
                r["errors"],
                r["server_cores"],
                r["per_core_second"],
            ]
            for r in results["concurrency"]
        ],
    )
    out += [
        "",
        "## Enrollment (the encode task, `people.tasks.encode_photo.apply`, in-process)",
        "",
        "Phone photos: sample faces upscaled to 12 MP and stored sideways or upside down with "
        "an EXIF orientation tag, as phones save portraits. Recipe: `load_image_file` + "
        "`face_locations` + `face_encodings` on the same files.",
        "",
    ]
    out += _table(
        [
            "photos",
            "count",
            "MP",
            "task photos/s",
            "task: ready",
            "recipe photos/s",
            "recipe: one face found",
            "speed-up",
        ],
        [
            [
                r["photos"],
                r["count"],
                r["megapixels"],
                r["app_photos_per_s"],
                r["app_ready"],
                r["recipe_photos_per_s"],
                r["recipe_one_face"],
                f"{r['speedup']:g}×",
            ]
            for r in results["enrollment"]
        ],
    )
    space = results["encoding_space"]
    measured = space["measured_on_samples"]
    out += [
        "",
        "## Training (5 encodings a person)",
        "",
        f"Synthetic encodings: the {measured['photos']} sample photos' encodings have norm "
        f"{measured['norm']}, a common mean vector of norm {measured['mean_vector_norm']}, "
        f"{measured['within_distance']} between two photos of one person and "
        f"{measured['between_distance']} between two people. A synthetic person is that mean "
        f"+ N(0, {space['between_sd_per_dimension']}²) per dimension, a photo is its person + "
        f"N(0, {space['within_sd_per_dimension']}²); measured on 200 synthetic people: norm "
        f"{space['synthetic']['norm']}, within {space['synthetic']['within_distance']}, "
        f"between {space['synthetic']['between_distance']}.",
        "",
    ]
    out += _table(
        ["people", "encodings", "what", "seconds (median)", "runs", "note"],
        [
            [
                f"{r['people']:,}",
                f"{r['encodings']:,}",
                f"`{r['how']}`",
                r["train_s"] if r["train_s"] is not None else "—",
                r.get("n", ""),
                r.get("note", ""),
            ]
            for r in results["training"]
        ],
    )
    if results.get("training_growth"):
        g = results["training_growth"]
        out += [
            "",
            f"Training time grows as people^{g['exponent']} here; extrapolated: "
            + ", ".join(f"{n:,} people ≈ {s:,.0f} s" for n, s in g["extrapolated"].items())
            + ".",
        ]
    school = results.get("school")
    if school:
        out += ["", "## One new photo in a school", ""]
        out += _table(
            [
                "students",
                "courses",
                "encodings",
                "student's courses (sizes)",
                "courses retrained",
                "trainings",
                "only theirs",
                "encode s",
                "training s (each)",
                "total s",
            ],
            [
                [
                    f"{school['students']:,}",
                    school["courses"],
                    f"{school['encodings']:,}",
                    f"{school['student_courses']} ({_joined(school['student_course_sizes'])})",
                    school["courses_retrained"],
                    school["trainings_run"],
                    _yes(school["only_their_courses"]),
                    school["encode_s"],
                    f"{school['training_s']} ({', '.join(map(str, school['per_training_s']))})",
                    school["total_s"],
                ]
            ],
        )
        out += [
            "",
            "`people.services.add_photo` with tasks in-process: the encode task, then one "
            "`run_requested_training` task per course of that student (each reads the roster's "
            "encodings, trains and stores the model). With a worker these run in the background.",
        ]
    out += ["", "## Identification (one face, `classifier.identify`)", ""]
    out += _table(
        [
            "people",
            "encodings",
            "model",
            "p50 ms",
            "p95 ms",
            "known identified",
            "strangers unknown",
        ],
        [
            [
                f"{r['people']:,}",
                f"{r['encodings']:,}",
                r["model"],
                r["p50_ms"],
                r["p95_ms"],
                f"{r['known_identified']:.0%}",
                f"{r['strangers_unknown']:.0%}",
            ]
            for r in results["identify"]
        ],
    )
    out += [
        "",
        '"arrays, centroid rows": `train()` is too slow at that size (see Training), so the '
        "model's arrays are built directly with the shapes `train()` gives, the SVM rows being "
        "nearest-centroid rows (w = centre, b = −|centre|²/2): identify() does the same work.",
        "",
        "## Memory (VmRSS after warm-up)",
        "",
    ]
    out += _table(
        ["process", "RSS MiB", "detail"],
        [
            [r["process"], r["rss_mib"] if r["rss_mib"] is not None else "—", r["detail"]]
            for r in results["memory"]
        ],
    )
    if "liveness" in results:  # issue 12
        from bench import liveness

        out += ["", *liveness.markdown(results["liveness"])]
    return "\n".join(out) + "\n"
