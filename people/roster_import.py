"""Roster import from a CSV file: read, check every row, then add all students or none.

The file is what a spreadsheet exports: UTF-8 with or without a byte-order mark, `;` or `,`
between fields, a header row whose names may vary ("Name", "Full name", "Student ID", "First
name" and "Last name", in English, Spanish, French or German). A date such as 01/09/2026 reads
as day/month or month/day as the teacher says (`date_order`); the preview flags each date that
would read differently the other way, and lists the columns it does not use.
`preview_roster` says, row by row, what would happen and what is wrong; `import_roster`
adds the students through `services.add_student` (the same rules as the form and the API),
in one transaction, and refuses the whole file while any row has an error.

The check (the dry run, `preview_roster`) always runs in the request: it does no writes,
and the teacher needs its row-by-row errors in the answer to fix the file. Adding the
students is always a background job (`start_roster_import` queues a RosterImportJob through
jobs.durable, `run_roster_import` checks the file again and adds it, all or nothing), so no
roster holds a web worker; `job_progress` says how far it got (the rows added so far are
counted in the cache, since the job's own transaction shows nothing before it commits). The
training its new students request is a background job like any other.
"""

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext

from jobs import durable
from people.models import Course, Person, RosterImportJob
from people.selectors import people_for
from people.services import StudentNumberTaken, add_student

MAX_ROWS = 2000
PROGRESS_EVERY = 25  # rows between two progress reports of a running import
DAY_FIRST, MONTH_FIRST = RosterImportJob.DateOrder.DAY_FIRST, RosterImportJob.DateOrder.MONTH_FIRST
# Where a school writes the month first: the default for a teacher in these zones.
MONTH_FIRST_ZONES = (
    "US/",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Phoenix",
    "America/Anchorage",
    "America/Adak",
    "America/Boise",
    "America/Detroit",
    "America/Indiana/",
    "America/Kentucky/",
    "America/North_Dakota/",
    "America/Juneau",
    "America/Sitka",
    "America/Nome",
    "America/Yakutat",
    "America/Menominee",
    "Pacific/Honolulu",
    "Asia/Manila",
)
NUMERIC_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
# Header names after normalise_header (lower case, accents and punctuation dropped).
COLUMNS = {
    "full_name": {
        "fullname",
        "name",
        "studentname",
        "student",
        "pupil",
        "pupilname",
        "nombrecompleto",
        "nomcomplet",
        "nom",
        "vollstandigername",
        "vollername",
    },
    "first_name": {
        "firstname",
        "firstnames",
        "givenname",
        "givennames",
        "forename",
        "forenames",
        "nombre",
        "prenom",
        "vorname",
    },
    "last_name": {
        "lastname",
        "surname",
        "familyname",
        "apellido",
        "apellidos",
        "nomdefamille",
        "nachname",
        "familienname",
    },
    "external_id": {
        "studentnumber",
        "studentno",
        "studentid",
        "number",
        "id",
        "externalid",
        "matriculation",
        "pupilnumber",
        "numerodeestudiante",
        "matricula",
        "numerodetudiant",
        "numeroeleve",
        "matricule",
        "matrikelnummer",
        "schulernummer",
    },
    "email": {
        "email",
        "mail",
        "emailaddress",
        "correo",
        "correoelectronico",
        "courriel",
        "adressemail",
    },
    "consent_recorded_on": {
        "consentdate",
        "consent",
        "consentrecordedon",
        "consentgivenon",
        "consentgiven",
        "consenton",
        "consentimiento",
        "fechadeconsentimiento",
        "consentement",
        "datedeconsentement",
        "einwilligung",
        "einwilligungsdatum",
    },
}
# "Name" next to "First name" is the family name (German "Vorname, Name"; French "Prénom, Nom").
FAMILY_NAME_WITH_FIRST = {"name", "nom"}
TEMPLATE_HEADER = ("First name", "Last name", "Student number", "E-mail", "Consent date")
TEMPLATE_ROWS = (
    ("Ada", "Lovelace", "S001", "ada@example.org", "2026-09-01"),
    ("Alan", "Turing", "S002", "", ""),
)


NUMBERS_TAKEN = gettext_noop(
    "Nothing was imported: some student numbers in this file cannot be used for this course. "
    "Ask an administrator to add those students."
)


class RosterFileError(ValueError):
    """The file as a whole cannot be read as a roster (nothing is imported)."""


