"""The kiosk credential allows check-in to its own session and nothing else."""

import pytest
from rest_framework.test import APIClient

from tests.api.conftest import enroll_from_samples, open_session_of
from tests.factories import CourseFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(teacher, sample_encodings, shared_faces):
    course = CourseFactory(teachers=[teacher])
    enroll_from_samples(course, ["obama", "biden"], sample_encodings, shared_faces)
    return course


def kiosk_client(session) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Kiosk {session.kiosk_token}")
    return client


def post_frame(client, session, path):
    with path.open("rb") as handle:
        return client.post(f"/api/sessions/{session.pk}/checkin/", {"image": handle})


def test_the_kiosk_can_check_in_to_its_own_session(course, shared_faces):
    session = open_session_of(course)
    response = post_frame(kiosk_client(session), session, shared_faces / "probe" / "obama1.jpg")
    assert response.status_code == 200
    assert response.json()["faces"][0]["outcome"] == "present"


def test_the_kiosk_is_refused_on_every_other_endpoint(course, shared_faces):
    session = open_session_of(course)
    other = open_session_of(CourseFactory())
    person = PersonFactory()
    kiosk = kiosk_client(session)
    calls = [
        ("get", "/api/people/"),
        ("post", "/api/people/"),
        ("get", f"/api/people/{person.pk}/"),
        ("delete", f"/api/people/{person.pk}/"),
        ("post", f"/api/people/{person.pk}/photos/"),
        ("get", "/api/photos/"),
        ("get", "/api/courses/"),
        ("get", f"/api/courses/{course.pk}/"),
        ("patch", f"/api/courses/{course.pk}/"),
        ("get", f"/api/courses/{course.pk}/classifier/"),
        ("get", "/api/sessions/"),
        ("get", f"/api/sessions/{session.pk}/"),
        ("patch", f"/api/sessions/{session.pk}/"),
        ("post", f"/api/sessions/{session.pk}/open/"),
        ("post", f"/api/sessions/{session.pk}/close/"),
        ("get", f"/api/sessions/{session.pk}/attendance/"),
        ("post", f"/api/sessions/{session.pk}/attendance/"),
        ("post", f"/api/sessions/{session.pk}/rotate-kiosk-token/"),
        ("get", "/api/schema/"),
    ]
    for method, url in calls:
        response = getattr(kiosk, method)(url)
        assert response.status_code == 403, (method, url, response.status_code)
    response = post_frame(kiosk, other, shared_faces / "probe" / "obama1.jpg")
    assert response.status_code == 404
    session.refresh_from_db()
    assert session.closed_at is None


def test_a_rotated_kiosk_link_stops_working(teacher_api, course, shared_faces):
    session = open_session_of(course)
    old = kiosk_client(session)
    assert teacher_api.post(f"/api/sessions/{session.pk}/rotate-kiosk-token/").status_code == 200
    response = post_frame(old, session, shared_faces / "probe" / "obama1.jpg")
    assert response.status_code == 401
    assert "no longer valid" in response.json()["detail"]


def test_another_teacher_cannot_check_in_to_my_session(other_teacher_api, course, shared_faces):
    session = open_session_of(course)
    response = post_frame(other_teacher_api, session, shared_faces / "probe" / "obama1.jpg")
    assert response.status_code == 404
