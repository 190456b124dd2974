"""API tokens: they expire, die with a password change, and a teacher
can revoke their own."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"


def new_token(client) -> str:
    response = client.post("/api/auth/token/", {"username": "teacher", "password": PASSWORD})
    assert response.status_code == 200, response.content
    return response.json()["token"]


def status_with(token: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client.get("/api/courses/").status_code


def test_a_password_change_revokes_the_users_tokens(teacher):
    token = new_token(APIClient())
    assert status_with(token) == 200
    teacher.set_password("a brand new passphrase")
    teacher.save()
    assert status_with(token) == 403
    assert not Token.objects.filter(user=teacher).exists()


def test_a_login_does_not_revoke_tokens(client, teacher):
    token = new_token(APIClient())
    client.force_login(teacher)  # saves last_login
    assert status_with(token) == 200


def test_a_token_expires_and_the_endpoint_then_issues_a_new_one(teacher, settings):
    settings.API_TOKEN_MAX_AGE_HOURS = 24
    token = new_token(APIClient())
    Token.objects.filter(key=token).update(created=timezone.now() - timedelta(hours=25))
    assert status_with(token) == 403
    fresh = new_token(APIClient())
    assert fresh != token
    assert status_with(fresh) == 200


def test_a_teacher_revokes_their_own_tokens(teacher, other_teacher):
    token = new_token(APIClient())
    other = Token.objects.create(user=other_teacher)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.post("/api/auth/token/revoke/").status_code == 204
    assert status_with(token) == 403
    assert status_with(other.key) == 200
