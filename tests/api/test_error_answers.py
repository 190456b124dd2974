"""API clients always get JSON errors in DRF's shapes, whoever raised them."""

import pytest
from django.utils import timezone

from tests.factories import CourseFactory, SessionFactory

pytestmark = pytest.mark.django_db


def test_a_state_conflict_from_a_service_is_a_409_with_a_detail(teacher, teacher_api):
    session = SessionFactory(course=CourseFactory(teachers=[teacher]), closed_at=timezone.now())
    response = teacher_api.post(f"/api/sessions/{session.pk}/open/")
    assert response.status_code == 409
    assert response.json() == {"detail": "This session is closed and cannot be opened again."}


def test_a_refused_upload_is_a_400_naming_the_field(teacher, teacher_api):
    session = SessionFactory(course=CourseFactory(teachers=[teacher]), opened_at=timezone.now())
    response = teacher_api.post(f"/api/sessions/{session.pk}/checkin/", {}, format="multipart")
    assert response.status_code == 400
    assert response.json() == {"image": ["Attach an image file in the field 'image'."]}


def test_an_unknown_api_address_answers_json_not_an_html_page(teacher_api):
    response = teacher_api.get("/api/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_a_body_over_django_limit_answers_json(teacher_api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = teacher_api.post(
        "/api/courses/", {"name": "x" * 5000}, format="json", SERVER_NAME="localhost"
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"


def test_pages_outside_the_api_keep_their_html_error_pages(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
