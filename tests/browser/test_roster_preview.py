"""The roster-import preview in Chromium: a file with first/last name columns, an extra column
and a date whose day and month could swap. The teacher sees the ignored column named, the date
flagged, switches the order and imports; the page fits a phone and passes axe-core."""

from datetime import date

import pytest
from playwright.sync_api import expect

from people.models import Person
from tests.browser.conftest import assert_no_sideways_scroll, axe_violations, log_in
from tests.factories import CourseFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSV = (
    "First name;Last name;Student number;Consent date;Tutor group\n"
    "Ada;Lovelace;S-1;01/09/2026;5B\n"
    "Alan;Turing;S-2;25/08/2026;5B\n"
)


def test_the_preview_shows_ignored_columns_and_lets_the_teacher_choose_the_date_order(
    live_server, teacher, launch_chromium, shared_faces, tmp_path, axe_script, screenshot
):
    course = CourseFactory(teachers=[teacher])
    roster = tmp_path / "class.csv"
    roster.write_text(CSV, encoding="utf-8")
    with launch_chromium(camera=shared_faces / "probe" / "obama1.jpg") as browser:
        browser.add_init_script(path=str(axe_script))
        page = browser.new_page()
        log_in(page, live_server.url)
        page.goto(f"{live_server.url}/courses/{course.pk}/import/")
        expect(page.get_by_role("link", name="Download a template CSV file")).to_be_visible()
        page.get_by_label("CSV file").set_input_files(roster)
        page.get_by_role("button", name="Preview").click()

        expect(page.locator("[data-ignored-columns]")).to_contain_text("Tutor group")
        flagged = page.locator("tr", has=page.get_by_text("day or month?"))
        expect(flagged).to_have_count(1)
        expect(flagged).to_contain_text("Ada Lovelace")
        expect(flagged).to_contain_text("1 Sep 2026")
        problems = []
        for width, height in ((1280, 860), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            screenshot(page, f"roster-preview-{width}")
            assert_no_sideways_scroll(page)
            problems += axe_violations(page)
        assert not problems, "\n".join(problems)

        page.get_by_label("Dates in this file are").select_option("mdy")
        page.get_by_role("button", name="Read the dates again").click()
        expect(flagged).to_contain_text("9 Jan 2026")
        page.get_by_role("button", name="Import 2 students").click()
        page.get_by_text("2 students imported.").wait_for()
    consent = dict(Person.objects.values_list("external_id", "consent_recorded_on"))
    assert consent == {"S-1": date(2026, 1, 9), "S-2": date(2026, 8, 25)}
