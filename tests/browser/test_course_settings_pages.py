"""The pages a teacher sets a course up with: the strictness of recognition on the
calibration panel, co-teachers on the course page, and the invitation link to copy when the
server sends no e-mail. Screenshots at 1280 and 390 px, geometry and axe-core."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from people.models import Course
from tests.api.conftest import encode_samples, enroll_from_samples
from tests.browser.conftest import audit_widths, log_in
from tests.factories import CourseFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def enrolled_course(teacher, shared_faces) -> Course:
    course = CourseFactory(name="Civics 101", teachers=[teacher])
    names = ["obama", "biden", "alex_lacamoire"]
    enroll_from_samples(course, names, encode_samples(names, shared_faces), shared_faces)
    return course


def test_the_teacher_chooses_how_strict_recognition_is(
    live_server, teacher, enrolled_course, launch_chromium, screenshot, shared_faces, axe_script
):
    course = enrolled_course
    with launch_chromium(camera=shared_faces / "probe" / "obama1.jpg") as browser:
        browser.add_init_script(path=str(axe_script))
        page = browser.new_page()
        log_in(page, live_server.url)
        page.goto(live_server.url + reverse("dashboard:calibration", args=[course.pk]))
        levels = page.locator("#strictness")
        expect(levels.get_by_label("Balanced")).to_be_checked()
        effects = levels.locator("[data-level-effect]")
        expect(effects).to_have_count(3)
        for text in effects.all_text_contents():
            assert "genuine match" in text and "would have confused" in text, text
            assert "0." not in text  # plain words, no distances
        problems = audit_widths(page, screenshot, "calibration-levels", ["#strictness .level"])
        levels.get_by_label("Lenient").check()
        levels.get_by_role("button", name="Save").click()
        expect(page.locator(".message--success")).to_contain_text("Recognition is now Lenient")
        expect(page.locator("#strictness").get_by_label("Lenient")).to_be_checked()
    course.refresh_from_db()
    assert course.recognition_tolerance == 0.65
    assert not problems, problems


def test_a_co_teacher_is_added_from_the_course_page_and_an_invitation_link_copied(
    live_server, teacher, superuser, launch_chromium, screenshot, shared_faces, axe_script,
    settings,
):  # fmt: skip
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    course = CourseFactory(name="Year 9 Civics", teachers=[teacher])
    UserFactory(username="kjohnson", email="katherine@school.example", first_name="Katherine")
    problems = []
    with launch_chromium(camera=shared_faces / "probe" / "obama1.jpg") as browser:
        browser.add_init_script(path=str(axe_script))
        browser.grant_permissions(["clipboard-read", "clipboard-write"])
        page = browser.new_page()
        log_in(page, live_server.url)
        page.goto(live_server.url + reverse("dashboard:course", args=[course.pk]))
        page.get_by_label("Add a co-teacher").fill("katherine@school.example")
        page.get_by_role("button", name="Add co-teacher").click()
        expect(page.locator(".message--success")).to_contain_text("teaches Year 9 Civics too")
        expect(page.locator("#teachers li")).to_have_count(2)
        problems += audit_widths(page, screenshot, "course-teachers", ["#teachers"])

        page.get_by_role("button", name="Log out").click()
        log_in(page, live_server.url, username="superuser")
        page.goto(live_server.url + reverse("dashboard:teacher-invite"))
        page.get_by_label("Full name").fill("Grace Hopper")
        page.get_by_label("Username").fill("ghopper")
        page.get_by_label("E-mail").fill("grace@school.example")
        page.get_by_role("button", name="Send the invitation").click()
        expect(page.locator(".message--warning")).to_contain_text("E-mail is not set up")
        link = page.get_by_label("Invitation link for ghopper")
        assert link.input_value().startswith(f"{live_server.url}/accounts/reset/")
        page.get_by_role("button", name="Copy invitation link").click()
        expect(page.locator("[data-copy-status]")).to_have_text("Copied: send it to the teacher.")
        assert page.evaluate("navigator.clipboard.readText()") == link.input_value()
        problems += audit_widths(page, screenshot, "invite-copy-link", ["[data-copy-link] input"])
    assert course.teachers.count() == 2
    assert not problems, problems
