"""Fixtures for API tests: clients per role, and courses enrolled from the sample faces."""

import csv
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from rest_framework.test import APIClient

from attendance.models import AttendanceSession
from people.models import Course, EnrollmentPhoto, Person
from people.training import train_course_now
from recognition import encoding, faces

ENROLLED = ["alex_lacamoire", "biden", "kit_harington", "obama", "rose_leslie"]


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def teacher_api(teacher) -> APIClient:
    return client_for(teacher)


@pytest.fixture
def other_teacher_api(other_teacher) -> APIClient:
    return client_for(other_teacher)


@pytest.fixture(scope="session")
def manifest(shared_faces) -> list[tuple[str, list[str]]]:
    with (shared_faces / "manifest.csv").open() as handle:
        return [(row["file"], row["expected_faces"].split(";")) for row in csv.DictReader(handle)]


@pytest.fixture(scope="session")
def sample_encodings(request, shared_faces) -> dict[str, list[tuple[str, faces.DetectedFace]]]:
    """Real dlib encodings of every enrollment photo, computed once per test run (with
    --face-stand-in, the recorded ones)."""
    encode = faces.encode_enrollment_photo
    if request.config.getoption("--face-stand-in"):
        from tests.fakes import FaceTable

        encode = FaceTable.load().encode_enrollment_photo
    return encode_samples(ENROLLED, shared_faces, encode)


def encode_samples(names, shared_faces, encode=faces.encode_enrollment_photo) -> dict:
    """Each named sample person's enrollment photos: (file name, detected face)."""
    return {
        name: [
            (path.name, encode(path)) for path in sorted((shared_faces / "enroll" / name).iterdir())
        ]
        for name in names
    }


def enroll_from_samples(course: Course, names, sample_encodings, shared_faces) -> dict[str, Person]:
    """People with ready photos made from real encodings, without running the encoder again."""
    people = {}
    for name in names:
        person, _ = Person.objects.get_or_create(
            external_id=name,
            defaults={
                "full_name": name.replace("_", " ").title(),
                "consent_recorded_on": timezone.localdate(),
            },
        )
        for filename, face in sample_encodings[name]:
            photo = EnrollmentPhoto(
                person=person,
                status=EnrollmentPhoto.Status.READY,
                encoding=encoding.pack(face.encoding),
                face_box=face.box.as_dict(),
                encoder=faces.FaceConfig.from_settings().encoder_name,
            )
            data = (shared_faces / "enroll" / name / filename).read_bytes()
            photo.image.save(filename, ContentFile(data), save=True)
        course.roster.add(person)
        people[name] = person
    train_course_now(course_id=course.pk)
    return people


def open_session_of(course: Course, **fields) -> AttendanceSession:
    now = timezone.now()
    return AttendanceSession.objects.create(
        course=course,
        starts_at=fields.pop("starts_at", now - timedelta(minutes=1)),
        ends_at=now + timedelta(hours=1),
        **{"opened_at": now, **fields},
    )
