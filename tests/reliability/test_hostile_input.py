"""Hostile and odd input through the photo upload and the check-in endpoints.

Every answer is a 4xx with a sentence saying what is wrong, or (uploads) a 202 whose photo
ends ready or rejected with a reason; never a 500, and nothing half saved: a refused upload
leaves no row and no file, an accepted one exactly one row with its one file.
Photo encoding runs in-process (eager Celery) from the upload's on-commit callback.
"""

import base64
from dataclasses import dataclass

import pytest

from attendance.models import AttendanceRecord
from people.models import EnrollmentPhoto
from tests.reliability.conftest import human_message, stored_files
from tests.reliability.odd_files import BUILDERS, jpeg


@dataclass(frozen=True)
class Refused:
    """Answered at once with this 4xx and a message containing `text`."""

    status: int
    text: str


@dataclass(frozen=True)
class Rejected:
    """Upload: 202, then the photo is rejected with a reason containing `text`."""

    text: str


class Accepted:
    """Upload: 202 and the photo ends ready. Check-in: the face is identified."""


class NoFace:
    """Check-in: 200 and an empty list of faces (nothing to mark)."""


UNREADABLE = "could not be read"
TOO_LARGE = "too large"

UPLOADS = {
    "empty_file": Refused(400, "empty"),
    "text_named_jpg": Refused(400, UNREADABLE),
    "truncated_jpeg": Rejected(UNREADABLE),
    "png_with_alpha": Accepted(),
    "grayscale_jpeg": Accepted(),
    "cmyk_jpeg": Accepted(),
    "png_16bit_gray": Accepted(),
    "png_16bit_rgb": Accepted(),
    "animated_gif": Accepted(),
    "webp": Accepted(),
    "heic": Refused(400, UNREADABLE),
    "svg": Refused(400, UNREADABLE),
    "pdf": Refused(400, UNREADABLE),
    "fifty_megabytes": Refused(413, TOO_LARGE),  # from Content-Length, before reading
    "decompression_bomb": Refused(400, TOO_LARGE),
    "one_pixel": Rejected("no face"),
    "jpeg_sent_as_text_plain": Accepted(),
    "jpeg_sent_as_json": Accepted(),
    "text_sent_as_image_jpeg": Refused(400, UNREADABLE),
}

CHECK_INS = {
    "empty_file": Refused(400, "empty"),
    "text_named_jpg": Refused(400, UNREADABLE),
    "truncated_jpeg": Refused(400, UNREADABLE),
    "png_with_alpha": Accepted(),
    "grayscale_jpeg": Accepted(),
    "cmyk_jpeg": Accepted(),
    "png_16bit_gray": Accepted(),
    "png_16bit_rgb": Accepted(),
    "animated_gif": Accepted(),
    "webp": Accepted(),
    "heic": Refused(400, UNREADABLE),
    "svg": Refused(400, UNREADABLE),
    "pdf": Refused(400, UNREADABLE),
    "fifty_megabytes": Refused(413, TOO_LARGE),  # from Content-Length, before reading
    "decompression_bomb": Refused(400, TOO_LARGE),
    "one_pixel": NoFace(),
    "jpeg_sent_as_text_plain": Accepted(),
    "jpeg_sent_as_json": Accepted(),
    "text_sent_as_image_jpeg": Refused(400, UNREADABLE),
}


def test_both_tables_cover_every_odd_file():
    assert set(UPLOADS) == set(BUILDERS) == set(CHECK_INS)


# -------------------------------------------------------------------------------------
# Enrollment photo upload


def upload_url(person_id) -> str:
    return f"/api/people/{person_id}/photos/"


@pytest.mark.parametrize("case", list(UPLOADS))
def test_photo_upload_of(
    case, db, django_capture_on_commit_callbacks, teacher_api, person, media_root
):
    expected = UPLOADS[case]
    upload = BUILDERS[case]()
    files_before = stored_files(media_root)

    with django_capture_on_commit_callbacks(execute=True):  # queues (and runs) the encoding
        response = teacher_api.post(upload_url(person.pk), {"image": upload.as_file()})

    assert response.status_code < 500, response.content[:300]
    if isinstance(expected, Refused):
        assert response.status_code == expected.status, response.content[:300]
        assert expected.text in human_message(response).lower()
        assert not EnrollmentPhoto.objects.exists()
        assert stored_files(media_root) == files_before
        return

    assert response.status_code == 202, response.content[:300]
    photo = EnrollmentPhoto.objects.get()
    assert response.json()["id"] == photo.pk
    new_files = sorted(set(stored_files(media_root)) - set(files_before))
    assert new_files == [photo.image.name], "one photo row, with exactly its one file"
    assert photo.image.size == len(upload.data)
    detail = teacher_api.get(f"/api/photos/{photo.pk}/")
    assert detail.status_code == 200
    if isinstance(expected, Accepted):
        assert photo.status == "ready", photo.rejection_reason
        assert len(bytes(photo.encoding)) == 128 * 4 and photo.face_box
        assert detail.json()["status"] == "ready"
    else:
        assert photo.status == "rejected"
        assert photo.encoding is None
        assert expected.text in photo.rejection_reason.lower()
        assert detail.json()["rejection_reason"] == photo.rejection_reason
        assert human_message(detail) == photo.rejection_reason


