import pytest

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


def try_token(client, password):
    return client.post("/api/auth/token/", {"username": "teacher", "password": password})


def test_password_guessing_locks_the_account_for_that_address(client, teacher, settings):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        assert try_token(client, f"guess-{attempt}").status_code == 400
    locked = try_token(client, PASSWORD)
    assert locked.status_code == 400  # the right password, refused like a wrong one
    assert "token" not in locked.json()


def test_a_few_mistakes_do_not_lock_a_teacher_out(client, teacher, settings):
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        try_token(client, f"typo-{attempt}")
    assert try_token(client, PASSWORD).status_code == 200


def test_the_admin_login_is_locked_after_repeated_failures(client, superuser, settings):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": "superuser", "password": f"guess-{attempt}"})
    response = client.post("/admin/login/", {"username": "superuser", "password": PASSWORD})
    assert response.status_code == 429
