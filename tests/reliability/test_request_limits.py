"""Request bodies: refused from Content-Length before a byte is
read, with a limit per endpoint; pathological JSON nesting answers 400, never 500."""

import io

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.reliability.odd_files import jpeg


class UnreadableBody(io.RawIOBase):
    """A request body that fails the test if anybody reads it."""

    def read(self, *args):
        raise AssertionError("the body was read before the size was checked")

    readline = read


def declared(size: int) -> dict:
    return {"CONTENT_LENGTH": str(size), "wsgi.input": UnreadableBody()}


GIGABYTE = 1_300_000_000


@pytest.mark.parametrize(
    "path",
    ["/api/auth/token/", "/api/people/1/photos/", "/api/sessions/1/checkin/", "/accounts/login/"],
)
def test_an_oversized_body_is_refused_from_its_content_length_without_reading_it(db, path):
    response = Client().post(
        path, content_type="multipart/form-data; boundary=x", **declared(GIGABYTE)
    )
    assert response.status_code == 413
    assert "too large" in response.content.decode().lower()


def test_the_limit_is_per_endpoint(db, teacher):
    three_mb = 3 * 1024 * 1024
    token = Client().post("/api/auth/token/", content_type="application/json", **declared(three_mb))
    assert token.status_code == 413
    assert token.json()["detail"].startswith("The request is too large")

    api = APIClient()
    api.force_authenticate(teacher)
    photo = io.BytesIO(jpeg() + bytes(three_mb))  # a real photo, 3 MB: an image endpoint
    photo.name = "face.jpg"
    response = api.post("/api/people/999/photos/", {"image": photo}, format="multipart")
    assert response.status_code == 404  # read and routed (no such person), not refused


def test_a_chunked_body_is_refused(db):
    response = Client().post(
        "/api/auth/token/",
        content_type="application/json",
        HTTP_TRANSFER_ENCODING="chunked",
        **declared(0),
    )
    assert response.status_code == 411


@pytest.mark.parametrize("path", ["/api/auth/token/", "/api/courses/", "/api/people/"])
def test_deeply_nested_json_answers_400(db, teacher, path):
    api = APIClient()
    if path != "/api/auth/token/":
        api.force_authenticate(teacher)
    response = api.post(path, "[" * 100_000, content_type="application/json")
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]


@pytest.mark.parametrize(
    "path",
    ["/courses/1/students/1/photos/", "/courses/1/photo-import/", "/admin/people/person/1/change/"],
)
def test_an_anonymous_upload_to_a_page_is_refused_before_the_csrf_check_reads_it(db, path):
    client = Client(enforce_csrf_checks=True)
    client.cookies["csrftoken"] = "x" * 32
    client.cookies["sessionid"] = "not-a-session"
    from attendance_site.body_limits import body_limit

    within_the_pages_limit = body_limit(path)  # what a signed-in teacher may send
    response = client.post(
        path, content_type="multipart/form-data; boundary=x", **declared(within_the_pages_limit)
    )
    assert response.status_code == 413


def test_a_signed_in_teacher_may_still_upload_photos_on_the_page(db, client, teacher):
    client.force_login(teacher)
    response = client.post(
        "/courses/1/students/1/photos/",
        content_type="multipart/form-data; boundary=x",
        **declared(5 * 1024 * 1024),
    )
    assert response.status_code != 413  # read (and refused later, if at all)
