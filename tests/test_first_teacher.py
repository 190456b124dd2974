from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command


@pytest.mark.django_db
def test_it_creates_a_first_teacher_who_can_open_the_admin(client):
    out = StringIO()
    call_command("ensure_first_teacher", "--no-input", stdout=out)
    lines = dict(
        line.strip().split(": ", 1) for line in out.getvalue().splitlines() if ": " in line
    )
    credentials = {"username": lines["username"], "password": lines["password"]}
    response = client.post("/admin/login/?next=/admin/", credentials, follow=True)
    assert response.redirect_chain[-1][0] == "/admin/"
    assert response.status_code == 200


@pytest.mark.django_db
def test_it_leaves_an_existing_installation_alone(teacher):
    call_command("ensure_first_teacher", "--no-input", stdout=StringIO())
    assert get_user_model().objects.count() == 1
