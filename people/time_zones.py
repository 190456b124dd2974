"""Which time zone times are shown and entered in: the teacher's own, else the school's
(chosen at first run), else the TIME_ZONE setting.

The model fields refuse unknown zones (people.validation). A stored name that is not a zone
all the same (written around the models, or a zone a newer tzdata dropped) is never used: the
teacher's falls back to the school's, the school's to TIME_ZONE, each with a logged warning,
so one bad value cannot turn pages into errors.
"""

import logging
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.utils.translation import gettext as _

from people.models import SchoolSettings, TeacherProfile
from people.selectors import teacher_profile
from people.validation import is_time_zone, zone_names

logger = logging.getLogger(__name__)

CACHE_KEY = "school-time-zone"


class UnknownTimeZone(ValueError):
    pass


def check_zone(name: str) -> str:
    name = (name or "").strip()
    if name not in zone_names():
        raise UnknownTimeZone(
            _("“%(name)s” is not a time zone name such as Europe/Berlin.") % {"name": name}
        )
    return name


def school_time_zone() -> str:
    """Read once a minute at most (every request needs it, the kiosk's too). Before the
    first migration (e.g. /healthz of a fresh start) it is the TIME_ZONE setting."""
    name = cache.get(CACHE_KEY)
    if name is None:
        try:
            row = SchoolSettings.objects.filter(pk=1).first()
        except DatabaseError:
            return settings.TIME_ZONE
        name = row.time_zone if row else settings.TIME_ZONE
        if not is_time_zone(name):
            logger.warning(
                "The school's stored time zone %r is not a time zone; using %s.",
                name,
                settings.TIME_ZONE,
            )
            name = settings.TIME_ZONE
        cache.set(CACHE_KEY, name, 60)
    return name


def set_school_time_zone(name: str) -> str:
    name = check_zone(name)
    SchoolSettings.objects.update_or_create(pk=1, defaults={"time_zone": name})
    cache.delete(CACHE_KEY)
    return name


def teacher_time_zone(user) -> str:
    """The zone of `user`'s pages: their own if they chose one, else the school's."""
    return profile_time_zone(teacher_profile(user))


def profile_time_zone(profile) -> str:
    if profile and profile.time_zone:
        if is_time_zone(profile.time_zone):
            return profile.time_zone
        logger.warning(
            "The stored time zone %r of user %s is not a time zone; using the school's.",
            profile.time_zone,
            profile.user_id,
        )
    return school_time_zone()


def set_teacher_time_zone(*, user, name: str) -> str:
    """An empty name goes back to the school's zone."""
    name = check_zone(name) if name else ""
    TeacherProfile.objects.update_or_create(user=user, defaults={"time_zone": name})
    return name


def as_zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)
