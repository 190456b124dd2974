"""The roster CSV as spreadsheets write it: first and last name columns (in a few languages),
dates whose day and month could be swapped (flagged, read in the order the teacher chose),
columns the import does not read (listed), and a template to start from."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from people import roster_import
from people.models import Person, TeacherProfile

pytestmark = pytest.mark.django_db


def preview(text: str, teacher, **options) -> roster_import.RosterPreview:
    return roster_import.preview_roster(data=text.encode(), added_by=teacher, **options)


@pytest.mark.parametrize(
    "header",
    [
        "First name;Last name;Student number",
        "first_name;LAST NAME;student id",
        "Given name;Surname;ID",
        "Nombre;Apellidos;Matrícula",
        "Prénom;Nom;Numéro d'étudiant",
        "Vorname;Nachname;Schülernummer",
        "Vorname;Name;Matrikelnummer",
    ],
)
def test_first_and_last_name_columns_make_the_full_name(teacher, header):
    result = preview(f"{header}\nAda;Lovelace;S1\n", teacher)
    assert [(row.full_name, row.external_id, row.errors) for row in result.rows] == [
        ("Ada Lovelace", "S1", [])
    ]
    assert result.ignored_columns == []


def test_a_file_without_any_name_column_says_what_it_needs(teacher):
    with pytest.raises(roster_import.RosterFileError, match="first name and last name"):
        preview("First name;Student number\nAda;S1\n", teacher)


def test_columns_the_import_does_not_read_are_listed(teacher):
    result = preview("Name;Class;Student number;;Phone\nAda Lovelace;5B;S1;;555\n", teacher)
    assert result.rows[0].errors == []
    assert result.ignored_columns == ["Class", "column 4 (no name)", "Phone"]


@pytest.mark.parametrize(
    ("order", "expected"),
    [("dmy", date(2026, 2, 1)), ("mdy", date(2026, 1, 2))],
)
def test_a_date_whose_day_and_month_could_swap_is_read_in_the_chosen_order_and_flagged(
    teacher, order, expected
):
    result = preview("Name;ID;Consent date\nAda;S1;01/02/2026\n", teacher, date_order=order)
    row = result.rows[0]
    assert (row.consent_recorded_on, row.date_ambiguous, row.errors) == (expected, True, [])
    assert result.ambiguous_dates == 1


@pytest.mark.parametrize("text", ["25/01/2026", "01/25/2026", "2026-01-25", "01/01/2026"])
def test_a_date_with_one_reading_is_not_flagged(teacher, text):
    for order in ("dmy", "mdy"):
        row = preview(f"Name;ID;Consent date\nAda;S1;{text}\n", teacher, date_order=order).rows[0]
        assert (row.consent_recorded_on.month, row.date_ambiguous, row.errors) == (1, False, [])


def test_a_date_with_no_reading_is_a_row_error(teacher):
    row = preview("Name;ID;Consent date\nAda;S1;31/31/2026\n", teacher).rows[0]
    assert row.errors == ["“31/31/2026” is not a date: write it as 2026-09-01."]


@pytest.mark.parametrize(
    ("zone", "order"),
    [("America/Chicago", "mdy"), ("America/Mexico_City", "dmy"), ("Europe/Paris", "dmy")],
)
def test_the_default_date_order_follows_the_teachers_zone(zone, order):
    assert roster_import.default_date_order(zone) == order


def upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("class.csv", text.encode(), content_type="text/csv")


AMBIGUOUS = (
    "First name,Last name,Student number,Consent date,Class\nAda,Lovelace,S900,01/09/2026,5B\n"
)


def test_the_preview_flags_dates_offers_the_order_and_lists_ignored_columns(
    teacher_client, course, django_capture_on_commit_callbacks
):
    url = reverse("dashboard:roster-import", args=[course.pk])
    page = teacher_client.post(url, {"file": upload(AMBIGUOUS)}).content.decode()
    assert "Ada Lovelace" in page and "1 Sep 2026" in page
    assert "day or month?" in page and 'name="reread"' in page
    assert "These columns are not imported:" in page and "<strong>5B" not in page
    assert "<strong>Class</strong>" in page

    page = teacher_client.post(url, {"reread": "1", "date_order": "mdy"}).content.decode()
    assert "9 Jan 2026" in page
    assert 'name="date_order" value="mdy"' in page  # the confirm button keeps the choice

    with django_capture_on_commit_callbacks(execute=True):  # the job runs as it is queued
        response = teacher_client.post(url, {"confirm": "1", "date_order": "mdy"})
    assert response.status_code == 302
    assert Person.objects.get(external_id="S900").consent_recorded_on == date(2026, 1, 9)


def test_the_file_form_defaults_to_the_teachers_date_order(teacher_client, teacher, course):
    url = reverse("dashboard:roster-import", args=[course.pk])
    selected = '<option value="{}" selected>'
    assert selected.format("dmy") in teacher_client.get(url).content.decode()
    TeacherProfile.objects.create(user=teacher, time_zone="America/New_York")
    assert selected.format("mdy") in teacher_client.get(url).content.decode()


def test_the_page_links_a_template_that_imports_as_it_is(teacher_client, teacher, course):
    page = teacher_client.get(reverse("dashboard:roster-import", args=[course.pk])).content
    template_url = reverse("dashboard:roster-template")
    assert template_url.encode() in page
    response = teacher_client.get(template_url)
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    result = preview(response.content.decode(), teacher)
    assert result.valid and result.ignored_columns == []
    assert [row.full_name for row in result.rows] == ["Ada Lovelace", "Alan Turing"]
