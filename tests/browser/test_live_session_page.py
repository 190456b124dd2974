"""The live session page in front of a class, in headless Chromium at 1280×800 and 390×844:
the counters bar stays in view to the bottom of a 30-student roster, a status is one tap,
"mark all remaining" asks first, and the one poll brings changes made elsewhere."""

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from attendance import marks, services
from people.models import EnrollmentPhoto, Person
from tests.browser.conftest import (
    SCREENSHOTS,
    assert_no_sideways_scroll,
    axe_violations,
    log_in,
)
from tests.dashboard.conftest import png_bytes
from tests.factories import CourseFactory, SessionFactory

SIZES = {"desktop": (1280, 800), "phone": (390, 844)}


def class_of_thirty(teacher):
    course = CourseFactory(teachers=[teacher], name="Year 9 Civics")
    people = Person.objects.bulk_create(
        Person(full_name=f"Student {n:02d}", external_id=f"S{n:03d}") for n in range(30)
    )
    # a long double-barrelled name: the table must still keep each row on one line
    Person.objects.filter(pk=people[1].pk).update(
        full_name="Maximiliana Konstantinopoulou-Featherstonehaugh"
    )
    course.roster.add(*people)
    for person in people[:3]:
        photo = EnrollmentPhoto(person=person, status=EnrollmentPhoto.Status.READY)
        photo.image.save("face.png", ContentFile(png_bytes((60, 60))), save=True)
    session = SessionFactory(course=course, title="Civics")
    services.open_session(session=session)
    for person in people[:9]:
        marks.mark(session=session, person=person, method="face", when=session.starts_at)
    for person in people[9:11]:
        marks.mark(session=session, person=person, method="manual", status="late", by=teacher)
    return session, people


def assert_bar_in_view_at_the_bottom(page) -> None:
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_timeout(100)
    assert page.evaluate("scrollY") > 0, "the page does not scroll: nothing to test"
    rect = page.evaluate(
        "(() => { const r = document.getElementById('live-bar').getBoundingClientRect();"
        " return {top: r.top, bottom: r.bottom, h: innerHeight}; })()"
    )
    assert rect["top"] >= 0 and rect["bottom"] <= rect["h"], rect


@pytest.mark.django_db(transaction=True)
def test_a_teacher_takes_the_roll_of_thirty_on_the_live_page(
    live_server, teacher, launch_chromium, screenshot, shared_faces, axe_script
):
    session, people = class_of_thirty(teacher)
    counts_of = "#live-counts"
    with launch_chromium(camera=shared_faces / "probe" / "obama1.jpg") as browser:
        browser.add_init_script(path=str(axe_script))
        page = browser.new_page()
        log_in(page, live_server.url)
        page.goto(f"{live_server.url}/sessions/{session.pk}/")
        page.evaluate("window.noReload = true")
        expect(page.locator(counts_of)).to_have_text("11 of 30 in · 2 late · 19 not yet")
        thumbs = page.locator("table.attendance img.student-cell__thumb")
        expect(thumbs).to_have_count(3)

        for name, (width, height) in SIZES.items():
            page.set_viewport_size({"width": width, "height": height})
            page.evaluate("window.scrollTo(0, 0)")
            screenshot(page, f"live-session-{name}")
            assert_bar_in_view_at_the_bottom(page)
            page.screenshot(path=SCREENSHOTS / f"live-session-{name}-bottom.png")
            assert_no_sideways_scroll(page)
            assert axe_violations(page) == []
            # each row's four buttons on one line at desktop width (two lines double the roll)
            lines = page.locator(".status-buttons").evaluate_all(
                "forms => forms.map(f => new Set([...f.querySelectorAll('button')]"
                ".map(b => Math.round(b.getBoundingClientRect().top))).size)"
            )
            assert len(lines) == 30 and (name == "phone" or set(lines) == {1}), lines

        # One tap sets a status: the row and the counters follow without a reload.
        page.set_viewport_size({"width": 390, "height": 844})
        student = people[20]
        row = page.locator(f"#person-{student.pk}")
        row.get_by_role("button", name=f"Absent {student.full_name}").click()
        expect(row.locator('[data-cell="status"]')).to_have_text("Absent")
        expect(row.get_by_role("button", name=f"Absent {student.full_name}")).to_have_attribute(
            "aria-pressed", "true"
        )
        expect(page.locator(counts_of)).to_have_text("11 of 30 in · 2 late · 18 not yet · 1 absent")
        assert session.records.get(person=student).changed_by == teacher

        # A check-in made elsewhere (the kiosk) arrives through the one poll.
        marks.mark(session=session, person=people[12], method="face")
        expect(page.locator(counts_of)).to_contain_text("12 of 30 in", timeout=6_000)
        expect(page.locator(f"#person-{people[12].pk} [data-cell=note]")).to_contain_text(
            "Face check-in, "
        )
        assert page.evaluate("window.noReload") is True

        # Mark all remaining present, after a confirmation.
        page.get_by_role("link", name="Mark all remaining present…").click()
        expect(page.locator(".confirm")).to_contain_text(
            "17 students without a check-in will be marked present."
        )
        assert axe_violations(page) == []
        page.get_by_role("button", name="Mark them present").click()
        expect(page.locator(counts_of)).to_have_text("29 of 30 in · 2 late · 0 not yet · 1 absent")
        screenshot(page, "live-session-all-marked-phone")
