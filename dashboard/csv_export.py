"""The course report as CSV that spreadsheets open correctly.

UTF-8 with a byte-order mark (Excel otherwise guesses a legacy encoding and garbles names),
one header row, one row per student. Cells that a spreadsheet would run as a formula
(a name typed as "=HYPERLINK(...)") are prefixed with an apostrophe.
"""

import csv
import io

from django.utils import timezone

from dashboard.reports import CourseReport

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def session_heading(session) -> str:
    when = timezone.localtime(session.starts_at).strftime("%Y-%m-%d %H:%M %Z")
    return f"{when} {session.title}".strip()


def report_csv(report: CourseReport) -> str:
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer)
    headings = [session_heading(session) for session in report.sessions]
    writer.writerow(
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
    for row in report.rows:
        rate = "" if row.rate is None else f"{row.rate * 100:.0f}"
        statuses = [status or "" for status in row.statuses]
        writer.writerow(
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
    return buffer.getvalue()


def report_filename(report: CourseReport) -> str:
    name = " ".join(report.course.name.replace("/", " ").replace("\\", " ").split())
    return f"{name} attendance.csv"
