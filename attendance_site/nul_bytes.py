"""Requests carrying a NUL byte in the URL, the query or the Authorization header answer 400.
PostgreSQL refuses NUL in text, so such a value reaching a query (a
kiosk token, an admin search) failed with a 500; no legitimate client sends one. Form and
JSON fields are already covered by Django's and DRF's CharField validators."""

from urllib.parse import unquote_to_bytes

from django.http import HttpResponseBadRequest, JsonResponse

MESSAGE = "The request contains a NUL character."


def _has_nul(request) -> bool:
    query = request.META.get("QUERY_STRING", "")
    return (
        "\x00" in request.path
        or b"\x00" in unquote_to_bytes(query.replace("+", " "))
        or "\x00" in request.META.get("HTTP_AUTHORIZATION", "")
    )


class RejectNulBytesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "nul_character", "detail": MESSAGE}, status=400)
            return HttpResponseBadRequest(MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
