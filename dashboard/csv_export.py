"""The course report as CSV that spreadsheets open correctly.

UTF-8 with a byte-order mark (Excel otherwise guesses a legacy encoding and garbles names),
one header row, one row per student. Cells that a spreadsheet would run as a formula
(a name typed as "=HYPERLINK(...)") are prefixed with an apostrophe.
"""

import csv
from collections.abc import Iterable, Iterator

from django.utils import timezone

from dashboard.reports import StudentRow

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def session_heading(session) -> str:
    when = timezone.localtime(session.starts_at).strftime("%Y-%m-%d %H:%M %Z")
    return f"{when} {session.title}".strip()


class Line:
    """A csv writer's file that hands back each line instead of keeping it."""

    def write(self, value: str) -> str:
        return value


def report_lines(sessions, rows: Iterable[StudentRow]) -> Iterator[str]:
    """The CSV a line at a time, for a StreamingHttpResponse over every student."""
    writer = csv.writer(Line())
    headings = [session_heading(session) for session in sessions]
    yield BOM + writer.writerow(
        [
            "Student",
            "Student number",
            *headings,
            "Attended",
            "Counted",
            "Rate (%)",
            "Liveness passed",
        ]
    )
    for row in rows:
        rate = "" if row.rate is None else f"{row.rate * 100:.0f}"
        statuses = [status or "" for status in row.statuses]
        yield writer.writerow(
            [
                safe_cell(row.person.full_name),
                safe_cell(row.person.external_id),
                *statuses,
                row.attended,
                row.counted,
                rate,
                row.live_count,
            ]
        )


def report_filename(course) -> str:
    name = " ".join(course.name.replace("/", " ").replace("\\", " ").split())
    return f"{name} attendance.csv"