class RosterRowsInvalid(ValueError):
    """Rows of the file have errors, so nothing was imported; `details` says row by row."""

    def __init__(self, preview: "RosterPreview", *, details: dict):
        if preview.rows:
            message = ngettext(
                "Nothing was added: %(count)s row has errors.",
                "Nothing was added: %(count)s rows have errors.",
                preview.error_count,
            ) % {"count": preview.error_count}
        else:
            message = _("Nothing was added: the file has no students.")
        super().__init__(message)
        self.details = details


@dataclass
class RosterRow:
    line: int
    full_name: str
    external_id: str
    email: str = ""
    consent_recorded_on: date | None = None
    errors: list[str] = field(default_factory=list)
    existing: bool = False  # the teacher already knows this student number
    date_ambiguous: bool = False  # the consent date reads differently in the other order

    def as_dict(self) -> dict:
        return {
            "line": self.line,
            "full_name": self.full_name,
            "external_id": self.external_id,
            "email": self.email,
            "consent_recorded_on": self.consent_recorded_on,
            "existing": self.existing,
            "date_ambiguous": self.date_ambiguous,
            "errors": self.errors,
        }


@dataclass
class RosterPreview:
    rows: list[RosterRow]
    ignored_columns: list[str] = field(default_factory=list)
    date_order: str = DAY_FIRST
    imported: int = 0
    job: RosterImportJob | None = None  # the background job adding the rows, when queued

    @property
    def valid(self) -> bool:
        return bool(self.rows) and not any(row.errors for row in self.rows)

    @property
    def error_count(self) -> int:
        return sum(1 for row in self.rows if row.errors)

    @property
    def ambiguous_dates(self) -> int:
        return sum(1 for row in self.rows if row.date_ambiguous)

    def as_dict(self) -> dict:
        return {
            "valid": self.valid,
            "rows": [row.as_dict() for row in self.rows],
            "errors": self.error_count,
            "imported": self.imported,
            "date_order": self.date_order,
            "ambiguous_dates": self.ambiguous_dates,
            "ignored_columns": self.ignored_columns,
        }


def default_date_order(time_zone: str) -> str:
    """Month first where the teacher's zone writes dates that way, else day first."""
    return MONTH_FIRST if time_zone.startswith(MONTH_FIRST_ZONES) else DAY_FIRST


def template_csv() -> str:
    """An example file a teacher fills in: the header names every column the import reads."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_(name) for name in TEMPLATE_HEADER])
    writer.writerows(TEMPLATE_ROWS)
    return buffer.getvalue()


def decode(data: bytes) -> str:
    if len(data) > settings.ROSTER_IMPORT_MAX_BYTES:
        limit = settings.ROSTER_IMPORT_MAX_BYTES // 1024
        raise RosterFileError(
            _("The file is too large: a roster file may be at most %(limit)s KB.")
            % {"limit": limit}
        )
    if not data.strip():
        raise RosterFileError(_("The file is empty."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise RosterFileError(
            _(
                "The file is not UTF-8 text. In your spreadsheet, save it as “CSV UTF-8” "
                "(the first unreadable byte is at position %(start)s)."
            )
            % {"start": error.start}
        ) from None
    if not text.strip():  # e.g. only a byte-order mark
        raise RosterFileError(_("The file is empty."))
    return text


def normalise_header(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name.lower()).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", plain)


def column_map(header: list[str]) -> dict[str, int]:
    found = {}
    for index, name in enumerate(header):
        key = normalise_header(name)
        for column, aliases in COLUMNS.items():
            if key in aliases and column not in found:
                found[column] = index
    generic_name = normalise_header(header[found["full_name"]]) if "full_name" in found else ""
    if (
        "first_name" in found
        and "last_name" not in found
        and generic_name in FAMILY_NAME_WITH_FIRST
    ):
        found["last_name"] = found.pop("full_name")
    names = "full_name" in found or {"first_name", "last_name"} <= found.keys()
    missing = [_("full name (or first name and last name)")] if not names else []
    if "external_id" not in found:
        missing.append(_("student number"))
    if missing:
        seen = ", ".join(h.strip() for h in header if h.strip()) or _("nothing")
        raise RosterFileError(
            _(
                "The first row must name the columns; no %(missing)s column was found "
                "(found: %(seen)s)."
            )
            % {"missing": _(" or ").join(missing), "seen": seen}
        )
    return found


def ignored_columns(header: list[str], columns: dict[str, int]) -> list[str]:
    """The header's columns the import does not read, by name (or position when unnamed)."""
    used = set(columns.values())
    return [
        name.strip() or _("column %(number)d (no name)") % {"number": index + 1}
        for index, name in enumerate(header)
        if index not in used
    ]


