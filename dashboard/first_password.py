"""A teacher whose password was generated (the first run's account) sets their own before
anything else: every page leads to the password change until it is done."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from people.accounts import MUST_CHANGE_PASSWORD

ALLOWED_PREFIXES = ("/static/", "/api/", "/health/", "/metrics")


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.session.get(MUST_CHANGE_PASSWORD) and not self.allowed(request.path):
            messages.warning(
                request,
                _("Choose your own password: the one generated at installation must be changed."),
            )
            return redirect("password_change")
        return self.get_response(request)

    @staticmethod
    def allowed(path: str) -> bool:
        own = (reverse("password_change"), reverse("password_change_done"), reverse("logout"))
        return path in own or path.startswith(ALLOWED_PREFIXES)
