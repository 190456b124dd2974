"""Which time zone times are shown and entered in: the teacher's own, else the school's
(chosen at first run), else the TIME_ZONE setting."""

from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError

from people.models import SchoolSettings, TeacherProfile

CACHE_KEY = "school-time-zone"


class UnknownTimeZone(ValueError):
    pass


@lru_cache(maxsize=1)
def zone_names() -> list[str]:
    return sorted(name for name in available_timezones() if "/" in name or name == "UTC")


def check_zone(name: str) -> str:
    name = (name or "").strip()
    if name not in zone_names():
        raise UnknownTimeZone(f"“{name}” is not a time zone name such as Europe/Berlin.")
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
        cache.set(CACHE_KEY, name, 60)
    return name


def set_school_time_zone(name: str) -> str:
    name = check_zone(name)
    SchoolSettings.objects.update_or_create(pk=1, defaults={"time_zone": name})
    cache.delete(CACHE_KEY)
    return name


def teacher_time_zone(user) -> str:
    """The zone of `user`'s pages: their own if they chose one, else the school's."""
    if user is not None and user.is_authenticated:
        profile = TeacherProfile.objects.filter(user=user).first()
        if profile and profile.time_zone:
            return profile.time_zone
    return school_time_zone()


def set_teacher_time_zone(*, user, name: str) -> str:
    """An empty name goes back to the school's zone."""
    name = check_zone(name) if name else ""
    TeacherProfile.objects.update_or_create(user=user, defaults={"time_zone": name})
    return name


def as_zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)
