import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from attendance_site import env
from tests.conftest import PROJECT_ROOT


def test_it_reads_booleans_and_rejects_anything_else(monkeypatch):
    monkeypatch.setenv("DEBUG", "no")
    assert env.env_bool("DEBUG", True) is False
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="DEBUG must be true or false"):
        env.env_bool("DEBUG", True)


def test_it_rejects_a_database_url_of_an_unsupported_kind(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "mysql://root@localhost/school")
    with pytest.raises(ImproperlyConfigured, match="sqlite:/// or postgres://"):
        env.database_config("DATABASE_URL", "sqlite:///x.db")


def test_it_rejects_a_tolerance_out_of_range(monkeypatch):
    monkeypatch.setenv("RECOGNITION_TOLERANCE", "7")
    with pytest.raises(ImproperlyConfigured, match="between 0.1 and 1.0"):
        env.env_float("RECOGNITION_TOLERANCE", 0.6, minimum=0.1, maximum=1.0)


def test_it_generates_a_development_secret_key_once(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    key_file = tmp_path / ".secret_key"
    first = env.secret_key(debug=True, key_file=key_file)
    assert len(first) >= 40
    assert env.secret_key(debug=True, key_file=key_file) == first


def _run_python(*args: str, **overrides) -> subprocess.CompletedProcess:
    """A fresh interpreter, so the settings module is read again with this environment."""
    environment = {**os.environ, **overrides}
    environment.setdefault("DJANGO_SETTINGS_MODULE", "attendance_site.settings")
    return subprocess.run(
        [sys.executable, *args],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _manage_check(**overrides) -> subprocess.CompletedProcess:
    return _run_python("manage.py", "check", **overrides)


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage_check(DEBUG="false", SECRET_KEY="", ALLOWED_HOSTS="school.example")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is false" in result.stderr


def test_a_bad_redis_url_stops_start_up_with_its_name():
    result = _manage_check(REDIS_URL="localhost:6379")
    assert result.returncode != 0
    assert "REDIS_URL must be a redis:// URL" in result.stderr


PRODUCTION_PROBE = """
import django
django.setup()
from django.test import Client
response = Client().get("/healthz", secure=True, HTTP_HOST="school.example")
print("HSTS", response.headers.get("Strict-Transport-Security"))
print("CSP", response.headers.get("Content-Security-Policy"))
from django.conf import settings
print("COOKIES", settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE)
"""


def production_env() -> dict:
    return {
        "DEBUG": "false",
        "SECRET_KEY": "k8#pQ2vZ!m4Lr9tW7yB1nC6dF3hJ5sX0aE" * 2,
        "ALLOWED_HOSTS": "school.example",
    }


def test_production_settings_pass_the_deployment_checklist():
    result = _run_python(
        "manage.py", "check", "--deploy", "--fail-level", "WARNING", **production_env()
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout + result.stderr


def test_production_sends_hsts_csp_and_secure_cookies_over_https():
    result = _run_python("-c", PRODUCTION_PROBE, **production_env())
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    assert lines["HSTS"].startswith("max-age=31536000")
    assert "script-src 'self'" in lines["CSP"]
    assert "frame-ancestors 'none'" in lines["CSP"]
    assert lines["COOKIES"] == "True True"
