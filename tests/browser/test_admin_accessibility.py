"""The admin pages a school's IT administrator uses for enrollments, checked with axe-core at
desktop and phone width: 0 serious or critical violations."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from people.models import EnrollmentPhoto
from tests.browser.conftest import axe_violations
from tests.conftest import PASSWORD
from tests.factories import CourseFactory, PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [(1280, 860), (390, 844)]


def test_the_admin_enrollment_pages_have_no_serious_accessibility_problems(
    live_server, superuser, teacher, launch_chromium, shared_faces, axe_script, screenshot
):
    person = PersonFactory(full_name="Ada Lovelace")
    course = CourseFactory(teachers=[teacher], roster=[person, PersonFactory()])
    image = (shared_faces / "probe" / "obama1.jpg").read_bytes()
    for status in ("ready", "rejected", "needs_review"):  # thumbnails that load, inline rows
        photo = EnrollmentPhoto(person=person, status=status)
        photo.image.save("ada.jpg", ContentFile(image), save=True)
    pages = {
        "people": reverse("admin:people_person_changelist"),
        "person": reverse("admin:people_person_change", args=[person.pk]),
        "courses": reverse("admin:people_course_changelist"),
        "course": reverse("admin:people_course_change", args=[course.pk]),
        "photos": reverse("admin:people_enrollmentphoto_changelist"),
        "photo": reverse("admin:people_enrollmentphoto_change", args=[photo.pk]),
    }
    violations = []
    with launch_chromium(camera=shared_faces / "probe" / "obama1.jpg") as browser:
        browser.add_init_script(path=str(axe_script))
        page = browser.new_page()
        page.goto(f"{live_server.url}/admin/login/")
        page.get_by_label("Username").fill(superuser.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{live_server.url}/admin/")
        for name, path in pages.items():
            page.goto(f"{live_server.url}{path}")
            for width, height in WIDTHS:
                page.set_viewport_size({"width": width, "height": height})
                screenshot(page, f"admin-{name}-{width}")
                violations += [f"{name} @{width}: {v}" for v in axe_violations(page)]
                if name == "photos":  # every thumbnail link is named by its image
                    names = page.locator("#result_list a:has(img)").evaluate_all(
                        "links => links.map((a) => a.querySelector('img').alt)"
                    )
                    assert len(names) == 3 and all(names), names
    assert not violations, "\n".join(violations)