def _multipart_without_image(api, url):
    return api.post(url, {"note": "the photo is attached"}, format="multipart")


def _json_with_base64_image(api, url):
    payload = {"image": base64.b64encode(jpeg()).decode()}
    return api.post(url, payload, format="json")


def _image_as_a_plain_form_field(api, url):
    return api.post(url, {"image": "obama.jpg"}, format="multipart")


def _raw_jpeg_body(api, url):
    return api.post(url, jpeg(), content_type="image/jpeg")


def _plain_text_body(api, url):
    return api.post(url, "image=obama.jpg", content_type="text/plain")


REQUESTS = {
    "missing_field": (_multipart_without_image, 400, "image"),
    "json_instead_of_multipart": (_json_with_base64_image, 400, "image"),
    "image_as_a_form_field": (_image_as_a_plain_form_field, 400, "image"),
    "raw_jpeg_body": (_raw_jpeg_body, 415, "unsupported media type"),
    "plain_text_body": (_plain_text_body, 415, "unsupported media type"),
}


@pytest.mark.parametrize("case", list(REQUESTS))
def test_photo_upload_request(
    case, db, django_capture_on_commit_callbacks, teacher_api, person, media_root
):
    send, status, text = REQUESTS[case]
    files_before = stored_files(media_root)
    with django_capture_on_commit_callbacks(execute=True):
        response = send(teacher_api, upload_url(person.pk))
    assert response.status_code == status, response.content[:300]
    assert text in human_message(response).lower()
    assert not EnrollmentPhoto.objects.exists()
    assert stored_files(media_root) == files_before


def test_photo_upload_for_a_person_that_does_not_exist(db, teacher_api, person, media_root):
    files_before = stored_files(media_root)
    response = teacher_api.post(
        upload_url(person.pk + 1000), {"image": BUILDERS["webp"]().as_file()}
    )
    assert response.status_code == 404
    assert human_message(response)
    assert not EnrollmentPhoto.objects.exists()
    assert stored_files(media_root) == files_before


# -------------------------------------------------------------------------------------
# Check-in


def checkin_url(session_id) -> str:
    return f"/api/sessions/{session_id}/checkin/"


@pytest.mark.parametrize("case", list(CHECK_INS))
def test_check_in_of(case, db, teacher_api, open_session, media_root):
    expected = CHECK_INS[case]
    upload = BUILDERS[case]()
    files_before = stored_files(media_root)

    response = teacher_api.post(checkin_url(open_session.pk), {"image": upload.as_file()})

    assert response.status_code < 500, response.content[:300]
    assert stored_files(media_root) == files_before, "a check-in snapshot is never stored"
    records = AttendanceRecord.objects.filter(session=open_session)
    if isinstance(expected, Refused):
        assert response.status_code == expected.status, response.content[:300]
        assert expected.text in human_message(response).lower()
        assert not records.exists()
        return
    assert response.status_code == 200, response.content[:300]
    faces = response.json()["faces"]
    if isinstance(expected, NoFace):
        assert faces == []
        assert not records.exists()
        return
    assert [(face["person"] or {}).get("full_name") for face in faces] == ["Obama"], faces
    assert faces[0]["outcome"] == "present"
    assert records.get().person.full_name == "Obama"


@pytest.mark.parametrize("case", list(REQUESTS))
def test_check_in_request(case, db, teacher_api, open_session, media_root):
    send, status, text = REQUESTS[case]
    files_before = stored_files(media_root)
    response = send(teacher_api, checkin_url(open_session.pk))
    assert response.status_code == status, response.content[:300]
    assert text in human_message(response).lower()
    assert not AttendanceRecord.objects.exists()
    assert stored_files(media_root) == files_before


def test_check_in_to_a_session_that_does_not_exist(db, teacher_api, open_session):
    response = teacher_api.post(
        checkin_url(open_session.pk + 1000), {"image": BUILDERS["webp"]().as_file()}
    )
    assert response.status_code == 404
    assert human_message(response)
    assert not AttendanceRecord.objects.exists()
