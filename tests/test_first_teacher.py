from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command


def first_teacher() -> dict:
    out = StringIO()
    call_command("ensure_first_teacher", "--no-input", stdout=out)
    lines = dict(
        line.strip().split(": ", 1) for line in out.getvalue().splitlines() if ": " in line
    )
    return {"username": lines["username"], "password": lines["password"]}


def change_password(client, old: str) -> None:
    new = "a much longer own secret 42"
    response = client.post(
        "/accounts/password_change/",
        {"old_password": old, "new_password1": new, "new_password2": new},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/account/", response.redirect_chain
    assert "Check your time zone" in response.content.decode()


@pytest.mark.django_db
def test_it_creates_a_first_teacher_who_can_open_the_admin_once_the_password_is_their_own(
    client,
):
    credentials = first_teacher()
    response = client.post("/admin/login/?next=/admin/", credentials, follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/password_change/"
    assert "generated at installation must be changed" in response.content.decode()
    change_password(client, credentials["password"])
    response = client.get("/admin/")
    assert response.status_code == 200


@pytest.mark.django_db
def test_a_generated_password_leads_every_page_to_the_password_change(client):
    credentials = first_teacher()
    client.post("/accounts/login/", credentials)
    for path in ("/", "/account/", "/admin/"):
        response = client.get(path)
        assert response.status_code == 302 and response.url == "/accounts/password_change/", path
    assert client.get("/accounts/password_change/").status_code == 200
    change_password(client, credentials["password"])
    assert client.get("/").status_code == 200
    client.logout()
    client.post("/accounts/login/", {**credentials, "password": "a much longer own secret 42"})
    assert client.get("/").status_code == 200  # not asked again at the next login


@pytest.mark.django_db
def test_a_teacher_who_chose_their_password_is_not_asked(client, teacher):
    from tests.conftest import PASSWORD

    client.post("/accounts/login/", {"username": "teacher", "password": PASSWORD})
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_it_leaves_an_existing_installation_alone(teacher):
    call_command("ensure_first_teacher", "--no-input", stdout=StringIO())
    assert get_user_model().objects.count() == 1
