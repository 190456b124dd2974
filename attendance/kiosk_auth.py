"""The kiosk credential: a secret in a link that allows one thing at one place.

Two kinds share the mechanism (the header `Authorization: Kiosk <token>`, the authentication
class, the grant): a session's check-in kiosk (`CHECK_IN`, the session's `kiosk_token`) and a
course's enrollment kiosk (`ENROLL`, attendance.models.EnrollmentKiosk). A kiosk
authenticates as nobody (an anonymous user) carrying a KioskGrant, so every endpoint that
requires a logged-in teacher refuses it; KioskCanCheckIn accepts only a check-in grant of its
own session, KioskCanEnroll only an enrollment grant of its own course. An enrollment link
therefore cannot check anyone in, nor a check-in link add photos.
"""

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions

from attendance.kiosk_access import live_enrollment_kiosks, live_kiosk_sessions

KEYWORD = "Kiosk"
CHECK_IN = "check-in"
ENROLL = "enroll"


@dataclass(frozen=True)
class KioskGrant:
    kind: str  # CHECK_IN or ENROLL
    object_id: int  # the session (CHECK_IN) or the course (ENROLL) it opens

    @property
    def session_id(self) -> int | None:
        return self.object_id if self.kind == CHECK_IN else None

    @property
    def course_id(self) -> int | None:
        return self.object_id if self.kind == ENROLL else None

    @property
    def ident(self) -> str:
        """Who sends the requests, for rate limits."""
        return f"kiosk-{self.kind}-{self.object_id}"


def grant_for(token: str) -> KioskGrant | None:
    """The grant a token carries now, or None (unknown, replaced, closed or expired)."""
    session_id = live_kiosk_sessions().filter(kiosk_token=token).values_list("pk", flat=True)
    if session_id := session_id.first():
        return KioskGrant(CHECK_IN, session_id)
    course_id = live_enrollment_kiosks().filter(token=token).values_list("course_id", flat=True)
    if course_id := course_id.first():
        return KioskGrant(ENROLL, course_id)
    return None


class KioskTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].decode(errors="replace") != KEYWORD:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Use the header 'Authorization: Kiosk <token>'.")
            )
        grant = grant_for(parts[1].decode(errors="replace"))
        if grant is None:
            raise exceptions.AuthenticationFailed(
                _("This kiosk link is no longer valid. Ask the teacher for the current link.")
            )
        return AnonymousUser(), grant

    def authenticate_header(self, request):
        return KEYWORD


class _KioskOrTeacher(permissions.BasePermission):
    """A logged-in user (the view's queryset limits them to their courses), or a kiosk grant
    of `kind` for the object it opens."""

    kind = ""

    def has_permission(self, request, view):
        if isinstance(request.auth, KioskGrant):
            return request.auth.kind == self.kind
        return request.user.is_authenticated

    def has_object_permission(self, request, view, obj):
        if isinstance(request.auth, KioskGrant):
            return request.auth.kind == self.kind and obj.pk == request.auth.object_id
        return True  # teachers only reach sessions and courses of their own (queryset)


class KioskCanCheckIn(_KioskOrTeacher):
    """A teacher of the course, someone who sees everyone, or this session's kiosk credential."""

    kind = CHECK_IN
    message = gettext_lazy("Only this session's kiosk or its course's teachers can check in here.")


class KioskCanEnroll(_KioskOrTeacher):
    """A teacher of the course, someone who sees everyone, or this course's enrollment kiosk."""

    kind = ENROLL
    message = gettext_lazy(
        "Only this course's enrollment kiosk or its teachers can add photos here."
    )


class KioskAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = KioskTokenAuthentication
    name = "kioskAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "`Kiosk <token>`: a session's kiosk credential (check-in only) or a course's "
                "enrollment kiosk credential (enrollment frames only)."
            ),
        }
