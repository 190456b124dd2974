"""Which session a kiosk token opens.

A kiosk link works while its session is scheduled or open, and for KIOSK_CLOSED_GRACE_MINUTES
after it closes (the kiosk then says "closed"); after that it is like an unknown token: no
page with the course's name, no check-in.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from attendance.models import AttendanceSession


def live_kiosk_sessions():
    cutoff = timezone.now() - timedelta(minutes=settings.KIOSK_CLOSED_GRACE_MINUTES)
    return AttendanceSession.objects.filter(Q(closed_at__isnull=True) | Q(closed_at__gt=cutoff))


def kiosk_session(token: str) -> AttendanceSession | None:
    return live_kiosk_sessions().select_related("course").filter(kiosk_token=token).first()
