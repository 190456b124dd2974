"""The client's address, the one function every per-address limit uses.

Behind NUM_PROXIES reverse proxies, each appends the address it received the request from
to X-Forwarded-For, so the client is the NUM_PROXIES-th entry from the right: entries
further left are whatever the client chose to send. With NUM_PROXIES=0 the header is
ignored and the connection's address is the client. Used by the check-in throttle and by
django-axes (AXES_CLIENT_IP_CALLABLE), so login lockout is per real client, not per proxy.
"""

import ipaddress

from django.conf import settings


def client_address(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = getattr(settings, "NUM_PROXIES", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if not proxies or not forwarded:
        return remote
    entries = [entry.strip() for entry in forwarded.split(",")]
    candidate = entries[-min(proxies, len(entries))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:  # a proxy that sent something else: count it against the proxy
        return remote
