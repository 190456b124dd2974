"""Rate limits on check-in and kiosk enrollment: per kiosk credential and per client address.

A kiosk sends about one frame a second; a runaway script or a stolen link must not be able to
turn the face pipeline (the most expensive thing the server does) against everyone else.
Rates come from settings (e.g. "120/min"); an empty rate disables that limit.

A request counts against the limits only when every limit allows it
(`CountOnlyAllowedRequests`): a flooding kiosk refused by its own credential's limit does not
use up the address limit that the school's other kiosks behind the same address share.
"""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from accounts.client_address import client_address
from attendance.kiosk_auth import KioskGrant


class _SettingsRateThrottle(SimpleRateThrottle):
    setting_name = ""

    def get_rate(self):
        return getattr(settings, self.setting_name) or None

    def allow_request(self, request, view):
        """Whether the request is within the limit; it is not counted yet (`record`)."""
        if self.rate is None:
            return True
        return super().allow_request(request, view)

    def throttle_success(self):
        return True  # counted by `record` once every limit allowed the request

    def record(self) -> None:
        """Count the request just allowed (by `allow_request` of this instance)."""
        if self.rate is not None and self.key is not None:
            self.history.insert(0, self.now)
            self.cache.set(self.key, self.history, self.duration)

    def charge(self, request, view, extra: int) -> None:
        """Record `extra` more uses now (the request itself was counted when allowed)."""
        key = self.get_cache_key(request, view) if self.rate is not None else None
        if extra <= 0 or key is None:
            return
        now = self.timer()
        history = [when for when in self.cache.get(key, []) if when > now - self.duration]
        self.cache.set(key, [now] * extra + history, self.duration)


class CountOnlyAllowedRequests:
    """View mixin: every throttle is asked; the request is counted by the rate limits above
    only when none refused it (DRF's own check counts it in each limit that allowed it)."""

    def check_throttles(self, request):
        throttles = self.get_throttles()
        waits = [t.wait() for t in throttles if not t.allow_request(request, self)]
        if waits:
            self.throttled(request, max((w for w in waits if w is not None), default=None))
        for throttle in throttles:
            if isinstance(throttle, _SettingsRateThrottle):
                throttle.record()


def charge_extra_faces(request, view, faces: int) -> None:
    """The limits count faces encoded, not requests: a frame of N faces costs N."""
    for throttle in view.get_throttles():
        if isinstance(throttle, _SettingsRateThrottle):
            throttle.charge(request, view, faces - 1)


class CheckInPerCredentialThrottle(_SettingsRateThrottle):
    scope = "checkin-credential"
    setting_name = "CHECKIN_RATE_PER_CREDENTIAL"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, KioskGrant):
            ident = request.auth.ident
        elif request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            return None
        return self.cache_format % {"scope": self.scope, "ident": ident}


class CheckInPerAddressThrottle(_SettingsRateThrottle):
    scope = "checkin-address"
    setting_name = "CHECKIN_RATE_PER_ADDRESS"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def get_ident(self, request):
        return client_address(request)
