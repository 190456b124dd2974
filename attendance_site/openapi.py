"""OpenAPI: document the error answers every endpoint can give, so clients (and the fuzz
test) can rely on the schema for failures as well as successes."""

ERROR_SCHEMA = {
    "type": "object",
    "description": "`detail` says what is wrong; a validation error names each bad field "
    "with a list of messages instead.",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
}

ERRORS = {
    "400": "The request's content is invalid (each bad field has its messages).",
    "401": "Not authenticated, or the credential is not valid.",
    "403": "Authenticated, but not allowed to do this.",
    "404": "Not found, or not visible to you.",
    "405": "Method not allowed.",
    "409": "The session is not in a state that allows this.",
    "411": "A chunked body: send a Content-Length.",
    "413": "The body is larger than this endpoint accepts (refused before reading it).",
    "415": "Unsupported media type.",
    "429": "Too many requests: retry after the number of seconds in Retry-After.",
}


def add_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"$ref": "#/components/schemas/Error"}
    for path in result.get("paths", {}).values():
        for operation in path.values():
            responses = operation.setdefault("responses", {})
            for code, description in ERRORS.items():
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": reference}},
                    },
                )
    return result
