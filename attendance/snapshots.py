"""Keeping and purging check-in snapshots (biometric data: off unless configured)."""

from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from attendance.models import AttendanceSession, CheckInSnapshot


def keep_snapshot(*, session: AttendanceSession, source, person_ids) -> CheckInSnapshot | None:
    """Store the frame (an uploaded file) only when retention is configured."""
    if settings.CHECKIN_SNAPSHOT_RETENTION_DAYS <= 0:
        return None
    source.seek(0)
    snapshot = CheckInSnapshot(session=session)
    snapshot.image.save("frame.jpg", ContentFile(source.read()), save=True)
    snapshot.people.set(person_ids)
    return snapshot


def delete_snapshots(snapshots) -> int:
    """Rows and their files (the files once the deletion is committed)."""
    snapshots = list(snapshots)
    for snapshot in snapshots:
        transaction.on_commit(partial(snapshot.image.storage.delete, snapshot.image.name))
    CheckInSnapshot.objects.filter(pk__in=[s.pk for s in snapshots]).delete()
    return len(snapshots)


def purge_expired_snapshots(*, now=None) -> int:
    days = max(settings.CHECKIN_SNAPSHOT_RETENTION_DAYS, 0)
    cutoff = (now or timezone.now()) - timedelta(days=days)
    return delete_snapshots(CheckInSnapshot.objects.filter(taken_at__lt=cutoff))
