"""When a class photo's picture is deleted: it stays while its session is open (the live page
shows it again after a reload, boxes and names over it), and goes when the session closes,
unless check-in snapshots are kept (CHECKIN_SNAPSHOT_RETENTION_DAYS > 0: then N days after
the upload). A session left open for more than a day loses its pictures too."""

from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from attendance.models import ClassPhoto

LONGEST_KEPT_WHILE_OPEN = timedelta(days=1)


def retention() -> timedelta:
    return timedelta(days=max(settings.CHECKIN_SNAPSHOT_RETENTION_DAYS, 0))


def delete_pictures(photos) -> int:
    """Delete the pictures of `photos` once the transaction commits (rows and results stay)."""
    count = 0
    for photo in photos.exclude(image="").only("pk", "image"):
        name, storage = photo.image.name, photo.image.storage
        ClassPhoto.objects.filter(pk=photo.pk).update(image="")
        transaction.on_commit(partial(storage.delete, name))
        count += 1
    return count


def forget_at_close(session) -> int:
    """Closing a session: its pictures go now, unless snapshots are kept."""
    if retention():
        return 0
    return delete_pictures(ClassPhoto.objects.filter(session=session))


def purge_kept_class_photos(*, now=None) -> int:
    """Pictures past the retention once their session is closed, and any older than a day."""
    now = now or timezone.now()
    expired = Q(session__closed_at__isnull=False, uploaded_at__lt=now - retention())
    stale = Q(uploaded_at__lt=now - max(retention(), LONGEST_KEPT_WHILE_OPEN))
    return delete_pictures(ClassPhoto.objects.filter(expired | stale))
