"""Enrolling a class at the kiosk in headless Chromium, then checking in, with the teacher's
actions counted.

The roster is a generated class of 30 (28 with consent, 2 without). Chromium's fake camera
shows one picture per browser, so the five students we have sample photos of enroll, each in
a browser whose camera shows their photo; the other students have no face to show. The
teacher's course page stays open next to the kiosk and shows each student's photos arrive
without a reload. Then the teacher starts the class and three of them check in at the kiosk,
each in front of a camera showing another photo of them. The enrollment kiosk is
photographed and measured at 1280×800 and 390×844: camera view and instructions inside the
viewport, no sideways scroll.
"""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from people.models import EnrollmentPhoto, Person
from tests.browser.conftest import assert_no_sideways_scroll, axe_violations, log_in
from tests.factories import CourseFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# name on the roster, folder of enrollment photos, the picture shown at check-in (or None)
SAMPLES = [
    ("Barack Obama", "obama", "probe/obama1.jpg"),
    ("Joe Biden", "biden", None),
    ("Kit Harington", "kit_harington", "probe/johnsnow_test1.jpg"),
    ("Rose Leslie", "rose_leslie", None),
    ("Alex Lacamoire", "alex_lacamoire", "probe/alex_lacamoire1.jpg"),
]
VIEWPORTS = [(1280, 800), (390, 844)]


