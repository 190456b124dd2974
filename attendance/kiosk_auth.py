"""The kiosk credential: a per-session secret that allows check-in to that session only.

A kiosk authenticates as nobody (an anonymous user) carrying a KioskGrant, so every
endpoint that requires a logged-in teacher refuses it, and only the check-in endpoint,
through KioskCanCheckIn, accepts it for its own session.
"""

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions

from attendance.kiosk_access import live_kiosk_sessions

KEYWORD = "Kiosk"


@dataclass(frozen=True)
class KioskGrant:
    session_id: int


class KioskTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].decode(errors="replace") != KEYWORD:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Use the header 'Authorization: Kiosk <token>'.")
        token = parts[1].decode(errors="replace")
        session_id = (
            live_kiosk_sessions().filter(kiosk_token=token).values_list("pk", flat=True).first()
        )
        if session_id is None:
            raise exceptions.AuthenticationFailed(
                "This kiosk link is no longer valid. Ask the teacher for the current link."
            )
        return AnonymousUser(), KioskGrant(session_id=session_id)

    def authenticate_header(self, request):
        return KEYWORD


class KioskCanCheckIn(permissions.BasePermission):
    """A teacher of the course, someone who sees everyone, or this session's kiosk credential."""

    message = "Only this session's kiosk or its course's teachers can check in here."

    def has_permission(self, request, view):
        return request.user.is_authenticated or isinstance(request.auth, KioskGrant)

    def has_object_permission(self, request, view, obj):
        if isinstance(request.auth, KioskGrant):
            return obj.pk == request.auth.session_id
        return True  # teachers only reach sessions of their courses (queryset)


class KioskAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = KioskTokenAuthentication
    name = "kioskAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Kiosk <token>`: the session's kiosk credential (check-in only).",
        }
