"""Logging in and out, and resetting a forgotten password by e-mail."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_the_login_page_has_labelled_fields(client):
    page = client.get(reverse("login")).content.decode()
    assert '<label for="id_username">' in page and '<label for="id_password">' in page
    assert 'href="#main"' in page  # the skip link


def test_logging_in_leads_to_the_teachers_courses(client, teacher):
    response = client.post(reverse("login"), {"username": "teacher", "password": PASSWORD})
    assert response.url == reverse("dashboard:home")


def test_a_wrong_password_is_refused_with_a_message(client, teacher):
    response = client.post(reverse("login"), {"username": "teacher", "password": "wrong"})
    assert "didn't match" in response.content.decode()


def test_logging_out_ends_the_session(teacher_client):
    teacher_client.post(reverse("logout"))
    assert teacher_client.get(reverse("dashboard:home")).status_code == 302


def test_a_forgotten_password_can_be_reset_through_the_emailed_link(client, teacher):
    client.post(reverse("password_reset"), {"email": teacher.email})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    new_password = "a much longer passphrase 42"
    client.post(form_url, {"new_password1": new_password, "new_password2": new_password})
    login = client.post(reverse("login"), {"username": "teacher", "password": new_password})
    assert login.url == reverse("dashboard:home")


def test_the_reset_page_does_not_reveal_whether_an_address_exists(client):
    response = client.post(reverse("password_reset"), {"email": "nobody@school.example"})
    assert response.url == reverse("password_reset_done")
    assert not mail.outbox
