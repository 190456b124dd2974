"""How errors reach API clients: one table from each domain exception to its HTTP answer.

Service functions raise their own exceptions (a closed session, a refused upload, a student
who is not on the roster); `exception_handler` answers each with the status, the stable
machine-readable `code` and the field of `ERRORS`, so no view catches and maps by hand, and
the same mistake answers the same status everywhere. The OpenAPI schema documents, for each
operation, the statuses and codes of the exceptions its view declares (attendance_site.openapi).
The dashboard catches the same exceptions and shows their message on the page.

Every error body has `code` (machine-readable, stable, the same in every language) and
`detail` (for people, in the language of the request's Accept-Language); a validation error
also names each bad field with its messages. Field names never change with the language.
Errors raised before DRF runs (a body over Django's limit, an unknown URL, a crash) get the
same shape from the `handler*` views for paths under /api/.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

from attendance.errors import (
    AlreadyDecided,
    NoSuchFace,
    NotOnRoster,
    ReviewRefused,
    SessionStateError,
    StudentNotAvailable,
)
from people.photo_import import ArchiveRefused
from people.roster_import import RosterFileError, RosterRowsInvalid
from people.services import PhotoNotInReview, StudentNumberTaken, UploadRefused
from recognition.faces import ImageRejected


@dataclass(frozen=True)
class ErrorAnswer:
    status: int
    code: str
    field: str | None = None  # the request field it is about (a 400 like a serializer's)


# Not on the roster is a 400, like every request that names something it may not name: the
# request itself is wrong and repeating it can never succeed. 409 is kept for the state of
# an object, which changes (a session closed, a review decided meanwhile).
ERRORS: dict[type[Exception], ErrorAnswer] = {
    UploadRefused: ErrorAnswer(400, "upload_refused", "image"),
    ImageRejected: ErrorAnswer(400, "image_rejected", "image"),
    StudentNumberTaken: ErrorAnswer(400, "student_number_taken", "external_id"),
    NotOnRoster: ErrorAnswer(400, "not_on_roster", "person"),
    StudentNotAvailable: ErrorAnswer(400, "student_not_available", "person"),
    NoSuchFace: ErrorAnswer(400, "no_such_face", "face"),
    ReviewRefused: ErrorAnswer(400, "review_refused", "use_photo"),
    RosterFileError: ErrorAnswer(400, "roster_file_unreadable", "file"),
    RosterRowsInvalid: ErrorAnswer(400, "roster_rows_invalid"),
    ArchiveRefused: ErrorAnswer(400, "archive_refused", "file"),
    SessionStateError: ErrorAnswer(409, "session_state"),
    PhotoNotInReview: ErrorAnswer(409, "photo_not_in_review"),
    AlreadyDecided: ErrorAnswer(409, "already_decided"),
}


def answer_for(kind: type[Exception]) -> ErrorAnswer | None:
    return next((ERRORS[k] for k in kind.__mro__ if k in ERRORS), None)


class DomainError(exceptions.APIException):
    """A domain exception as DRF's exception, with the status and code of its table row."""

    def __init__(self, error: Exception, answer: ErrorAnswer):
        super().__init__(detail=str(error), code=answer.code)
        self.status_code, self.answer = answer.status, answer
        self.problems = [str(p) for p in getattr(error, "problems", [])]  # e.g. bad files
        self.details = getattr(error, "details", {})  # e.g. each row of a refused roster


def exception_handler(error, context):
    answer = answer_for(type(error))
    if answer is not None:
        error = DomainError(error, answer)
    elif isinstance(error, Http404):  # as DRF's handler does, keeping the exception's code
        error = exceptions.NotFound(*error.args)
    elif isinstance(error, DjangoPermissionDenied):
        error = exceptions.PermissionDenied(*error.args)
    response = drf_exception_handler(error, context)
    if response is not None:
        response.data = error_body(error, response.data)
    return response


def error_body(error: exceptions.APIException, data) -> dict:
    """`code` and `detail` on every error; a field error keeps its field's messages."""
    if isinstance(error, DomainError):
        body = {**error.details, "code": error.answer.code, "detail": str(error.detail)}
        if error.answer.field:
            body[error.answer.field] = [body["detail"], *error.problems]
        return body
    if isinstance(data, list):
        data = {"non_field_errors": data}
    if "detail" in data and len(data) == 1:
        return {"code": _code(error.get_codes()), "detail": str(data["detail"])}
    first = next(iter(_messages(data)), str(_("The request is not valid.")))
    return {"code": "invalid", "detail": first, **data}


def _code(codes) -> str:
    return codes if isinstance(codes, str) else "error"


def _messages(data):
    if isinstance(data, dict):
        for value in data.values():
            yield from _messages(value)
    elif isinstance(data, list):
        for value in data:
            yield from _messages(value)
    else:
        yield str(data)


def _json_for_api(status_code: int, code: str, detail: str, html_view):
    def view(request, exception=None, **kwargs):
        if request.path.startswith("/api/"):
            return JsonResponse({"code": code, "detail": detail}, status=status_code)
        if exception is None:
            return html_view(request)
        return html_view(request, exception)

    return view


bad_request = _json_for_api(400, "bad_request", _("Bad request."), defaults.bad_request)
permission_denied = _json_for_api(
    403, "permission_denied", _("Permission denied."), defaults.permission_denied
)
page_not_found = _json_for_api(404, "not_found", _("Not found."), defaults.page_not_found)
server_error = _json_for_api(500, "server_error", _("Server error."), defaults.server_error)
