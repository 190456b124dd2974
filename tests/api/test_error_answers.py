"""API clients always get JSON errors with a stable `code` and a `detail` for people, whoever
raised them; each domain exception answers the one status of the error table."""

import pytest
from django.utils import timezone
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from attendance.errors import NotOnRoster
from attendance_site import api_errors
from people.roster_import import RosterPreview, RosterRowsInvalid
from recognition.faces import ImageRejected
from tests.factories import CourseFactory, PersonFactory, SessionFactory

pytestmark = pytest.mark.django_db


def test_a_state_conflict_from_a_service_is_a_409_with_a_detail(teacher, teacher_api):
    session = SessionFactory(course=CourseFactory(teachers=[teacher]), closed_at=timezone.now())
    response = teacher_api.post(f"/api/sessions/{session.pk}/open/")
    assert response.status_code == 409
    assert response.json() == {
        "code": "session_state",
        "detail": "This session is closed and cannot be opened again.",
    }


def test_a_refused_upload_is_a_400_naming_the_field(teacher, teacher_api):
    session = SessionFactory(course=CourseFactory(teachers=[teacher]), opened_at=timezone.now())
    response = teacher_api.post(f"/api/sessions/{session.pk}/checkin/", {}, format="multipart")
    assert response.status_code == 400
    message = "Attach an image file in the field 'image'."
    assert response.json() == {"code": "upload_refused", "detail": message, "image": [message]}


def test_an_unknown_api_address_answers_json_not_an_html_page(teacher_api):
    response = teacher_api.get("/api/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"code": "not_found", "detail": "Not found."}


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


def test_a_serializer_validation_error_has_a_code_and_keeps_its_fields(teacher_api):
    response = teacher_api.post("/api/courses/", {}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["name"] == ["This field is required."]
    assert body["detail"] == "This field is required."


def example_of(kind) -> Exception:
    """An instance of each domain exception, whose message is "What went wrong"."""
    if kind is ImageRejected:
        return kind("unreadable", "What went wrong")
    if kind is RosterRowsInvalid:
        error = kind(RosterPreview(rows=[]), details={"rows": []})
        error.args = ("What went wrong",)
        return error
    return kind("What went wrong")


@pytest.mark.parametrize("kind", list(api_errors.ERRORS))
def test_each_domain_exception_answers_the_status_and_code_of_its_table_row(kind):
    answer = api_errors.ERRORS[kind]

    class Raising(APIView):
        permission_classes = []
        authentication_classes = []

        def get(self, request):
            raise example_of(kind)

    response = Raising.as_view()(APIRequestFactory().get("/api/x/"))
    assert response.status_code == answer.status
    assert response.data["code"] == answer.code
    assert response.data["detail"] == "What went wrong"
    if answer.field:
        assert response.data[answer.field] == ["What went wrong"]


def test_a_subclass_of_a_domain_exception_answers_like_its_parent():
    class NotOnThisRoster(NotOnRoster):
        pass

    assert api_errors.answer_for(NotOnThisRoster) == api_errors.ERRORS[NotOnRoster]


def test_not_on_the_roster_is_the_same_400_for_a_status_change_and_a_class_photo_face(
    teacher, teacher_api
):
    """Both entry points name a person the course does not have: one answer, one status."""
    from attendance.models import ClassPhoto

    session = SessionFactory(course=CourseFactory(teachers=[teacher]), opened_at=timezone.now())
    stranger = PersonFactory(created_by=teacher)
    change = teacher_api.post(
        f"/api/sessions/{session.pk}/attendance/",
        {"person": stranger.pk, "status": "present"},
        format="json",
    )
    photo = ClassPhoto.objects.create(
        session=session,
        status=ClassPhoto.Status.DONE,
        faces=[{"box": {}, "person": None, "outcome": "unknown", "distance": None}],
    )
    assign = teacher_api.post(
        f"/api/sessions/{session.pk}/class-photos/{photo.pk}/assign/",
        {"face": 0, "person": stranger.pk},
        format="json",
    )
    assert change.status_code == assign.status_code == 400
    assert change.json()["code"] == assign.json()["code"] == "not_on_roster"
    assert change.json()["person"] == assign.json()["person"]


def test_a_missing_object_answers_not_found_with_its_code(teacher_api):
    response = teacher_api.get("/api/sessions/999999/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
