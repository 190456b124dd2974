"""Password-reset requests are throttled per e-mail and per client address."""

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


def test_one_email_gets_at_most_a_few_reset_mails_an_hour(client, teacher, settings):
    for _ in range(settings.PASSWORD_RESET_PER_EMAIL_PER_HOUR):
        assert ask(client, teacher.email).status_code == 302
    refused = ask(client, teacher.email, address="203.0.113.77")  # from elsewhere too
    assert refused.status_code == 429
    assert "Too many password reset requests" in refused.content.decode()
    assert len(mail.outbox) == settings.PASSWORD_RESET_PER_EMAIL_PER_HOUR


def test_one_address_cannot_ask_for_many_accounts(client, teacher, settings):
    for n in range(settings.PASSWORD_RESET_PER_ADDRESS_PER_HOUR):
        assert ask(client, f"someone{n}@school.example").status_code == 302
    assert ask(client, teacher.email).status_code == 429
    assert ask(client, teacher.email, address="203.0.113.78").status_code == 302
    assert len(mail.outbox) == 1
