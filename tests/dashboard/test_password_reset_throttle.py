"""Password-reset requests are throttled per e-mail and per client address, and nobody else
can use up the limit of a teacher's own address."""

import pytest
from django.core import mail
from django.core.cache import cache

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def ask(client, email, address="198.51.100.9"):
    return client.post("/accounts/password_reset/", {"email": email}, REMOTE_ADDR=address)


def test_one_address_gets_a_few_reset_mails_to_one_inbox_and_then_the_usual_answer(
    client, teacher, settings
):
    for _ in range(settings.PASSWORD_RESET_PER_EMAIL_PER_HOUR):
        assert ask(client, teacher.email).status_code == 302
    more = ask(client, teacher.email)
    assert more.status_code == 302 and more.url == "/accounts/password_reset/done/"
    assert len(mail.outbox) == settings.PASSWORD_RESET_PER_EMAIL_PER_HOUR


def test_anonymous_requests_for_a_teachers_address_do_not_lock_the_teacher_out(
    client, teacher, settings
):
    for _ in range(settings.PASSWORD_RESET_PER_EMAIL_PER_HOUR + 2):
        ask(client, teacher.email, address="203.0.113.66")
    mail.outbox.clear()
    own = ask(client, teacher.email, address="198.51.100.20")
    assert own.status_code == 302
    assert len(mail.outbox) == 1 and teacher.email in mail.outbox[0].to


def test_one_inbox_gets_a_bounded_number_of_mails_from_all_addresses(client, teacher, settings):
    from accounts.password_reset import EMAIL_CAP_FACTOR

    cap = EMAIL_CAP_FACTOR * settings.PASSWORD_RESET_PER_EMAIL_PER_HOUR
    for n in range(cap + 5):
        assert ask(client, teacher.email, address=f"203.0.113.{n}").status_code == 302
    assert len(mail.outbox) == cap


def test_one_address_cannot_ask_for_many_accounts(client, teacher, settings):
    for n in range(settings.PASSWORD_RESET_PER_ADDRESS_PER_HOUR):
        assert ask(client, f"someone{n}@school.example").status_code == 302
    assert ask(client, teacher.email).status_code == 429
    assert ask(client, teacher.email, address="203.0.113.78").status_code == 302
    assert len(mail.outbox) == 1
