import pytest
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

REQUIRED_PATHS = [
    "/api/people/",
    "/api/people/{id}/",
    "/api/people/{id}/photos/",
    "/api/photos/{id}/",
    "/api/courses/",
    "/api/courses/{id}/",
    "/api/courses/{id}/classifier/",
    "/api/sessions/",
    "/api/sessions/{id}/",
    "/api/sessions/{id}/open/",
    "/api/sessions/{id}/close/",
    "/api/sessions/{id}/checkin/",
    "/api/sessions/{id}/attendance/",
    "/api/auth/token/",
]


def test_the_openapi_schema_validates_and_has_every_documented_path():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    missing = [path for path in REQUIRED_PATHS if path not in schema["paths"]]
    assert not missing


def test_schema_generation_has_no_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))


@pytest.mark.django_db
def test_the_schema_and_docs_are_served_to_a_logged_in_teacher(client, teacher):
    client.force_login(teacher)
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content


@pytest.mark.django_db
def test_a_token_is_issued_for_a_username_and_password(client, teacher):
    response = client.post(
        "/api/auth/token/", {"username": "teacher", "password": "correct horse battery"}
    )
    assert response.status_code == 200
    token = response.json()["token"]
    listing = client.get("/api/people/", HTTP_AUTHORIZATION=f"Token {token}")
    assert listing.status_code == 200


def test_each_operation_documents_only_the_errors_its_view_can_give():
    schema = SchemaGenerator().get_schema(request=None, public=True)

    def errors(path, method):
        return sorted(code for code in schema["paths"][path][method]["responses"] if code >= "4")

    assert errors("/api/courses/", "get") == ["400", "403"]  # 400: a NUL in the query
    assert errors("/api/courses/{id}/", "patch") == ["400", "403", "404", "411", "413", "415"]
    assert errors("/api/sessions/{id}/open/", "post") == ["400", "403", "404", "409"]
    checkin = errors("/api/sessions/{id}/checkin/", "post")
    assert checkin == ["400", "401", "403", "404", "409", "411", "413", "415", "429"]


def test_the_error_answers_of_domain_exceptions_come_from_the_error_table(monkeypatch):
    from attendance.errors import AlreadyDecided
    from attendance_site import api_errors

    def responses(path, method):
        schema = SchemaGenerator().get_schema(request=None, public=True)
        return schema["paths"][path][method]["responses"]

    confirm = responses("/api/reviews/{id}/confirm/", "post")
    assert "`already_decided`" in confirm["409"]["description"]
    assert "`review_refused`" in confirm["400"]["description"]
    change = responses("/api/sessions/{id}/attendance/", "post")
    assert "`not_on_roster`" in change["400"]["description"]
    assert "409" not in change

    monkeypatch.setitem(
        api_errors.ERRORS, AlreadyDecided, api_errors.ErrorAnswer(404, "decided_elsewhere")
    )
    confirm = responses("/api/reviews/{id}/confirm/", "post")
    assert "409" not in confirm
    assert "`decided_elsewhere`" in confirm["404"]["description"]
