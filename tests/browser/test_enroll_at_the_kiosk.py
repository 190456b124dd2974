"""A class of 30 enrolls at the kiosk in headless Chromium, then a few check in; the teacher's
actions are counted and printed.

Every student shows the kiosk a real face of their own (tests/browser/class_faces.py): a
picture moving a little in front of the camera, or the performer's head turn from the
sample video, played by a stand-in camera (fake_camera.js) so the page's own capture code
runs and one browser serves the whole class. Four tablets share the kiosk link, as in a
classroom. Thirteen faces are good enough for the photo-quality gate and are enrolled;
seventeen are faces of group pictures too small in their own pixels (students standing far
away), which the kiosk refuses with the reason. The roster also has two students without
consent, whom the kiosk does not offer. The teacher's course page stays open and shows
each student's photos arrive without a reload. Then the teacher starts the class and the
students with a second picture of themselves check in at the kiosk. The enrollment kiosk
is photographed and measured at 1280x800 and 390x844: camera view and instructions inside
the viewport, no sideways scroll, no serious axe-core violation.
"""

import time

import pytest
from django.utils import timezone
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from people.models import EnrollmentPhoto, Person
from tests.browser.class_faces import the_class
from tests.browser.conftest import (
    FAKE_CAMERA,
    assert_no_sideways_scroll,
    axe_violations,
    log_in,
    show_camera,
)
from tests.factories import CourseFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = [(1280, 800), (390, 844), (1280, 800), (1280, 800)]  # one per tablet
MIN_READY = 3  # of the 4 frames a kiosk takes, for a face the gate accepts


