"""The first run's teacher: the generated password leads to the password change, then the
account page suggests the browser's time zone."""

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from people.time_zones import teacher_time_zone
from tests.browser.conftest import audit_widths

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_first_teacher_changes_the_password_then_takes_the_browsers_zone(
    live_server, launch_chromium, screenshot, shared_faces, axe_script, django_user_model
):
    out = StringIO()
    call_command("ensure_first_teacher", "--no-input", "--time-zone", "UTC", stdout=out)
    lines = dict(
        line.strip().split(": ", 1) for line in out.getvalue().splitlines() if ": " in line
    )
    problems = []
    with launch_chromium(camera=shared_faces / "probe" / "obama1.jpg") as browser:
        browser.add_init_script(path=str(axe_script))
        page = browser.new_page()
        browser.new_cdp_session(page).send(
            "Emulation.setTimezoneOverride", {"timezoneId": "Europe/Paris"}
        )
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(lines["username"])
        page.get_by_label("Password").fill(lines["password"])
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("heading", name="Change your password")).to_be_visible()
        expect(page.locator(".message--warning")).to_contain_text("must be changed")
        problems += audit_widths(page, screenshot, "first-run-password", ["form.stack"])
        page.goto(f"{live_server.url}/")  # every page leads back here until it is done
        expect(page.get_by_role("heading", name="Change your password")).to_be_visible()

        page.get_by_label("Old password").fill(lines["password"])
        page.get_by_label("New password", exact=True).fill("our own long secret 2026")
        page.get_by_label("New password confirmation").fill("our own long secret 2026")
        page.get_by_role("button", name="Change password").click()
        expect(page.locator(".message--success")).to_contain_text("Check your time zone")
        suggestion = page.locator("[data-browser-zone]")
        expect(suggestion).to_contain_text("This browser's time zone is Europe/Paris")
        problems += audit_widths(page, screenshot, "first-run-account", ["[data-browser-zone]"])
        suggestion.get_by_role("button", name="Use it").click()
        expect(page.get_by_label("Your time zone")).to_have_value("Europe/Paris")
        expect(suggestion).to_be_hidden()
        page.get_by_role("button", name="Save time zone").click()
        expect(page.locator(".message--success")).to_contain_text("Time zone saved")
        expect(suggestion).to_be_hidden()  # the choice is the browser's zone now
        page.goto(f"{live_server.url}/")
        expect(page.get_by_role("heading", name="Your courses")).to_be_visible()
    teacher = django_user_model.objects.get(username=lines["username"])
    assert teacher_time_zone(teacher) == "Europe/Paris"
    assert not teacher.teacher_profile.must_change_password
    assert not problems, problems
