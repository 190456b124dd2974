"""Password-reset requests, throttled per client address and per e-mail.

Each request sends an e-mail, so an unthrottled form lets anyone flood a teacher's inbox (or
the school's mail quota). Over either limit within an hour the form answers 429 and sends
nothing; the same answer whether or not the address belongs to an account.
"""

import hashlib

from django.conf import settings
from django.contrib.auth.views import PasswordResetView
from django.core.cache import cache

from accounts.client_address import client_address

WINDOW_SECONDS = 3600
MESSAGE = "Too many password reset requests. Try again in an hour."


def _count(key: str) -> int:
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, WINDOW_SECONDS)
        return 1


def allow_reset_request(*, address: str, email: str) -> bool:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    per_address = _count(f"password-reset:address:{address}")
    per_email = _count(f"password-reset:email:{digest}")
    return (
        per_address <= settings.PASSWORD_RESET_PER_ADDRESS_PER_HOUR
        and per_email <= settings.PASSWORD_RESET_PER_EMAIL_PER_HOUR
    )


class ThrottledPasswordResetView(PasswordResetView):
    def form_valid(self, form):
        if not allow_reset_request(
            address=client_address(self.request), email=form.cleaned_data["email"]
        ):
            form.add_error(None, MESSAGE)
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        return super().form_valid(form)
