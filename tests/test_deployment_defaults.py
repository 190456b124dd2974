"""Deployment defaults (issue 10, point 21): no HSTS preload unless asked, gunicorn on the
loopback address without advertising itself, a login lasting a school day, and every
environment variable the settings read validated at start-up and documented."""

import re
import runpy

import gunicorn.http.wsgi

from tests.conftest import PROJECT_ROOT
from tests.test_settings import PRODUCTION_PROBE, _manage_check, _run_python, production_env


def test_production_does_not_ask_browsers_to_preload_hsts():
    result = _run_python("-c", PRODUCTION_PROBE, **production_env())
    assert result.returncode == 0, result.stderr
    hsts = dict(line.split(" ", 1) for line in result.stdout.splitlines())["HSTS"]
    assert hsts.startswith("max-age=") and "preload" not in hsts


def test_a_login_lasts_a_school_day(settings):
    assert settings.SESSION_COOKIE_AGE == 10 * 3600


def test_gunicorn_listens_on_loopback_and_does_not_name_itself(monkeypatch):
    monkeypatch.setattr(gunicorn.http.wsgi, "SERVER", gunicorn.http.wsgi.SERVER)
    config = runpy.run_path(str(PROJECT_ROOT / "gunicorn.conf.py"))
    assert config["bind"].startswith("127.0.0.1:")
    assert "gunicorn" not in gunicorn.http.wsgi.SERVER.lower()


def test_a_mistyped_rate_stops_start_up_with_its_name():
    result = _manage_check(CHECKIN_RATE_PER_CREDENTIAL="120 per minute")
    assert result.returncode != 0
    assert "CHECKIN_RATE_PER_CREDENTIAL must look like 120/min" in result.stderr


def test_a_bad_time_zone_or_log_level_stops_start_up():
    assert "TIME_ZONE must be a time zone" in _manage_check(TIME_ZONE="Mars/Olympus").stderr
    assert "LOG_LEVEL must be one of" in _manage_check(LOG_LEVEL="LOUD").stderr


def settings_variables() -> set[str]:
    source = (PROJECT_ROOT / "attendance_site" / "settings.py").read_text()
    readers = r"(?:env_\w+|database_config|redis_url)\(\s*\"([A-Z][A-Z0-9_]+)\""
    return set(re.findall(readers, source)) | {"SECRET_KEY"}


def test_every_environment_variable_of_the_settings_is_documented():
    readme = "\n".join(
        path.read_text()
        for path in [PROJECT_ROOT / "README.md", *sorted((PROJECT_ROOT / "docs").glob("*.md"))]
    )
    assert len(settings_variables()) > 40
    missing = sorted(name for name in settings_variables() if f"`{name}`" not in readme)
    assert missing == []
