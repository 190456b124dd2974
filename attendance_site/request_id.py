"""Each request's id: the client's or the proxy's `X-Request-ID` when it is a plain token, or
a new one; set for the logs and the tasks the request queues (telemetry.request_id), and returned
in the response's `X-Request-ID`."""

from telemetry import request_id

HEADER = "X-Request-ID"


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request_id.from_header(request.headers.get(HEADER))
        token = request_id.current.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id.current.reset(token)
        response[HEADER] = request.request_id
        return response
