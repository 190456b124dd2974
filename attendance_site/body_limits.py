"""Request bodies refused before they are read.

Django's multipart parser spools file uploads to disk before any view can look at their
size, so a 1 GB body would be written in full to /tmp and only then refused. This
middleware answers 413 from the declared `Content-Length` alone, with a limit per endpoint:
photo uploads and check-in frames may be as large as an image (MAX_UPLOAD_BYTES, several
photos for the dashboard's multi-upload), everything else (JSON, forms, logins) far less
(REQUEST_MAX_BYTES). A chunked body (no Content-Length) is refused with 411: Django would
not read it anyway. The proxy in front should refuse at the same size
(`client_max_body_size`, see docs/limits.md).

The larger limits are for signed-in teachers only on the pages: Django's CSRF check reads a
form's body to find its token, so an anonymous POST carrying a csrftoken cookie would be
spooled to disk before its 403. Without a signed-in session such a page takes at most
REQUEST_MAX_BYTES. (The API parses a body only after authenticating the request.)
"""

import re
from importlib import import_module

from django.conf import settings
from django.http import HttpResponse, JsonResponse

_MULTIPLE_PHOTOS = 10  # the dashboard's upload form sends several photos at once
_MULTIPART_OVERHEAD = 1024 * 1024

# (path pattern, how many images the body may hold)
_IMAGE_ENDPOINTS = [
    (re.compile(r"^/api/people/\d+/photos/$"), 1),
    (re.compile(r"^/api/sessions/\d+/checkin/$"), 1),
    (re.compile(r"^/api/courses/\d+/enrollment-kiosk/frames/$"), 5),  # kiosk_enrollment.MAX_FRAMES
    (re.compile(r"^/courses/\d+/students/\d+/photos/$"), _MULTIPLE_PHOTOS),
    (re.compile(r"^/admin/people/person/"), _MULTIPLE_PHOTOS),
]


# (path pattern, the setting that limits the uploaded file): bulk imports, class photos
_IMPORT_ENDPOINTS = [
    (re.compile(r"^(/api)?/courses/\d+/import/$"), "ROSTER_IMPORT_MAX_BYTES"),
    (re.compile(r"^/api/courses/\d+/roster-import/$"), "ROSTER_IMPORT_MAX_BYTES"),
    (re.compile(r"^(/api)?/courses/\d+/photo-import/$"), "PHOTO_IMPORT_MAX_BYTES"),
    (re.compile(r"^/api/sessions/\d+/class-photos/$"), "CLASS_PHOTO_MAX_UPLOAD_BYTES"),
]


def body_limit(path: str) -> int:
    """The largest request body accepted on this path, in bytes."""
    for pattern, images in _IMAGE_ENDPOINTS:
        if pattern.match(path):
            return images * settings.MAX_UPLOAD_BYTES + _MULTIPART_OVERHEAD
    for pattern, setting in _IMPORT_ENDPOINTS:
        if pattern.match(path):
            return getattr(settings, setting) + _MULTIPART_OVERHEAD
    return settings.REQUEST_MAX_BYTES


def _signed_in(request) -> bool:
    """Whether the session cookie names a session with a signed-in user (one session read,
    done only for bodies over REQUEST_MAX_BYTES)."""
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not key:
        return False
    store = import_module(settings.SESSION_ENGINE).SessionStore(key)
    return "_auth_user_id" in store


def request_limit(request) -> int:
    """body_limit of the path; a page's larger limit only for a signed-in session."""
    limit = body_limit(request.path_info)
    small = settings.REQUEST_MAX_BYTES
    if limit > small and not request.path_info.startswith("/api/") and not _signed_in(request):
        return small
    return limit


def _refusal(request, status: int, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        code = {411: "length_required", 413: "body_too_large"}.get(status, "bad_request")
        return JsonResponse({"code": code, "detail": message}, status=status)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


class RequestBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.META.get("HTTP_TRANSFER_ENCODING", "").lower().strip() == "chunked":
            return _refusal(request, 411, "Send the request with a Content-Length header.")
        declared = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(declared)
        except ValueError:
            return _refusal(request, 400, "The Content-Length header is not a number.")
        limit = body_limit(request.path_info)
        if length > settings.REQUEST_MAX_BYTES:
            limit = request_limit(request)
        if length > limit:
            megabytes = f"{limit / (1024 * 1024):.0f}" if limit >= 1024 * 1024 else "1"
            return _refusal(request, 413, f"The request is too large: at most {megabytes} MB here.")
        return self.get_response(request)
