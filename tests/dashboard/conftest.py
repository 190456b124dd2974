"""Fixtures of the dashboard tests: a teacher's course with students, photos and a session,
and another teacher who must see none of it."""

import io
import re

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from people.models import EnrollmentPhoto
from tests.factories import CourseFactory, PersonFactory, SessionFactory


def png_bytes(size=(8, 8), color=(200, 120, 80)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def rendered_rows(html: str) -> dict[int, dict]:
    """Each row of the poll's rendered rows: its status and its change note."""
    found = re.finditer(
        r'data-person="(\d+)" data-status="(\w*)".*?data-cell="note">(.*?)</td>', html, re.S
    )
    return {int(m[1]): {"status": m[2], "note": m[3]} for m in found}


@pytest.fixture
def ada(db):
    return PersonFactory(full_name="Ada Lovelace", external_id="S001", consent_recorded_on=None)


@pytest.fixture
def alan(db):
    return PersonFactory(full_name="Alan Turing", external_id="S002")


@pytest.fixture
def course(teacher, ada, alan):
    return CourseFactory(name="Mathematics 1", teachers=[teacher], roster=[ada, alan])


@pytest.fixture
def photo(ada):
    """A stored photo row without running the encoder: enough for pages and permissions."""
    row = EnrollmentPhoto(person=ada, status=EnrollmentPhoto.Status.REJECTED)
    row.rejection_reason = "No face was found in this photo."
    row.image.save("ada.png", ContentFile(png_bytes()), save=True)
    return row


@pytest.fixture
def session(course):
    return SessionFactory(course=course, title="Monday")


@pytest.fixture
def teacher_client(client, teacher):
    client.force_login(teacher)
    return client


@pytest.fixture
def other_client(client, other_teacher):
    client.force_login(other_teacher)
    return client