def class_of_thirty(teacher, students):
    """The course (liveness off: the check-in camera shows still pictures), its 30 students
    with consent and two without."""
    today = timezone.localdate()
    people = [
        Person.objects.create(
            full_name=student.name, external_id=f"S-{n:03d}", consent_recorded_on=today
        )
        for n, student in enumerate(students, start=1)
    ]
    people += [
        Person.objects.create(full_name=name, external_id=f"S-{n:03d}")
        for n, name in ((31, "Zoe No-Consent"), (32, "Yusuf No-Consent"))
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


def check_geometry(page, screenshot, name: str) -> str:
    """The camera view and the instructions are in view, and on the result the buttons too
    (the page does not scroll), nothing sticks out sideways."""
    size = page.viewport_size
    label = f"{size['width']}x{size['height']}"
    screenshot(page, f"enroll-kiosk-{name}-{label}")
    assert_no_sideways_scroll(page)
    selectors = ["#enroll-stage", "#enroll-instruction", "#enroll-name"]
    if name != "pose":
        selectors += ["#enroll-results", "#enroll-start", "#enroll-done"]
        assert page.evaluate("document.documentElement.scrollHeight <= innerHeight"), label
    for selector in selectors:
        assert in_viewport(page, selector), (selector, label, page.locator(selector).bounding_box())
    return f"{name}-{label}"


def back_to_the_names(tablet) -> int:
    """The student taps "Back to the names" (1 tap), unless the kiosk went back by itself
    meanwhile (10 s after the result: 0 taps)."""
    back = tablet.get_by_role("button", name="Back to the names")
    taps = 0
    try:
        back.click(timeout=12_000)  # up to 2 s on a busy machine; the kiosk goes back at 10 s
        taps = 1
    except PlaywrightTimeout:
        pass
    expect(tablet.locator("#enroll-pick")).to_be_visible()
    return taps


def test_a_class_of_thirty_enrolls_at_the_kiosk_and_checks_in(
    live_server, teacher, launch_chromium, screenshot, shared_faces, axe_script, teacher_actions
):
    students = the_class(shared_faces)
    assert len(students) == 30 and len({s.name for s in students}) == 30
    course = class_of_thirty(teacher, students)
    act, student_taps = teacher_actions, 0
    checked, violations, refused_shown = [], [], []
    started = time.monotonic()

    with launch_chromium() as browser:
        browser.add_init_script(path=str(FAKE_CAMERA))
        browser.add_init_script(path=str(axe_script))

        # The teacher opens the enrollment kiosk from the course page and leaves the page open.
        page = browser.new_page()
        log_in(page, live_server.url)
        act("typed field", 2)
        act("click")
        page.get_by_role("link", name="Year 8 Science").click()
        act("click")
        page.get_by_role("button", name="Enroll at the kiosk").click()
        act("click")
        kiosk_url = page.locator("#enroll-kiosk-url").input_value()
        act("link opened on the tablets (or QR code scanned)")
        expect(page.locator("#enroll-kiosk-link")).to_be_visible()
        screenshot(page, "enroll-course-page-kiosk-open")
        page.evaluate("window.noReload = true")

        tablets = []
        for width, height in VIEWPORTS:
            tablet = browser.new_page()
            tablet.set_viewport_size({"width": width, "height": height})
            tablet.goto(kiosk_url)
            tablets.append(tablet)
        for tablet in tablets[:2]:
            size = tablet.viewport_size
            screenshot(tablet, f"enroll-kiosk-names-{size['width']}x{size['height']}")
            assert_no_sideways_scroll(tablet)
            violations += axe_violations(tablet)
        expect(tablets[0].locator(".enroll__student")).to_have_count(32)
        expect(tablets[0].locator(".enroll__student--unavailable")).to_have_count(2)

        # The students come to the tablets in turns, pick their name and look at the camera.
        outcome = {}
        for turn in range(0, len(students), len(tablets)):
            here = list(zip(tablets, students[turn : turn + len(tablets)], strict=False))
            for tablet, student in here:
                show_camera(tablet, student.frames, motion=student.motion)
                tablet.get_by_role("button", name=student.name, exact=True).click()
                student_taps += 1
            if turn == 0:
                tablets[0].wait_for_timeout(2600)  # the countdown is over: a pose is asked for
                for tablet, _ in here[:2]:
                    checked.append(check_geometry(tablet, screenshot, "pose"))
            for tablet, student in here:
                root = tablet.locator("#enroll-kiosk")
                expect(root).to_have_attribute("data-state", "done", timeout=90_000)
                outcome[student.name] = tablet.locator("#enroll-instruction").text_content()
                if turn == 0 and tablet in tablets[:2]:
                    checked.append(check_geometry(tablet, screenshot, "done"))
                    violations += axe_violations(tablet)
                if not student.enrolls and tablet.viewport_size not in refused_shown:
                    refused_shown.append(tablet.viewport_size)
                    checked.append(check_geometry(tablet, screenshot, "refused"))
                student_taps += back_to_the_names(tablet)
        enrolled_s = time.monotonic() - started

        assert not violations, violations
        photos = EnrollmentPhoto.objects.filter(person__courses=course)
        ready = {
            s.name: photos.filter(person__full_name=s.name, status="ready").count()
            for s in students
        }
        good = [s.name for s in students if s.enrolls]
        far = [s.name for s in students if not s.enrolls]
        short = [name for name in good if ready[name] < MIN_READY]
        assert not short, [
            (
                name,
                outcome[name],
                list(
                    photos.filter(person__full_name=name).values_list(
                        "status", "review_reason", "rejection_reason", "quality"
                    )
                ),
            )
            for name in short
        ]
        assert all("photos accepted" in outcome[name] for name in good), outcome
        assert not any(ready[name] for name in far), ready
        # too far from the camera: the gate's reasons say so, and the kiosk's advice too
        assert all("Come closer to the camera" in outcome[name] for name in far), outcome
        assert not photos.filter(person__full_name__endswith="No-Consent").exists()
        assert not photos.filter(status__in=["pending", "processing"]).exists()

        # The course page, left open, shows every student's photos without a reload.
        for name in good:
            person = course.roster.get(full_name=name)
            expect(page.locator(f'[data-counts-for="{person.pk}"]')).to_contain_text(
                f"{ready[name]} ready", timeout=15_000
            )
        # Its "Photos to add" list follows too: who still has no usable photo.
        guidance = page.locator("section[aria-labelledby='guidance-heading']")
        without = guidance.locator("dt", has_text="No usable photo yet").locator(
            "xpath=./following-sibling::dd[1]/a"
        )
        no_consent = {"Zoe No-Consent", "Yusuf No-Consent"}
        expect(without).to_have_count(len(far) + len(no_consent), timeout=15_000)
        assert set(without.all_inner_texts()) == set(far) | no_consent
        assert page.evaluate("window.noReload") is True
        screenshot(page, "enroll-course-page-after-the-class")
        alike = guidance.locator("dt", has_text="Photos all alike").locator(
            "xpath=./following-sibling::dd[1]/a"
        )
        alike_names = alike.all_inner_texts()

        # The teacher starts the class; the tablets show the check-in kiosk.
        total = sum(ready.values())
        expect(page.locator("#classifier-state")).to_contain_text(f"{total} photos", timeout=90_000)
        page.get_by_role("button", name="Start class now").click()
        act("click")
        checkin_url = page.locator("#kiosk-url").input_value()
        act("link opened on the tablets (or QR code scanned)")
        kiosk = tablets[0]
        kiosk.goto(checkin_url)
        checking_in = [s for s in students if s.checkin]
        for student in checking_in:
            show_camera(kiosk, [student.checkin], motion="turn")
            expect(kiosk.locator("#kiosk-welcome")).to_contain_text(
                f"{student.name} – present", timeout=30_000
            )
        checked_in_s = time.monotonic() - started - enrolled_s

    session = course.sessions.get(opened_at__isnull=False)
    present = set(
        session.records.filter(status="present").values_list("person__full_name", flat=True)
    )
    assert present == {s.name for s in checking_in}

    print(f"\nteacher actions: {act}")
    print(
        f"students: {len(students)} at the kiosk ({student_taps} taps), {len(good)} distinct "
        f"faces enrolled ({sum(ready[n] for n in good)} photos ready, per student "
        f"{sorted(ready[n] for n in good)}), {len(far)} refused; checked in: {len(present)}; "
        f"enrollment {enrolled_s:.0f} s, check-in {checked_in_s:.0f} s; geometry: {checked}; "
        f"listed as photos all alike: {len(alike_names)}"
    )
