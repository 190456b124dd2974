"""Password-reset requests, throttled per client address and per e-mail.

Each request sends an e-mail, so an unthrottled form lets anyone flood a teacher's inbox (or
the school's mail quota). One client address asking too often within an hour gets 429 and
nothing is sent. The limit per e-mail address cannot lock its owner out: it counts per client
address (PASSWORD_RESET_PER_EMAIL_PER_HOUR mails to one inbox from one client address), with
an overall cap of EMAIL_CAP_FACTOR times that per inbox from all addresses together; a
request over it gets the same answer as any other ("if an account exists, a mail was sent")
and sends nothing, so the requester learns nothing either. Only requests that pass count.
"""

import hashlib

from django.conf import settings
from django.contrib.auth.views import PasswordResetView
from django.core.cache import cache
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from accounts.client_address import client_address

WINDOW_SECONDS = 3600
EMAIL_CAP_FACTOR = 4
MESSAGE = _("Too many password reset requests. Try again in an hour.")


def _count(key: str) -> int:
    return cache.get(key, 0)


def _add(key: str) -> None:
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, WINDOW_SECONDS)


def _keys(*, address: str, email: str) -> tuple[str, str, str]:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    return (
        f"password-reset:address:{address}",
        f"password-reset:email:{digest}:{address}",
        f"password-reset:email:{digest}",
    )


def allow_reset_request(*, address: str, email: str) -> bool:
    """False when this client address asked too often (the request counts for nothing)."""
    by_address, _email, _total = _keys(address=address, email=email)
    if _count(by_address) >= settings.PASSWORD_RESET_PER_ADDRESS_PER_HOUR:
        return False
    _add(by_address)
    return True


def may_send_reset_mail(*, address: str, email: str) -> bool:
    """Whether this inbox may get one more reset mail asked from this client address; the
    mail is counted when it may."""
    _address, from_here, in_total = _keys(address=address, email=email)
    per_email = settings.PASSWORD_RESET_PER_EMAIL_PER_HOUR
    if _count(from_here) >= per_email or _count(in_total) >= EMAIL_CAP_FACTOR * per_email:
        return False
    _add(from_here)
    _add(in_total)
    return True


class ThrottledPasswordResetView(PasswordResetView):
    def form_valid(self, form):
        address, email = client_address(self.request), form.cleaned_data["email"]
        if not allow_reset_request(address=address, email=email):
            form.add_error(None, MESSAGE)
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        if not may_send_reset_mail(address=address, email=email):
            return HttpResponseRedirect(self.get_success_url())  # the usual answer, no mail
        return super().form_valid(form)
