"""The unrecognised-attempts log: when unknown faces came to the kiosk, per session.

A face held in front of the kiosk is sent every 0.7 s, so attempts of one session closer
than ATTEMPT_GAP_SECONDS count once. The face crop is kept only when check-in snapshots are
retained (CHECKIN_SNAPSHOT_RETENTION_DAYS > 0), and for that many days.
"""

from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone

from attendance.crops import face_crop_jpeg
from attendance.models import UnrecognisedAttempt
from attendance.reviews import delete_crop_file

ATTEMPT_GAP_SECONDS = 5


def log_unrecognised(*, session, image, box, when) -> UnrecognisedAttempt | None:
    recent = when - timedelta(seconds=ATTEMPT_GAP_SECONDS)
    if session.unrecognised_attempts.filter(seen_at__gt=recent).exists():
        return None
    attempt = UnrecognisedAttempt(session=session, seen_at=when)
    if settings.CHECKIN_SNAPSHOT_RETENTION_DAYS > 0:
        attempt.crop.save("face.jpg", ContentFile(face_crop_jpeg(image, box)), save=False)
    attempt.save()
    return attempt


def purge_expired_attempt_crops(*, now=None) -> int:
    """Crops older than the retention period go; the time of the attempt stays."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.CHECKIN_SNAPSHOT_RETENTION_DAYS)
    old = list(UnrecognisedAttempt.objects.filter(seen_at__lt=cutoff).exclude(crop=""))
    for attempt in old:
        delete_crop_file(attempt.crop)
    UnrecognisedAttempt.objects.filter(pk__in=[a.pk for a in old]).update(crop="")
    return len(old)
