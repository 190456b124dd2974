"""Photos held for review on the course page, in headless Chromium at 1280×800 and 390×844:
the banner's count, the filtered list with each held photo next to its look-alike's photo,
and "Keep all" after a confirmation."""

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from people.models import EnrollmentPhoto, Person
from tests.browser.conftest import assert_no_sideways_scroll, axe_violations, log_in
from tests.factories import CourseFactory

SIZES = ((1280, 800), (390, 844))


def photo_of(person, path, **fields) -> EnrollmentPhoto:
    photo = EnrollmentPhoto(person=person, **fields)
    photo.image.save(path.name, ContentFile(path.read_bytes()), save=True)
    return photo


@pytest.mark.django_db(transaction=True)
def test_a_teacher_finds_and_keeps_the_held_photos(
    live_server, teacher, launch_chromium, screenshot, shared_faces, axe_script
):
    course = CourseFactory(teachers=[teacher], name="Drama")
    people = [
        Person.objects.create(full_name=name, external_id=number, consent_recorded_on="2026-09-01")
        for name, number in (("Barack Obama", "S001"), ("Barry Soetoro", "S002"), ("Kit H", "S003"))
    ]
    course.roster.add(*people)
    obama, barry, kit = people
    enroll = shared_faces / "enroll"
    photo_of(obama, enroll / "obama" / "obama.jpg", status="ready")
    photo_of(kit, sorted((enroll / "kit_harington").iterdir())[0], status="ready")
    photo_of(
        barry,
        enroll / "obama" / "obama2.jpg",
        status="needs_review",
        review_reason="This photo looks like Barack Obama (S001).",
        looks_like=obama,
    )
    with launch_chromium(camera=shared_faces / "probe" / "obama1.jpg") as browser:
        browser.add_init_script(path=str(axe_script))
        page = browser.new_page()
        log_in(page, live_server.url)
        expect(page.get_by_role("link", name="1 photo needs your decision")).to_be_visible()
        page.get_by_role("link", name="1 photo needs your decision").click()
        expect(page.get_by_role("heading", name="1 photo needs your decision")).to_be_visible()
        expect(page.locator("[data-roster-row]")).to_have_count(1)
        held = page.locator(".photo--compare")
        expect(held).to_contain_text("This photo looks like Barack Obama (S001).")
        expect(held).to_contain_text("Needs review")
        look_alike = held.get_by_role("img", name="Photo of Barack Obama, for comparison")
        own = held.get_by_role("img", name="Enrollment photo 1")
        for width, height in SIZES:
            page.set_viewport_size({"width": width, "height": height})
            held.scroll_into_view_if_needed()
            a, b = own.bounding_box(), look_alike.bounding_box()
            assert abs(a["y"] - b["y"]) < 2 and b["x"] >= a["x"] + a["width"], (
                a,
                b,
            )  # side by side
            assert b["x"] + b["width"] <= width
            screenshot(page, f"held-photos-{width}")
            assert_no_sideways_scroll(page)
            assert axe_violations(page) == []
        page.set_viewport_size({"width": 1280, "height": 800})

        page.get_by_role("link", name="Keep all…").click()
        expect(page.locator(".confirm")).to_contain_text("1 photo of Drama will be used")
        assert axe_violations(page) == []
        page.get_by_role("button", name="Keep all").click()
        expect(page.locator(".message--success")).to_contain_text("1 photo kept.")
        expect(page.get_by_text("need your decision")).to_have_count(0)
    assert barry.photos.get().status == "ready"
