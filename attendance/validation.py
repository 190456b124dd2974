"""Limits on session times, shared by the API, the dashboard and the admin.

A session dated 9999-12-31 used to be accepted, and then every check-in and the session page
failed computing its late threshold (OverflowError). Sessions are within a few years of
today, last at most a day, and are late after a time inside the session.
"""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

YEARS_AROUND_TODAY = 5
MAX_SESSION_LENGTH = timedelta(hours=24)


def session_time_errors(*, starts_at, ends_at, late_after_minutes) -> dict[str, str]:
    """Field name -> message for each broken rule (empty when the times are fine)."""
    errors = {}
    now = timezone.now()
    window = timedelta(days=365 * YEARS_AROUND_TODAY + 2)
    for field, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if value is not None and not now - window <= value <= now + window:
            errors[field] = _("Use a date within %(years)s years of today.") % {
                "years": YEARS_AROUND_TODAY
            }
    if errors or starts_at is None or ends_at is None or ends_at <= starts_at:
        return errors
    length = ends_at - starts_at
    if length > MAX_SESSION_LENGTH:
        errors["ends_at"] = _("A session lasts at most 24 hours.")
    elif late_after_minutes is not None and timedelta(minutes=late_after_minutes) > length:
        errors["late_after_minutes"] = _(
            "Use at most %(minutes)s minutes: the session's length."
        ) % {"minutes": int(length.total_seconds() // 60)}
    return errors