class Actions:
    """What the teacher does: clicks, taps, typed fields, files chosen."""

    def __init__(self):
        self.counts = {}

    def __call__(self, what: str, count: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + count

    def total(self) -> int:
        return sum(self.counts.values())


def class_of_thirty(teacher):
    """A course (liveness off: the fake camera shows a still photo) with 30 students."""
    today = timezone.localdate()
    people = [
        Person.objects.create(
            full_name=name, external_id=f"S-{n + 1:03d}", consent_recorded_on=today
        )
        for n, (name, _, _) in enumerate(SAMPLES)
    ]
    people += [
        Person.objects.create(
            full_name=f"Student {n:02d}",
            external_id=f"S-{n:03d}",
            consent_recorded_on=today if n <= 28 else None,
        )
        for n in range(6, 31)
    ]
    return CourseFactory(name="Year 8 Science", teachers=[teacher], roster=people)


def in_viewport(page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    size = page.viewport_size
    return (
        box is not None
        and box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= size["width"] + 1
        and box["y"] + box["height"] <= size["height"] + 1
    )


def check_geometry(page, screenshot, name: str) -> list[str]:
    """The camera view and the instructions are in view, nothing sticks out sideways."""
    size = page.viewport_size
    label = f"{size['width']}x{size['height']}"
    screenshot(page, f"enroll-kiosk-{name}-{label}")
    assert_no_sideways_scroll(page)
    for selector in ("#enroll-stage", "#enroll-instruction", "#enroll-name"):
        assert in_viewport(page, selector), (selector, label, page.locator(selector).bounding_box())
    return [f"{name}-{label}"]


def test_a_class_enrolls_at_the_kiosk_and_checks_in(
    live_server, teacher, launch_chromium, screenshot, shared_faces, axe_script
):
    course = class_of_thirty(teacher)
    act = Actions()
    checked, violations = [], []

    # The teacher opens the enrollment kiosk from the course page.
    with launch_chromium(camera=shared_faces / "probe" / "obama-720p.jpg") as browser:
        page = browser.new_page()
        log_in(page, live_server.url)
        act("typed field", 2)
        act("click")
        page.get_by_role("link", name="Year 8 Science").click()
        act("click")
        page.get_by_role("button", name="Enroll at the kiosk").click()
        act("click")
        kiosk_url = page.locator("#enroll-kiosk-url").input_value()
        act("open the link on the tablet (or scan the QR code)")
        expect(page.locator("#enroll-kiosk-link")).to_be_visible()
        screenshot(page, "enroll-course-page-kiosk-open")
        cookies = browser.cookies()

    # Each student with a sample photo enrolls in front of a camera showing it.
    course_url = f"{live_server.url}/courses/{course.pk}/"
    for index, (name, folder, _) in enumerate(SAMPLES):
        photo = sorted((shared_faces / "enroll" / folder).iterdir())[0]
        person = course.roster.get(full_name=name)
        with launch_chromium(camera=photo) as browser:
            browser.add_init_script(path=str(axe_script))
            browser.add_cookies(cookies)
            teacher_page = browser.new_page()  # the course page, left open on the teacher's laptop
            teacher_page.goto(course_url)
            teacher_page.evaluate("window.noReload = true")
            kiosk = browser.new_page()
            width, height = VIEWPORTS[index % 2]
            kiosk.set_viewport_size({"width": width, "height": height})
            kiosk.goto(kiosk_url)
            if index < 2:
                screenshot(kiosk, f"enroll-kiosk-names-{width}x{height}")
                assert_no_sideways_scroll(kiosk)
                violations += axe_violations(kiosk)
                expect(kiosk.locator(".enroll__student--unavailable")).to_have_count(2)
                expect(kiosk.locator(".enroll__student")).to_have_count(30)
            kiosk.get_by_role("button", name=name, exact=True).click()
            act("tap at the kiosk: pick the name")
            expect(kiosk.locator("#enroll-kiosk")).to_have_attribute("data-state", "capturing")
            if index < 2:
                kiosk.wait_for_timeout(2600)  # the countdown is over: a pose is being asked for
                checked += check_geometry(kiosk, screenshot, "pose")
            expect(kiosk.locator("#enroll-instruction")).to_contain_text(
                "photos accepted", timeout=90_000
            )
            expect(kiosk.locator(".enroll__result--ready")).to_have_count(4)
            if index < 2:
                checked += check_geometry(kiosk, screenshot, "done")
                violations += axe_violations(kiosk)
            counts = teacher_page.locator(f'[data-counts-for="{person.pk}"]')
            expect(counts).to_contain_text("4 ready", timeout=15_000)
            assert teacher_page.evaluate("window.noReload") is True
            if index == 0:  # the kiosk goes back to the names by itself after a while
                expect(kiosk.locator("#enroll-pick")).to_be_visible(timeout=15_000)
            else:  # or at a tap
                kiosk.get_by_role("button", name="Back to the names").click()
                act("tap at the kiosk: back to the names")
                expect(kiosk.locator("#enroll-pick")).to_be_visible()

    assert not violations, violations
    ready = EnrollmentPhoto.objects.filter(person__courses=course, status="ready")
    assert ready.count() == 4 * len(SAMPLES)
    assert not EnrollmentPhoto.objects.filter(person__consent_recorded_on__isnull=True).exists()

    # The teacher starts the class and opens the kiosk; a few students check in.
    with launch_chromium(camera=shared_faces / "probe" / "obama-720p.jpg") as browser:
        browser.add_cookies(cookies)
        page = browser.new_page()
        page.goto(course_url)
        expect(page.locator("#classifier-state")).to_contain_text("20 photos", timeout=60_000)
        page.get_by_role("button", name="Start class now").click()
        act("click")
        checkin_url = page.locator("#kiosk-url").input_value()
        act("open the link on the tablet (or scan the QR code)")
    for name, _, probe in SAMPLES:
        if probe is None:
            continue
        with launch_chromium(camera=shared_faces / probe) as browser:
            kiosk = browser.new_page()
            kiosk.goto(checkin_url)
            expect(kiosk.locator("#kiosk-welcome")).to_contain_text(
                f"{name} – present", timeout=30_000
            )
    session = course.sessions.get(opened_at__isnull=False)
    present = set(
        session.records.filter(status="present").values_list("person__full_name", flat=True)
    )
    assert present == {name for name, _, probe in SAMPLES if probe}

    print(f"\nteacher actions: {act.total()} ({act.counts})")
    print(
        f"enrolled at the kiosk: {len(SAMPLES)} students, {ready.count()} photos ready; "
        f"checked in: {len(present)}; geometry checked: {checked}"
    )
