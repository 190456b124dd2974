"""Acceptance: enroll the five sample people through the API, then check in every probe."""

import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from tests.api.conftest import ENROLLED


def upload(api, person_id: int, path: Path):
    with path.open("rb") as handle:
        return api.post(f"/api/people/{person_id}/photos/", {"image": handle}, format="multipart")


def enroll_through_the_api(api, shared_faces) -> tuple[int, dict[int, str]]:
    course = api.post("/api/courses/", {"name": "Year 9 History"}, format="json").json()
    names = {}
    for name in ENROLLED:
        person = api.post(
            "/api/people/",
            {
                "full_name": name.replace("_", " ").title(),
                "external_id": name,
                "consent_recorded_on": "2026-09-01",
            },
            format="json",
        ).json()
        names[person["id"]] = name
    response = api.patch(f"/api/courses/{course['id']}/", {"roster": list(names)}, format="json")
    assert response.status_code == 200, response.content
    for person_id, name in names.items():
        for path in sorted((shared_faces / "enroll" / name).iterdir()):
            response = upload(api, person_id, path)
            assert response.status_code == 202, response.content
            assert response.json()["status"] in ("pending", "processing", "ready")
    return course["id"], names


def wait_until_trained(api, course_id: int, photo_count: int, timeout: float = 120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        photos = api.get("/api/photos/").json()["results"]
        settled = [p for p in photos if p["status"] in ("ready", "rejected")]
        classifier = api.get(f"/api/courses/{course_id}/classifier/").json()
        if (
            len(settled) == photo_count
            and classifier["photos_count"] == photo_count
            and classifier["training_requested_at"] is None
        ):
            assert all(p["status"] == "ready" for p in photos), photos
            return classifier
        time.sleep(0.5)
    raise AssertionError(f"not trained in {timeout} s: {photos} {classifier}")


def check_in_every_probe(api, course_id, names, shared_faces, manifest):
    now = timezone.now()
    session = api.post(
        "/api/sessions/",
        {
            "course": course_id,
            "starts_at": (now - timedelta(minutes=1)).isoformat(),
            "ends_at": (now + timedelta(hours=1)).isoformat(),
        },
        format="json",
    ).json()
    assert api.post(f"/api/sessions/{session['id']}/open/").status_code == 200
    for filename, expected in manifest:
        with (shared_faces / filename).open("rb") as handle:
            response = api.post(
                f"/api/sessions/{session['id']}/checkin/", {"image": handle}, format="multipart"
            )
        assert response.status_code == 200, (filename, response.content)
        found = sorted(
            names[face["person"]["id"]] if face["person"] else "unknown"
            for face in response.json()["faces"]
        )
        assert found == sorted(expected), filename
        for face in response.json()["faces"]:
            assert (face["person"] is None) == (face["outcome"] == "unknown")


def test_enrolled_people_are_identified_and_strangers_are_unknown_in_process(
    transactional_db, teacher_api, shared_faces, manifest
):
    course_id, names = enroll_through_the_api(teacher_api, shared_faces)
    classifier = wait_until_trained(teacher_api, course_id, photo_count=9, timeout=10)
    assert classifier["people_count"] == 5
    check_in_every_probe(teacher_api, course_id, names, shared_faces, manifest)


@pytest.mark.worker
def test_the_same_journey_through_a_real_worker_over_redis(
    real_worker, teacher_api, shared_faces, manifest
):
    course_id, names = enroll_through_the_api(teacher_api, shared_faces)
    classifier = wait_until_trained(teacher_api, course_id, photo_count=9)
    assert classifier["people_count"] == 5
    check_in_every_probe(teacher_api, course_id, names, shared_faces, manifest)
