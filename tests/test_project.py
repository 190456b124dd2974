from io import StringIO

from django.core.management import call_command


def test_models_and_migrations_agree(db):
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_system_checks_are_clean():
    out = StringIO()
    call_command("check", stdout=out)
    assert "no issues" in out.getvalue()


def test_make_run_serves_on_the_host_and_port_given():
    """A kiosk tablet on the school network reaches `make run HOST=0.0.0.0 PORT=9000`."""
    import os
    import subprocess

    from tests.conftest import PROJECT_ROOT

    # Without REDIS_URL, as a newcomer runs it (with it, honcho starts runserver from
    # Procfile.dev with the same RUN_ADDRESS).
    env = {name: value for name, value in os.environ.items() if name != "REDIS_URL"}

    def dry_run(*args):
        done = subprocess.run(
            ["make", "-n", "run", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, env=env
        )
        return done.stdout

    assert "runserver 127.0.0.1:8000" in dry_run()
    assert "runserver 0.0.0.0:9000" in dry_run("HOST=0.0.0.0", "PORT=9000")
