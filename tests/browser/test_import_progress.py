"""Both import forms send their file with an upload progress bar and disabled buttons, and
the roster job page follows the job by polling, with the job run in the web process's task
thread as under `make run` without Redis (in-process mode)."""

import threading

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from people import roster_import
from tests.browser.conftest import audit_widths, log_in
from tests.factories import CourseFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROWS = 40


def choose_file(browser, axe_script, live_server, form: str, course, path):
    """The teacher's import form with the file chosen, not sent yet."""
    browser.add_init_script(path=str(axe_script))
    page = browser.new_page()
    log_in(page, live_server.url)
    page.goto(live_server.url + reverse(f"dashboard:{form}", args=[course.pk]))
    page.locator("input[type=file]").set_input_files(path)
    return page


@pytest.fixture
def slow_checks(monkeypatch):
    """The server takes a moment over each file, as it does over a large one: each check of
    the file waits for one release."""
    real_preview = roster_import.preview_roster
    releases = threading.Semaphore(0)

    def slow_preview(**kwargs):
        assert releases.acquire(timeout=30), "the test never let the check go"
        return real_preview(**kwargs)

    monkeypatch.setattr(roster_import, "preview_roster", slow_preview)
    return releases


def test_a_roster_import_shows_the_upload_then_the_job_filling_up(
    live_server, teacher, launch_chromium, screenshot, shared_faces, tmp_path, axe_script,
    settings, monkeypatch, slow_checks,
):  # fmt: skip
    settings.IN_PROCESS_TASKS_IN_THREAD = True  # as `make run` without REDIS_URL
    release_check = slow_checks
    held_at_row = threading.Event()
    release_job = threading.Event()
    real_add = roster_import._add_row

    def add_row(course, row, added_by):
        real_add(course, row, added_by)
        if row.line == 32:  # after the progress report of row 25
            held_at_row.set()
            release_job.wait(20)

    monkeypatch.setattr(roster_import, "_add_row", add_row)
    course = CourseFactory(name="Year 8 History", teachers=[teacher])
    csv = tmp_path / "class.csv"
    lines = [f"Student {n:02d};H-{n:03d}" for n in range(ROWS)]
    csv.write_text("Full name;Student number\n" + "\n".join(lines) + "\n")
    problems = []
    with launch_chromium(camera=shared_faces / "probe" / "obama1.jpg") as browser:
        page = choose_file(browser, axe_script, live_server, "roster-import", course, csv)
        preview = page.get_by_role("button", name="Preview")
        preview.click()
        # sent; the server is still checking: the button waits, the bar is full
        expect(preview).to_be_disabled()
        expect(page.locator("[data-upload-label]")).to_have_text("Sent. Checking it…")
        assert page.locator("[data-upload] progress").evaluate("bar => bar.value === bar.max")
        problems += audit_widths(
            page, screenshot, "roster-upload-sending", ["[data-upload] progress"]
        )
        release_check.release()
        expect(page.get_by_role("heading", name=f"Preview: {ROWS} students")).to_be_visible()

        confirm = page.get_by_role("button", name=f"Import {ROWS} students")
        confirm.click()  # the preview's own form is sent the same way: no double import
        expect(confirm).to_be_disabled()
        release_check.release(2)  # the confirmation's check, and the job's own
        expect(page.get_by_role("heading", name="Student import")).to_be_visible()
        assert held_at_row.wait(20)
        label = page.locator("[data-progress-label]")
        expect(label).to_have_text(f"25 of {ROWS} students added", timeout=10_000)
        expect(page.locator("#roster-progress")).to_have_attribute("value", "25")
        problems += audit_widths(page, screenshot, "roster-import-running", ["#roster-progress"])
        assert not course.roster.exists()  # all or nothing: not committed yet

        release_job.set()
        expect(page.locator(".message--success")).to_have_text(f"{ROWS} students imported.")
        expect(label).to_have_text(f"{ROWS} of {ROWS} students added")
        problems += audit_widths(page, screenshot, "roster-import-done", ["#roster-progress"])
    assert course.roster.count() == ROWS
    assert not problems, problems


def test_the_photo_import_form_disables_its_button_and_follows_to_the_job(
    live_server, teacher, launch_chromium, screenshot, shared_faces, tmp_path, axe_script,
    monkeypatch,
):  # fmt: skip
    import zipfile

    from people import photo_import
    from tests.factories import PersonFactory

    student = PersonFactory(full_name="Barack Obama", external_id="S-1001")
    course = CourseFactory(name="Civics 101", teachers=[teacher], roster=[student])
    archive = tmp_path / "photos.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        photo = sorted((shared_faces / "enroll" / "obama").iterdir())[0]
        bundle.writestr(f"S-1001/{photo.name}", photo.read_bytes())
    release = threading.Event()
    real_start = photo_import.start_photo_import

    def slow_start(**kwargs):
        release.wait(30)
        return real_start(**kwargs)

    monkeypatch.setattr(photo_import, "start_photo_import", slow_start)
    problems = []
    with launch_chromium(camera=shared_faces / "probe" / "obama1.jpg") as browser:
        page = choose_file(browser, axe_script, live_server, "photo-import", course, archive)
        button = page.get_by_role("button", name="Import photos")
        button.click()
        expect(button).to_be_disabled()
        expect(page.locator("[data-upload]")).to_be_visible()
        problems += audit_widths(
            page, screenshot, "photo-upload-sending", ["[data-upload] progress"]
        )
        release.set()
        expect(page.locator("[data-progress-label]")).to_have_text(
            "1 of 1 photos checked", timeout=60_000
        )
        assert "/photo-imports/" in page.url
    assert not problems, problems