def parse_date(text: str, order: str = DAY_FIRST) -> tuple[date, bool]:
    """The date, and whether the other order would read it as another valid date."""
    try:
        return datetime.strptime(text, "%Y-%m-%d").date(), False
    except ValueError:
        pass
    numeric = NUMERIC_DATE.fullmatch(text)
    readings = []
    if numeric:
        first, second, year = (int(part) for part in numeric.groups())
        day_first = [(year, second, first), (year, first, second)]
        for y, m, d in day_first if order == DAY_FIRST else day_first[::-1]:
            try:
                readings.append(date(y, m, d))
            except ValueError:
                continue
    if not readings:
        raise ValueError(_("“%(text)s” is not a date: write it as 2026-09-01.") % {"text": text})
    return readings[0], len(set(readings)) > 1


def read_rows(text: str, date_order: str = DAY_FIRST) -> tuple[list[RosterRow], list[str]]:
    first_line = text.splitlines()[0] if text.splitlines() else ""
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
        columns = column_map(header)
        rows = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise RosterFileError(
                    _("The file has more than %(limit)s students.") % {"limit": MAX_ROWS}
                )
            rows.append(read_row(reader.line_num, cells, columns, date_order))
    except csv.Error as error:
        raise RosterFileError(
            _("The file is not valid CSV: %(error)s.") % {"error": error}
        ) from None
    if not rows:
        raise RosterFileError(_("The file has a header but no students."))
    return rows, ignored_columns(header, columns)


def read_row(line: int, cells: list[str], columns: dict[str, int], date_order: str) -> RosterRow:
    def cell(column: str) -> str:
        index = columns.get(column)
        return " ".join(cells[index].split()) if index is not None and index < len(cells) else ""

    full_name = cell("full_name") or " ".join(
        part for part in (cell("first_name"), cell("last_name")) if part
    )
    row = RosterRow(line=line, full_name=full_name, external_id=cell("external_id"))
    row.email = cell("email")
    if any("\x00" in text for text in cells):  # no database stores it in a text column
        row.errors.append(_("This line holds a NUL character (byte 0): remove it."))
    if not row.full_name:
        row.errors.append(_("The full name is missing."))
    elif len(row.full_name) > Person._meta.get_field("full_name").max_length:
        row.errors.append(_("The full name is too long (at most 200 characters)."))
    if not row.external_id:
        row.errors.append(_("The student number is missing."))
    elif len(row.external_id) > Person._meta.get_field("external_id").max_length:
        row.errors.append(_("The student number is too long (at most 64 characters)."))
    if row.email:
        try:
            validate_email(row.email)
        except ValidationError:
            row.errors.append(_("“%(email)s” is not an e-mail address.") % {"email": row.email})
    consent = cell("consent_recorded_on")
    if consent:
        try:
            row.consent_recorded_on, row.date_ambiguous = parse_date(consent, date_order)
        except ValueError as error:
            row.errors.append(str(error))
        else:
            if row.consent_recorded_on > timezone.localdate():
                row.errors.append(_("The consent date is in the future."))
    return row


def check_against_database(rows: list[RosterRow], *, added_by) -> None:
    """Duplicates within the file, and which students the teacher already knows.

    Whether a number belongs to a student of another teacher is not said per row: a dry run
    of thousands of numbers would reveal who studies elsewhere. Such a file fails as a whole
    at import (`import_roster`), naming no number.
    """
    seen: dict[str, int] = {}
    for row in rows:
        if row.external_id in seen:
            row.errors.append(
                _("Student number %(external_id)s is also on line %(line)s.")
                % {"external_id": row.external_id, "line": seen[row.external_id]}
            )
        seen.setdefault(row.external_id, row.line)
    numbers = [row.external_id for row in rows if row.external_id]
    known = set(
        people_for(added_by).filter(external_id__in=numbers).values_list("external_id", flat=True)
    )
    for row in rows:
        row.existing = row.external_id in known


def preview_roster(*, data: bytes, added_by, date_order: str = DAY_FIRST) -> RosterPreview:
    """Read and check the whole file; raises RosterFileError when it cannot be read at all."""
    rows, ignored = read_rows(decode(data), date_order)
    check_against_database(rows, added_by=added_by)
    return RosterPreview(rows=rows, ignored_columns=ignored, date_order=date_order)


def import_roster(
    *,
    course: Course,
    data: bytes,
    added_by,
    dry_run: bool = False,
    date_order: str = DAY_FIRST,
    on_progress=None,
) -> RosterPreview:
    """All or nothing: with any row in error (or dry_run), nothing is added. `on_progress(n)`
    is told every PROGRESS_EVERY rows how many were added so far."""
    preview = preview_roster(data=data, added_by=added_by, date_order=date_order)
    if dry_run or not preview.valid:
        return preview
    try:
        with transaction.atomic():
            for count, row in enumerate(preview.rows, start=1):
                _add_row(course, row, added_by)
                if on_progress and count % PROGRESS_EVERY == 0:
                    on_progress(count)
    except StudentNumberTaken:
        raise RosterFileError(_(NUMBERS_TAKEN)) from None
    preview.imported = len(preview.rows)
    return preview


