"""After the run: the database compared with what the kiosks were told, and the photos."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from deploy.cluster.kiosks import MARKING, Outcome, told_known, told_marked

MISSING_FILE = "missing from storage"
FINISHED = ("ready", "needs_review", "rejected")


@dataclass
class Findings:
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    figures: dict = field(default_factory=dict)

    def fail(self, message: str) -> None:
        self.failures.append(message)


def storage_missing(photos: list[dict]) -> list[dict]:
    """Photos the worker host could not read: the media is not shared between hosts."""
    return [p for p in photos if MISSING_FILE in (p.get("rejection_reason") or "")]


def compare_marks(
    findings: Findings, outcomes: list[Outcome], records: list[tuple], *, expect_marks: bool
) -> None:
    """records: (person id, status, method) of the session's rows in the database;
    `expect_marks`: a classifier was trained, so the kiosks' students must be recognised."""
    per_person = Counter(person for person, _, _ in records)
    stored = {person: status for person, status, _ in records}
    told = told_marked(outcomes)
    first_told = {}
    for outcome in sorted(outcomes, key=lambda o: o.started):
        for person, said in outcome.faces:
            if person and said in MARKING:
                first_told.setdefault(person, said)
    lost = sorted(p for p in told_known(outcomes) if p not in stored)
    duplicated_rows = sorted(p for p, n in per_person.items() if n > 1)
    told_twice = sorted(p for p, n in told.items() if n > 1)
    changed = sorted(p for p, said in first_told.items() if p in stored and stored[p] != said)
    unannounced = sorted(p for p in stored if p not in told_known(outcomes))
    findings.figures.update(
        marks_in_database=len(records),
        people_told_marked=len(first_told),
        marks_lost=len(lost),
        marks_duplicated=len(duplicated_rows) + len(told_twice),
    )
    if expect_marks and not first_told:
        findings.fail("no kiosk was told a student is marked: nobody was recognised")
    if lost:
        findings.fail(f"marks lost: kiosks were told people {lost} are marked; no record")
    if duplicated_rows:
        findings.fail(f"marks duplicated in the database for people {duplicated_rows}")
    if told_twice:
        findings.fail(f"kiosks were told twice that people {told_twice} were newly marked")
    if changed:
        findings.fail(f"stored status differs from the answer for people {changed}")
    if unannounced:
        findings.notes.append(
            f"marked in the database without a kiosk hearing it (answer lost): {unannounced}"
        )


def check_photos(
    findings: Findings, photos: list[dict], killed: list[int], attempts: dict[int, int]
) -> None:
    """attempts: photo id -> how many times a worker claimed it."""
    states = Counter(p["status"] for p in photos)
    findings.figures["photos"] = dict(states)
    unfinished = [p["id"] for p in photos if p["status"] not in FINISHED]
    rejected = [(p["id"], p["rejection_reason"]) for p in photos if p["status"] == "rejected"]
    missing = storage_missing(photos)
    if missing:
        findings.fail(
            f"SHARED STORAGE MISSING: the worker host could not open {len(missing)} of "
            f"{len(photos)} photos stored by the web hosts ('{missing[0]['rejection_reason']}'). "
            "This build keeps media in each host's local MEDIA_ROOT: MEDIA_STORAGE=s3 "
            "(object storage) is needed for several hosts."
        )
    elif rejected:
        findings.fail(f"photos rejected: {rejected}")
    if unfinished:
        findings.fail(f"photos never finished (still pending/processing): {unfinished}")
    for photo in photos:
        if photo["id"] in killed and photo["status"] in FINISHED:
            findings.notes.append(
                f"photo {photo['id']}, encoding when its worker was killed, ended "
                f"{photo['status']} after {attempts.get(photo['id'])} claims"
            )
