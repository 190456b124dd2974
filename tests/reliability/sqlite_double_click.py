"""Two simultaneous "Close session" requests on the development database (SQLite in a file).

    python -m tests.reliability.sqlite_double_click ROUNDS

Run by test_sqlite_locking.py in a fresh process (the test database is in memory, where
SQLite never locks). Each round closes a fresh session from two threads at once through the
same service as the "Close session" button; prints how many rounds raised "database is
locked" (OperationalError), which the page showed as a 500.
"""

import os
import sys
import tempfile
import threading
from pathlib import Path


def main(rounds: int) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="sqlite-double-click-"))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="attendance_site.settings",
        DATABASE_URL=f"sqlite:///{workdir / 'db.sqlite3'}",
        REDIS_URL="",
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import OperationalError, connections

    call_command("migrate", verbosity=0)
    from attendance import services
    from tests.api.conftest import open_session_of
    from tests.factories import CourseFactory, PersonFactory

    course = CourseFactory()
    course.roster.add(*[PersonFactory() for _ in range(30)])
    locked = 0
    for _ in range(rounds):
        session = open_session_of(course)
        barrier = threading.Barrier(2)
        errors = []

        def click(session_id=session.pk, barrier=barrier, errors=errors):
            from attendance.models import AttendanceSession

            try:
                mine = AttendanceSession.objects.get(pk=session_id)
                barrier.wait()
                services.close_session(session=mine)
            except services.SessionStateError:
                pass  # "already closed": the second click's expected answer
            except OperationalError as error:
                errors.append(str(error))
            finally:
                connections.close_all()

        threads = [threading.Thread(target=click) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        locked += bool(errors)
    print(f"locked {locked} of {rounds}")


if __name__ == "__main__":
    main(int(sys.argv[1]))
