"""A class of 30 on a phone (390 x 844): no page wider than the screen, the report's rate next
to each name, the chart's words at a readable size, and a roster short enough to scroll."""

from datetime import timedelta

import pytest
from django.utils import timezone

from attendance.models import AttendanceRecord
from tests.browser.conftest import assert_no_sideways_scroll, axe_violations, log_in
from tests.factories import CourseFactory, PersonFactory, SessionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
MIN_TEXT_PX = 11
# 30 closed rows of about 60 px each, the search form and the pager: well under 5,400 px.
MAX_ROSTER_PX = 2400

CHART_TEXT = """() => [...document.querySelectorAll('.chart svg text')].map((t) => {
    const box = t.getBoundingClientRect();
    const scale = t.ownerSVGElement.getScreenCTM().a;
    return {text: t.textContent, px: parseFloat(getComputedStyle(t).fontSize) * scale,
            height: box.height};
})"""

RATES = """() => [...document.querySelectorAll('table.report tbody tr')].map((row) => {
    const name = row.querySelector('th[scope=row]').getBoundingClientRect();
    const rate = [...row.querySelectorAll('.rate')].find((r) => r.getClientRects().length
        && r.getBoundingClientRect().right <= innerWidth);
    if (!rate) return null;
    const box = rate.getBoundingClientRect();
    return box.left >= name.left && box.right <= name.right && box.bottom <= name.bottom;
})"""


@pytest.fixture
def class_of_thirty(teacher):
    people = [PersonFactory(full_name=f"Student Number {n:02d}") for n in range(1, 31)]
    course = CourseFactory(teachers=[teacher], roster=people)
    start = timezone.now() - timedelta(days=12)
    for day in range(10):
        session = SessionFactory(
            course=course,
            title="",
            starts_at=start + timedelta(days=day),
            ends_at=start + timedelta(days=day, hours=1),
            opened_at=start + timedelta(days=day),
            closed_at=start + timedelta(days=day, hours=1),
        )
        for n, person in enumerate(people):
            status = "present" if (n + day) % 4 else ("late" if n % 2 else "absent")
            AttendanceRecord.objects.create(
                session=session, person=person, status=status, method="manual"
            )
    return course


def test_a_class_of_thirty_reads_well_on_a_phone(
    live_server, class_of_thirty, launch_chromium, shared_faces, axe_script, screenshot
):
    course = class_of_thirty
    pages = {
        "course": f"/courses/{course.pk}/",
        "report": f"/courses/{course.pk}/report/",
        "calibration": f"/courses/{course.pk}/calibration/",
        "roster-import": f"/courses/{course.pk}/import/",
        "photo-import": f"/courses/{course.pk}/photo-import/",
    }
    problems = []
    with launch_chromium(camera=shared_faces / "probe" / "obama1.jpg") as browser:
        browser.add_init_script(path=str(axe_script))
        page = browser.new_page()
        page.set_viewport_size(PHONE)
        log_in(page, live_server.url)
        for name, path in pages.items():
            page.goto(f"{live_server.url}{path}")
            screenshot(page, f"phone-{name}-390")
            problems += axe_violations(page)
            assert_no_sideways_scroll(page)

        page.goto(f"{live_server.url}/courses/{course.pk}/report/")
        chart = page.evaluate(CHART_TEXT)
        assert chart, "the report draws no chart"
        small = [t for t in chart if t["px"] < MIN_TEXT_PX]
        assert not small, f"chart text under {MIN_TEXT_PX} px: {small[:4]}"
        rates = page.evaluate(RATES)
        assert len(rates) == 30
        assert all(rates), rates  # each rate shown in its name's cell, on screen

        page.goto(f"{live_server.url}/courses/{course.pk}/")
        roster = page.locator("section[aria-labelledby=roster-heading]")
        height = roster.evaluate("(el) => el.getBoundingClientRect().height")
        assert height < MAX_ROSTER_PX, f"the roster of 30 is {height:.0f} px tall"
        assert page.locator("[data-roster-row]").count() == 30
        page.get_by_label("Search").fill("Number 07")
        page.get_by_label("Search").press("Enter")
        assert page.locator("[data-roster-row]").count() == 1

        page.set_viewport_size({"width": 1280, "height": 860})
        page.goto(f"{live_server.url}/courses/{course.pk}/report/")
        screenshot(page, "phone-report-1280")
        assert not [t for t in page.evaluate(CHART_TEXT) if t["px"] < MIN_TEXT_PX]
    assert not problems, "\n".join(problems)