def _add_row(course: Course, row: RosterRow, added_by) -> None:
    person = add_student(
        course=course,
        full_name=row.full_name,
        external_id=row.external_id,
        consent_recorded_on=row.consent_recorded_on,
        added_by=added_by,
    )
    if row.email and not person.email:
        person.email = row.email
        person.save(update_fields=["email", "updated_at"])


def start_roster_import(
    *, course: Course, data: bytes, added_by, date_order: str = DAY_FIRST
) -> RosterPreview:
    """A confirmed import: the file is checked now (row errors in the answer, nothing added);
    a valid file is added by a background job (`preview.job`), queued once the request's
    transaction commits."""
    preview = preview_roster(data=data, added_by=added_by, date_order=date_order)
    if not preview.valid:
        return preview
    preview.job = RosterImportJob.objects.create(
        course=course,
        created_by=added_by,
        data=decode(data),
        date_order=date_order,
        total=len(preview.rows),
    )
    cache.delete(_progress_key(preview.job.pk))  # a count left by a database since reset
    durable.enqueue(preview.job)  # with the broker down the job stays queued for the sweep
    return preview


class _Superseded(Exception):
    """Another delivery claimed the job meanwhile: this one's students are rolled back."""


def run_roster_import(*, job_id: int) -> str | None:
    """Check the kept file again (the database may have changed since the preview) and add
    every student, all or none; the job stores the count, or the file's or rows' errors."""
    job = durable.claim(RosterImportJob, job_id)
    if job is None:
        return None
    cache.delete(_progress_key(job.pk))  # each attempt counts from zero
    ended = {"data": "", "finished_at": timezone.now()}
    try:
        if job.created_by is None:
            raise RosterFileError(_("The account that started this import no longer exists."))
        with transaction.atomic():
            preview = import_roster(
                course=job.course,
                data=job.data.encode(),
                added_by=job.created_by,
                date_order=job.date_order,
                on_progress=partial(cache.set, _progress_key(job.pk), timeout=PROGRESS_TTL),
            )
            if preview.imported:
                stored = durable.finish(
                    job, RosterImportJob.State.DONE, imported=preview.imported, **ended
                )
            else:
                stored = durable.fail(
                    job,
                    str(RosterRowsInvalid(preview, details={})),
                    row_errors=[_row_error(row) for row in preview.rows if row.errors],
                    **ended,
                )
            if not stored:
                raise _Superseded
    except _Superseded:
        return None
    except (RosterFileError, StudentNumberTaken) as error:
        durable.fail(job, str(error), **ended)
    return job.state


PROGRESS_TTL = 3600
STATE_WORDS = {
    RosterImportJob.State.QUEUED: gettext_lazy("Waiting to start"),
    RosterImportJob.State.RUNNING: gettext_lazy("Adding the students…"),
    RosterImportJob.State.DONE: gettext_lazy("Students added"),
    RosterImportJob.State.FAILED: gettext_lazy("Nothing was added"),
}


def _progress_key(job_id: int) -> str:
    return f"roster-import-{job_id}-added"


def job_progress(job: RosterImportJob) -> dict:
    """The job as its page and the API show it: state, rows added of the total, errors."""
    State = RosterImportJob.State
    if job.state == State.DONE:
        done = job.imported
    elif job.state == State.FAILED:
        done = 0
    else:
        done = min(cache.get(_progress_key(job.pk), 0), job.total)
    return {
        "id": job.pk,
        "course": job.course_id,
        "state": job.state,
        "state_display": str(STATE_WORDS.get(job.state, job.get_state_display())),
        "total": job.total,
        "done": done,
        "imported": job.imported,
        "error": job.error,
        "row_errors": job.row_errors,
        "finished": job.state in (State.DONE, State.FAILED),
    }


def _row_error(row: RosterRow) -> dict:
    return {
        "line": row.line,
        "full_name": row.full_name,
        "external_id": row.external_id,
        "errors": row.errors,
    }


def give_up(job: RosterImportJob) -> bool:
    """Out of attempts: the job fails with its reason and its file's text is dropped."""
    ended = {"data": "", "finished_at": timezone.now()}
    return durable.fail(job, job.job_gave_up_reason, mine=False, **ended)
