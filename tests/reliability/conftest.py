"""Fixtures of the reliability tests: a teacher's API client, a person, an open session of a
course that knows one face, and helpers that say what a response or the storage holds."""

from pathlib import Path

import pytest
from rest_framework.test import APIClient

from tests.api.conftest import (  # noqa: F401 - fixtures re-exported for this folder
    enroll_from_samples,
    open_session_of,
    sample_encodings,
)
from tests.factories import CourseFactory, PersonFactory


@pytest.fixture(autouse=True)
def _no_check_in_rate_limits(settings):
    """Rate limiting has its own tests; here it would turn bursts and fuzzing into 429s (and
    its counters live in the shared cache, across tests)."""
    settings.CHECKIN_RATE_PER_CREDENTIAL = ""
    settings.CHECKIN_RATE_PER_ADDRESS = ""


@pytest.fixture
def teacher_api(teacher) -> APIClient:
    client = APIClient()
    client.force_authenticate(teacher)
    return client


@pytest.fixture
def person(teacher):
    return PersonFactory(created_by=teacher, full_name="Enrolling Student")


@pytest.fixture
def known_course(teacher, sample_encodings, shared_faces):  # noqa: F811
    """A course whose classifier knows Obama (the face of every odd file) and one other."""
    course = CourseFactory(teachers=[teacher], name="Civics")
    enroll_from_samples(course, ["obama", "alex_lacamoire"], sample_encodings, shared_faces)
    return course


@pytest.fixture
def open_session(known_course):
    return open_session_of(known_course)


def stored_files(media_root: Path) -> list[str]:
    return sorted(
        str(path.relative_to(media_root)) for path in media_root.rglob("*") if path.is_file()
    )


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def message_in(body) -> str | None:
    """The first sentence (a string with a space, 12 characters at least) of a JSON body."""
    return next((text for text in _strings(body) if len(text) >= 12 and " " in text), None)


def human_message(response) -> str:
    """The response is JSON and says in words what went wrong; returns that sentence."""
    content_type = response.headers.get("Content-Type", "")
    assert content_type.startswith("application/json"), (content_type, response.content[:200])
    message = message_in(response.json())
    assert message, f"no human-readable message in {response.json()!r}"
    return message
