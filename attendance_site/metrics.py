"""/metrics for Prometheus, answered only to the monitoring network or the metrics token, and
the middleware that counts every request (telemetry.metrics)."""

import hmac
import ipaddress
import time

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.client_address import client_address
from telemetry import metrics

REFUSED = "Metrics are served only to METRICS_ALLOWED_NETWORKS or with METRICS_TOKEN."


def may_scrape(request) -> bool:
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    try:
        address = ipaddress.ip_address(client_address(request))
    except ValueError:
        return False
    return any(address in network for network in settings.METRICS_ALLOWED_NETWORKS)


@never_cache
@require_GET
def metrics_view(request):
    if not may_scrape(request):
        return JsonResponse({"detail": REFUSED}, status=403)
    body, content_type = metrics.exposition(
        redis_url=settings.REDIS_URL, queue=settings.CELERY_TASK_DEFAULT_QUEUE
    )
    return HttpResponse(body, content_type=content_type)


class RequestMetricsMiddleware:
    """Counts each answered request by method, view name (not the path: ids would make a
    series per student) and status, and times it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = (match.view_name or match.route) if match else "unmatched"
        metrics.count_request(
            method=request.method if request.method in _METHODS else "other",
            view=view,
            status=response.status_code,
            seconds=time.perf_counter() - started,
        )
        return response


_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
