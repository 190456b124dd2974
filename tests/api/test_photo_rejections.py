"""Each rejection reason a teacher can get, through the upload endpoint (encoding in-process)."""

import io

import pytest
from django.test import override_settings
from PIL import Image

from tests.factories import PersonFactory

pytestmark = pytest.mark.usefixtures("transactional_db")


@pytest.fixture
def person(teacher):
    return PersonFactory(created_by=teacher)


def jpeg_bytes(image: Image.Image, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90, **options)
    return buffer.getvalue()


def upload_bytes(api, person, data: bytes, name: str = "photo.jpg"):
    handle = io.BytesIO(data)
    handle.name = name
    return api.post(f"/api/people/{person.pk}/photos/", {"image": handle}, format="multipart")


def photo_after_upload(api, person, data: bytes, name: str = "photo.jpg") -> dict:
    response = upload_bytes(api, person, data, name)
    assert response.status_code == 202, response.content
    return api.get(f"/api/photos/{response.json()['id']}/").json()


def test_a_photo_without_a_face_is_rejected_with_a_reason(teacher_api, person):
    blank = Image.linear_gradient("L").resize((640, 480)).convert("RGB")
    photo = photo_after_upload(teacher_api, person, jpeg_bytes(blank))
    assert photo["status"] == "rejected"
    assert "No face" in photo["rejection_reason"]


def test_a_photo_with_two_faces_is_rejected(teacher_api, person, shared_faces):
    data = (shared_faces / "probe" / "two_people.jpg").read_bytes()
    photo = photo_after_upload(teacher_api, person, data)
    assert photo["status"] == "rejected"
    assert "faces" in photo["rejection_reason"].lower()


@pytest.mark.real_faces
def test_a_photo_whose_face_is_tiny_is_rejected(
    teacher_api, person, shared_faces, sample_encodings
):
    face_width = sample_encodings["obama"][0][1].box.width  # obama.jpg
    with Image.open(shared_faces / "enroll" / "obama" / "obama.jpg") as image:
        scale = 60 / face_width  # a 60 px face: found, but too small to encode well
        small = image.convert("RGB").resize(
            (round(image.width * scale), round(image.height * scale))
        )
    photo = photo_after_upload(teacher_api, person, jpeg_bytes(small))
    assert photo["status"] == "rejected"
    assert "small" in photo["rejection_reason"].lower()


def test_a_file_that_is_not_an_image_is_refused_at_once(teacher_api, person):
    response = upload_bytes(teacher_api, person, b"these are not pixels\n" * 20, "face.jpg")
    assert response.status_code == 400
    assert "could not be read" in str(response.json())
    assert not person.photos.exists()


def test_a_truncated_jpeg_is_rejected(teacher_api, person, shared_faces):
    data = (shared_faces / "enroll" / "obama" / "obama.jpg").read_bytes()
    photo = photo_after_upload(teacher_api, person, data[: len(data) // 2])
    assert photo["status"] == "rejected"
    assert photo["rejection_reason"]


def test_an_image_with_too_many_pixels_is_refused_without_decoding_it(teacher_api, person):
    bomb = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(bomb, "PNG")  # 144 MP in a few kB
    assert len(bomb.getvalue()) < 100_000
    response = upload_bytes(teacher_api, person, bomb.getvalue(), "bomb.png")
    assert response.status_code == 400
    assert "too large" in str(response.json()).lower()
    assert not person.photos.exists()


@pytest.mark.real_faces
def test_an_exif_rotated_phone_photo_is_accepted(teacher_api, person, shared_faces):
    with Image.open(shared_faces / "enroll" / "obama" / "obama.jpg") as image:
        upright = image.convert("RGB")
    # Stored sideways, as a phone does, with the tag that tells viewers to turn it back.
    sideways = upright.transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to display
    photo = photo_after_upload(teacher_api, person, jpeg_bytes(sideways, exif=exif.tobytes()))
    assert photo["status"] == "ready", photo["rejection_reason"]
    box = photo["face_box"]
    assert box["bottom"] > box["top"] and box["right"] > box["left"]


def test_an_empty_upload_is_refused_and_nothing_is_saved(teacher_api, person):
    response = upload_bytes(teacher_api, person, b"", "empty.jpg")
    assert response.status_code == 400
    assert person.photos.count() == 0


def test_a_missing_image_field_is_refused_with_its_name(teacher_api, person):
    response = teacher_api.post(f"/api/people/{person.pk}/photos/", {}, format="multipart")
    assert response.status_code == 400
    assert "image" in response.json()


@override_settings(MAX_UPLOAD_BYTES=10_000)
def test_an_upload_over_the_size_limit_is_refused(teacher_api, person, shared_faces):
    data = (shared_faces / "enroll" / "obama" / "obama.jpg").read_bytes()
    response = upload_bytes(teacher_api, person, data)
    assert response.status_code == 400
    assert "too large" in response.json()["image"][0]
    assert person.photos.count() == 0


def test_photos_are_refused_until_consent_is_recorded(teacher, teacher_api, shared_faces):
    person = PersonFactory(created_by=teacher, consent_recorded_on=None)
    data = (shared_faces / "enroll" / "obama" / "obama.jpg").read_bytes()
    response = upload_bytes(teacher_api, person, data)
    assert response.status_code == 400
    assert "consent" in response.json()["image"][0]
    assert person.photos.count() == 0


def test_a_photo_for_a_student_deleted_meanwhile_is_refused_not_a_server_error(
    person, shared_faces
):
    """The request looked the student up, then another request deleted them: the photo is
    refused with a reason, nothing is stored, instead of a foreign-key error at commit."""
    from django.core.files.base import ContentFile

    from people.models import EnrollmentPhoto, Person
    from people.services import UploadRefused, add_photo

    looked_up = Person.objects.get(pk=person.pk)
    Person.objects.filter(pk=person.pk).delete()
    data = (shared_faces / "enroll" / "obama" / "obama.jpg").read_bytes()
    with pytest.raises(UploadRefused, match="has been removed"):
        add_photo(person=looked_up, upload=ContentFile(data, name="obama.jpg"))
    assert not EnrollmentPhoto.objects.exists()
