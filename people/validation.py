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


# A course's face-distance tolerance (issue 10, point 13). Above 0.65 the sample strangers
# start to match enrolled people; below 0.3 the enrolled people's own photos stop matching.
TOLERANCE_MIN = 0.3
TOLERANCE_MAX = 0.65


def check_tolerance(value) -> None:
    if value is not None and not TOLERANCE_MIN <= value <= TOLERANCE_MAX:
        raise ValidationError(
            f"Use a distance between {TOLERANCE_MIN} and {TOLERANCE_MAX} (default 0.6)."
        )


def capped_tolerance(value: float) -> float:
    """A stored value from before the cap is used within it."""
    return min(max(value, TOLERANCE_MIN), TOLERANCE_MAX)
