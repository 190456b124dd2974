"""Checks on people's fields shared by the API, the dashboard and the admin (issue 10, point 16)."""

from django.core.exceptions import ValidationError
from django.utils import timezone


def check_consent_date(value) -> None:
    """Consent is recorded on a real, past date: not in the future, not before 1900."""
    if value is None:
        return
    if value > timezone.localdate():
        raise ValidationError("The consent date cannot be in the future.")
    if value.year < 1900:
        raise ValidationError("Use the date on which consent was actually recorded.")
