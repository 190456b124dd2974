"""Checks on the fields of people, courses and settings. The model fields carry them as
validators, so the admin, the API (model serializers), the dashboard's model forms and every
import apply the same rule."""

from functools import lru_cache
from zoneinfo import available_timezones

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _


def check_consent_date(value) -> None:
    """Consent is recorded on a real, past date: not in the future, not before 1900."""
    if value is None:
        return
    if value > timezone.localdate():
        raise ValidationError(_("The consent date cannot be in the future."))
    if value.year < 1900:
        raise ValidationError(_("Use the date on which consent was actually recorded."))


# A course's face-distance tolerance. Above 0.65 the sample strangers
# start to match enrolled people; below 0.3 the enrolled people's own photos stop matching.
TOLERANCE_MIN = 0.3
TOLERANCE_MAX = 0.65


def _check_between(value, low: float, high: float, message: str) -> None:
    if value is not None and not low <= value <= high:
        raise ValidationError(message)


def check_tolerance(value) -> None:
    message = _("Use a distance between %(low)s and %(high)s (default 0.6).") % {
        "low": TOLERANCE_MIN,
        "high": TOLERANCE_MAX,
    }
    _check_between(value, TOLERANCE_MIN, TOLERANCE_MAX, message)


# The three strictness levels a teacher chooses from (dashboard calibration panel), each
# within the cap: Balanced is dlib's usual 0.6.
TOLERANCE_LEVELS = {"strict": 0.5, "balanced": 0.6, "lenient": TOLERANCE_MAX}


def capped_tolerance(value: float) -> float:
    """A stored value from before the cap is used within it."""
    return min(max(value, TOLERANCE_MIN), TOLERANCE_MAX)


REVIEW_MARGIN_MIN = 0.0
REVIEW_MARGIN_MAX = 0.3


def check_review_margin(value) -> None:
    """Beyond the tolerance plus 0.3 a face is a stranger, not a borderline case."""
    message = _("Use a distance between %(low)g (no reviews) and %(high)g (default 0.06).") % {
        "low": REVIEW_MARGIN_MIN,
        "high": REVIEW_MARGIN_MAX,
    }
    _check_between(value, REVIEW_MARGIN_MIN, REVIEW_MARGIN_MAX, message)


@lru_cache(maxsize=1)
def zone_names() -> list[str]:
    """The IANA zones people choose from (the Area/City names, and UTC)."""
    return sorted(name for name in available_timezones() if "/" in name or name == "UTC")


def is_time_zone(name: str) -> bool:
    return name in zone_names()


def validate_time_zone(value: str) -> None:
    if not is_time_zone(value):
        raise ValidationError(
            _("“%(zone)s” is not a time zone name such as Europe/Berlin.") % {"zone": value}
        )
