"""OpenAPI: each operation documents the error answers it can give, derived from its view.

So clients (and the fuzz test, which checks every status code against the schema) can rely
on the schema for failures as well as successes:

- 400, for every operation: a NUL character anywhere in the URL or its query is refused
  before any view runs (`nul_bytes.py`, code `nul_character`);
- 400, 411, 413 and 415: the operation reads a request body (411 and 413 come from the
  body limits, `body_limits.py`);
- 401: its first authentication scheme asks for credentials (WWW-Authenticate); otherwise
  DRF answers a missing or wrong credential with 403;
- 403: it has a permission check, or reads a body with session authentication (CSRF);
- 404: its path names an object;
- 429: it is throttled, or it is the token login (locked after repeated failures);
- and the status of each domain exception its view declares for the action (`raises`, a
  dict of action name to exception classes), looked up in `api_errors.ERRORS`: the same
  table that answers them, so the schema cannot say otherwise. The description of each
  status lists the machine-readable `code`s the operation may answer with it.
"""

from drf_spectacular.openapi import AutoSchema
from rest_framework.authentication import SessionAuthentication
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny

from attendance_site import api_errors

ERROR_SCHEMA = {
    "type": "object",
    "description": "`detail` says what is wrong; a validation error names each bad field "
    "with a list of messages instead.",
    "properties": {
        "code": {
            "type": "string",
            "description": "Machine-readable and stable: one of the domain codes of the "
            "operation's answer, or DRF's (`invalid`, `not_found`, `permission_denied`, "
            "`not_authenticated`, `throttled`…).",
        },
        "detail": {"type": "string", "description": "What is wrong, for people."},
    },
    "required": ["code", "detail"],
    "additionalProperties": True,
}
ERROR_REF = {"$ref": "#/components/schemas/Error"}

ERRORS = {
    "400": "The request's content is invalid (each bad field has its messages).",
    "401": "Not authenticated, or the credential is not valid.",
    "403": "Not allowed to do this (or not authenticated, for session and token clients).",
    "404": "Not found, or not visible to you.",
    "409": "The session, photo or review is not in a state that allows this (any more).",
    "411": "A chunked body: send a Content-Length.",
    "413": "The body is larger than this endpoint accepts (refused before reading it).",
    "415": "Unsupported media type.",
    "429": "Too many requests: retry after the number of seconds in Retry-After.",
}


class ErrorDocumentingAutoSchema(AutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is not None:
            responses = operation.setdefault("responses", {})
            domain = self.domain_errors()
            for code in sorted(self.error_codes(path) | {str(a.status) for a in domain}):
                names = sorted({f"`{a.code}`" for a in domain if str(a.status) == code})
                if code == "400":
                    names = sorted([*names, "`nul_character`"])
                codes = f" Codes: {', '.join(names)}." if names else ""
                responses.setdefault(
                    code,
                    {
                        "description": ERRORS[code] + codes,
                        "content": {"application/json": {"schema": ERROR_REF}},
                    },
                )
        return operation

    def domain_errors(self) -> set[api_errors.ErrorAnswer]:
        """The table's answers to the domain exceptions the view declares for this action."""
        raised = getattr(self.view, "raises", {}).get(getattr(self.view, "action", None), ())
        return {api_errors.answer_for(kind) for kind in raised}

    def error_codes(self, path: str) -> set[str]:
        view = self.view
        codes = {"400"}  # a NUL character in the URL, whatever the operation
        reads_body = self.method in ("POST", "PUT", "PATCH") and self.get_request_serializer()
        authenticators = view.get_authenticators()
        if reads_body:
            codes |= {"400", "411", "413", "415"}
        if authenticators and authenticators[0].authenticate_header(view.request):
            codes.add("401")
        if any(not isinstance(p, AllowAny) for p in view.get_permissions()):
            codes.add("403")
        if reads_body and any(isinstance(a, SessionAuthentication) for a in authenticators):
            codes.add("403")
        if "{" in path:
            codes.add("404")
        if view.get_throttles() or isinstance(view, ObtainAuthToken):
            codes.add("429")
        return codes


def add_error_schema(result, generator, request, public):
    """drf-spectacular postprocessing hook: the component the error answers refer to."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    return result
