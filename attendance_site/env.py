"""Typed readers for settings from the environment.

Each reader fails with ImproperlyConfigured naming the variable and the bad value, so a
typo in a deployment stops the process at start-up instead of misbehaving later.
"""

import ipaddress
import os
import re
import zoneinfo

import environ
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_DATABASE_SCHEMES = ("sqlite", "postgres", "postgresql", "pgsql", "psql")


def env_str(name: str, default: str = "") -> str:
    """The variable's value, or the contents of the file named by NAME_FILE (a mounted
    secret). A NAME_FILE that cannot be read stops the start-up; setting both is an error."""
    secret_file = os.environ.get(f"{name}_FILE", "").strip()
    if not secret_file:
        return os.environ.get(name, default).strip()
    if os.environ.get(name, "").strip():
        raise ImproperlyConfigured(f"Set {name} or {name}_FILE, not both.")
    try:
        with open(secret_file, encoding="utf-8") as handle:
            return handle.read().strip()
    except OSError as exc:
        raise ImproperlyConfigured(
            f"{name}_FILE names a file that cannot be read: {secret_file!r} ({exc.strerror})."
        ) from None


def env_bool(name: str, default: bool) -> bool:
    raw = env_str(name)
    if not raw:
        return default
    if raw.lower() in _TRUE:
        return True
    if raw.lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false (1/0, yes/no), got {raw!r}.")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = env_str(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {raw!r}.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}.")
    return value


def env_float(name: str, default: float, *, minimum: float, maximum: float) -> float:
    raw = env_str(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, got {raw!r}.") from None
    if not minimum <= value <= maximum:
        raise ImproperlyConfigured(f"{name} must be between {minimum} and {maximum}, got {value}.")
    return value


_RATE = re.compile(r"^[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)$")


def env_rate(name: str, default: str) -> str:
    """A rate limit such as "120/min" (s, min, hour, day), or empty for none."""
    value = env_str(name, default)
    if value and not _RATE.match(value):
        raise ImproperlyConfigured(
            f"{name} must look like 120/min (per s, min, hour or day) or be empty, got {value!r}."
        )
    return value


def env_timezone(name: str, default: str) -> str:
    value = env_str(name, default)
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(
            f"{name} must be a time zone such as Europe/London, got {value!r}."
        ) from None
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = env_str(name)
    if not raw:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = env_str(name, default)
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, got {value!r}.")
    return value


def database_config(name: str, default_url: str) -> dict:
    url = env_str(name, default_url)
    scheme = url.split("://", 1)[0].lower()
    if "://" not in url or scheme not in _DATABASE_SCHEMES:
        raise ImproperlyConfigured(f"{name} must be a sqlite:/// or postgres:// URL, got {url!r}.")
    config = environ.Env.db_url_config(url)
    if not config.get("NAME"):
        raise ImproperlyConfigured(f"{name} names no database: {url!r}.")
    return config


def redis_url(name: str) -> str:
    url = env_str(name)
    if url and not url.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(f"{name} must be a redis:// URL, got {url!r}.")
    return url


def secret_key(*, debug: bool, key_file) -> str:
    """SECRET_KEY from the environment; in development, one generated once and kept locally."""
    key = env_str("SECRET_KEY")
    if key:
        return key
    if not debug:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false.")
    if not key_file.exists():
        from django.core.management.utils import get_random_secret_key

        key_file.write_text(get_random_secret_key())
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def env_networks(name: str, default: list[str]) -> list:
    """A comma-separated list of networks (10.0.0.0/8, ::1/128) or single addresses."""
    networks = []
    for item in env_list(name, default):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name} must list networks such as 10.0.0.0/8 or addresses, got {item!r}."
            ) from None
    return networks
