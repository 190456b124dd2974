"""POST /api/courses/{id}/photo-import/: a ZIP of photos named by student number -> a job.

Real photos of the sample faces, encoded by the real dlib pipeline in the background task.
"""

import io
import os
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from people.models import EnrollmentPhoto, PhotoImportJob
from tests.factories import CourseFactory, PersonFactory


def make_zip(files: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def post(api, course, data: bytes):
    upload = SimpleUploadedFile("photos.zip", data, content_type="application/zip")
    return api.post(f"/api/courses/{course.pk}/photo-import/", {"file": upload}, format="multipart")


def face(shared_faces, name: str, index: int = 0) -> bytes:
    return sorted((shared_faces / "enroll" / name).iterdir())[index].read_bytes()


def course_of(teacher, *numbers, consent=True):
    people = [
        PersonFactory(external_id=n, **({} if consent else {"consent_recorded_on": None}))
        for n in numbers
    ]
    return CourseFactory(teachers=[teacher], roster=people)


def test_files_and_folders_become_photos_in_the_background(
    teacher, teacher_api, shared_faces, django_capture_on_commit_callbacks
):
    course = course_of(teacher, "S1", "S2")
    archive = make_zip(
        {
            "S1.jpg": face(shared_faces, "obama"),
            "class/S2/first.jpg": face(shared_faces, "biden", 0),
            "class/S2/second.jpg": face(shared_faces, "biden", 1),
            "__MACOSX/._S1.jpg": b"junk",
        }
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = post(teacher_api, course, archive)
    assert response.status_code == 202, response.content
    job_id = response.json()["id"]
    assert response.json()["total"] == 3
    progress = teacher_api.get(f"/api/photo-imports/{job_id}/").json()
    assert progress["state"] == "done", progress
    assert progress["finished"] is True and progress["done"] == 3 and progress["ready"] == 3
    by_file = {f["file"]: f for f in progress["files"]}
    assert by_file["S1.jpg"]["external_id"] == "S1"
    assert by_file["class/S2/second.jpg"]["status"] == "ready"
    assert EnrollmentPhoto.objects.filter(person__external_id="S2").count() == 2
    assert not PhotoImportJob.objects.get(pk=job_id).archive  # the archive is not kept


def test_traversal_names_and_non_images_refuse_the_whole_archive(
    teacher, teacher_api, shared_faces, django_capture_on_commit_callbacks
):
    course = course_of(teacher, "S1")
    archive = make_zip(
        {
            "S1.jpg": face(shared_faces, "obama"),
            "../../etc/S1.jpg": face(shared_faces, "obama"),
            "/abs/S1.jpg": face(shared_faces, "obama"),
            "S1_notes.txt": b"hello",
            "S1_fake.jpg": b"this is not a jpeg",
            "S9.jpg": face(shared_faces, "biden"),
        }
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = post(teacher_api, course, archive)
    assert response.status_code == 400, response.content
    messages = response.json()["file"]
    assert "Nothing was imported: 5 of 6 files" in messages[0]
    text = "\n".join(messages)
    assert "../../etc/S1.jpg: the name points outside" in text
    assert "/abs/S1.jpg: the name points outside" in text
    assert "S1_notes.txt: not an image" in text
    assert "S1_fake.jpg: not a readable image" in text
    assert "S9.jpg: no student of this course" in text
    assert not EnrollmentPhoto.objects.exists() and not PhotoImportJob.objects.exists()


def test_students_without_consent_are_refused(teacher, teacher_api, shared_faces):
    course = course_of(teacher, "S1", consent=False)
    response = post(teacher_api, course, make_zip({"S1.jpg": face(shared_faces, "obama")}))
    assert response.status_code == 400
    assert "consent" in response.json()["file"][1]
    assert not EnrollmentPhoto.objects.exists()


def test_a_zip_bomb_is_refused(teacher, teacher_api):
    course = course_of(teacher, "S1")
    response = post(teacher_api, course, make_zip({"S1.jpg": bytes(10 * 1024 * 1024)}))
    assert response.status_code == 400
    assert "zip bomb" in response.json()["file"][1]


def test_a_huge_photo_and_a_huge_archive_are_refused(teacher, teacher_api, settings):
    course = course_of(teacher, "S1")
    settings.MAX_UPLOAD_BYTES = 2048
    big = make_zip({"S1.jpg": bytes(4096)}, compression=zipfile.ZIP_STORED)
    response = post(teacher_api, course, big)
    assert response.status_code == 400
    assert "too large" in response.json()["file"][1]
    settings.PHOTO_IMPORT_MAX_BYTES = 1024
    response = post(teacher_api, course, big)
    assert "The archive is too large" in response.json()["file"][0]


def test_a_file_that_is_not_a_zip_is_refused(teacher, teacher_api):
    course = course_of(teacher, "S1")
    response = post(teacher_api, course, b"PK\x03\x04 but not really a zip")
    assert response.status_code == 400
    assert response.json() == {
        "code": "archive_refused",
        "detail": "The file is not a ZIP archive.",
        "file": ["The file is not a ZIP archive."],
    }


def test_jobs_of_other_teachers_are_not_found(teacher, other_teacher, other_teacher_api):
    course = course_of(teacher, "S1")
    job = PhotoImportJob.objects.create(course=course, created_by=teacher)
    assert other_teacher_api.get(f"/api/photo-imports/{job.pk}/").status_code == 404


@pytest.mark.worker
def test_the_import_runs_in_a_real_worker_and_its_progress_can_be_polled(
    real_worker, teacher, teacher_api, shared_faces
):
    course = course_of(teacher, "S1", "S2")
    archive = make_zip(
        {
            "S1/a.jpg": face(shared_faces, "obama", 0),
            "S1/b.jpg": face(shared_faces, "obama", 1),
            "S2.jpg": face(shared_faces, "biden"),
        }
    )
    response = post(teacher_api, course, archive)
    assert response.status_code == 202, response.content
    assert response.json()["state"] == "queued" and response.json()["finished"] is False
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        progress = teacher_api.get(f"/api/photo-imports/{response.json()['id']}/").json()
        if progress["finished"]:
            break
        time.sleep(0.5)
    assert progress["state"] == "done" and progress["ready"] == 3, progress


def test_junk_entries_count_and_are_refused_from_the_end_record(
    teacher, teacher_api, shared_faces, settings, monkeypatch
):
    settings.PHOTO_IMPORT_MAX_FILES = 5  # at most 20 entries, folders and __MACOSX included
    course = course_of(teacher, "S1")
    junk = {f"__MACOSX/._{n}.jpg": b"" for n in range(40)}
    archive = make_zip({"S1.jpg": face(shared_faces, "obama"), **junk})

    def never_opened(*args, **kwargs):
        raise AssertionError("the central directory was read")

    monkeypatch.setattr(zipfile, "ZipFile", never_opened)
    response = post(teacher_api, course, archive)
    assert response.status_code == 400, response.content
    assert "too many entries (41" in response.json()["file"][0]
    assert not PhotoImportJob.objects.exists()


def test_a_photo_whose_header_declares_a_bomb_is_that_files_problem(teacher, teacher_api):
    from PIL import Image

    course = course_of(teacher, "S1", "S2")
    buffer = io.BytesIO()
    Image.new("1", (30_000, 30_000)).save(buffer, "PNG")
    strip = io.BytesIO()
    Image.new("RGB", (2000, 20)).save(strip, "PNG")
    response = post(
        teacher_api,
        course,
        make_zip(
            {"S1.png": buffer.getvalue(), "S2.png": strip.getvalue()},
            compression=zipfile.ZIP_STORED,
        ),
    )
    assert response.status_code == 400, response.content
    problems = response.json()["file"][1:]
    assert problems[0].startswith("S1.png: This photo is too large")
    assert problems[1].startswith("S2.png: This picture is 2000x20 pixels")


def test_photos_padded_after_their_end_are_stored_without_the_padding(
    teacher, teacher_api, shared_faces, django_capture_on_commit_callbacks
):
    course = course_of(teacher, "S1", "S2")
    photos = {"S1.jpg": face(shared_faces, "obama"), "S2.jpg": face(shared_faces, "biden")}
    padded = {name: data + os.urandom(len(data)) for name, data in photos.items()}
    with django_capture_on_commit_callbacks(execute=True):
        response = post(teacher_api, course, make_zip(padded))
    assert response.status_code == 202, response.content
    for photo in EnrollmentPhoto.objects.select_related("person"):
        assert photo.image.size == len(photos[f"{photo.person.external_id}.jpg"])
        assert photo.status == "ready"


def test_an_archive_that_unpacks_to_many_times_its_size_is_refused(
    teacher, teacher_api, shared_faces, settings
):
    course = course_of(teacher, "S1", "S2")
    photos = {"S1.jpg": face(shared_faces, "obama"), "S2.jpg": face(shared_faces, "biden")}
    padded = {name: data + bytes(30 * len(data)) for name, data in photos.items()}  # 30:1
    response = post(teacher_api, course, make_zip(padded))
    assert response.status_code == 400, response.content
    assert "unpack to" in response.json()["file"][0]
    settings.PHOTO_IMPORT_MAX_UNPACKED_BYTES = 1024  # the absolute limit, for plain photos
    response = post(teacher_api, course, make_zip(photos))
    assert response.status_code == 400 and "at most 0 MB" in response.json()["file"][0]
    assert not PhotoImportJob.objects.exists()
