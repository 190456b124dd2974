"""SQLite, the database of `make run`: a double-click on a button that
writes (here "Close session") must not fail with "database is locked"."""

import os
import subprocess
import sys

from tests.conftest import PROJECT_ROOT


def test_a_double_click_on_close_session_never_finds_the_database_locked():
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    result = subprocess.run(
        [sys.executable, "-m", "tests.reliability.sqlite_double_click", "10"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "locked 0 of 10" in result.stdout, result.stdout
