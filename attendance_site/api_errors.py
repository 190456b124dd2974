"""How errors reach API clients: always JSON, in DRF's shapes, mapped in one place.

Service functions raise their own exceptions (a closed session, a refused upload, an image
that is not a photo); `exception_handler` turns each into the HTTP answer below, so views
need no try/except of their own. Errors raised before DRF runs (a body over Django's
limit, an unknown URL, a crash) get JSON from the `handler*` views for paths under /api/.
"""

from django.http import JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

from attendance.kiosk_enrollment import StudentNotAvailable
from attendance.reviews import ReviewRefused
from attendance.services import NotOnRoster, SessionStateError
from people.photo_import import ArchiveRefused
from people.roster_import import RosterFileError
from people.services import PhotoNotInReview, StudentNumberTaken, UploadRefused
from recognition.faces import ImageRejected


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


# exception class -> the field it is about (a 400 like a serializer's), or None (409 detail)
FIELD_OF_ERROR = {
    UploadRefused: "image",
    ImageRejected: "image",
    StudentNumberTaken: "external_id",
    NotOnRoster: "person",
    StudentNotAvailable: "person",
    SessionStateError: None,
    ReviewRefused: "use_photo",
    PhotoNotInReview: None,
    RosterFileError: "file",
    ArchiveRefused: "file",
}


def as_api_exception(error: Exception) -> exceptions.APIException | None:
    for kind, field in FIELD_OF_ERROR.items():
        if isinstance(error, kind):
            if field is None:
                return Conflict(detail=str(error))
            problems = getattr(error, "problems", [])  # e.g. each bad file of an archive
            return exceptions.ValidationError({field: [str(error), *problems]})
    return None


def exception_handler(error, context):
    return drf_exception_handler(as_api_exception(error) or error, context)


def _json_for_api(status_code: int, detail: str, html_view):
    def view(request, exception=None, **kwargs):
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": detail}, status=status_code)
        if exception is None:
            return html_view(request)
        return html_view(request, exception)

    return view


bad_request = _json_for_api(400, "Bad request.", defaults.bad_request)
permission_denied = _json_for_api(403, "Permission denied.", defaults.permission_denied)
page_not_found = _json_for_api(404, "Not found.", defaults.page_not_found)
server_error = _json_for_api(500, "Server error.", defaults.server_error)
