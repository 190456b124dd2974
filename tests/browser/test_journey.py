"""The whole journey in a real browser: from a new course to a student checked in by face."""

import base64
import csv

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from people.models import Person
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def add_student(page, full_name: str, number: str) -> Person:
    page.get_by_label("Full name").fill(full_name)
    page.get_by_label("Student number").fill(number)
    page.get_by_label("Consent recorded on").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Add student").click()
    expect(page.locator(".message--success")).to_contain_text(f"{full_name} is on the roster")
    return Person.objects.get(external_id=number)


def open_student(page, person: Person) -> None:
    """The roster is a compact table: a student's photos are behind their name."""
    details = page.locator(f"#student-{person.pk} details")
    if not details.evaluate("element => element.open"):
        details.locator("summary").click()


def upload_photos(page, person: Person, files) -> None:
    open_student(page, person)
    card = page.locator(f"#student-{person.pk}")
    card.get_by_label(f"Add photos of {person.full_name}").set_input_files(files)
    card.get_by_role("button", name="Upload").click()
    expect(page.locator(".message--success")).to_contain_text(f"of {person.full_name} added")


def drop_photos(page, person: Person, files) -> None:
    """Drag and drop, as from a file manager: a drop event carrying the files."""
    payload = [{"name": f.name, "data": base64.b64encode(f.read_bytes()).decode()} for f in files]
    page.locator(f"#student-{person.pk} [data-dropzone]").evaluate(
        """(zone, files) => {
            const transfer = new DataTransfer();
            for (const file of files) {
                const bytes = Uint8Array.from(atob(file.data), (c) => c.charCodeAt(0));
                transfer.items.add(new File([bytes], file.name, { type: "image/jpeg" }));
            }
            zone.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true }));
        }""",
        payload,
    )
    expect(page.locator(".message--success")).to_contain_text(f"of {person.full_name} added")


def ready_photos(page, person: Person):
    return page.locator(f'#student-{person.pk} .photo[data-status="ready"]')


def test_a_teacher_enrolls_two_students_and_one_checks_in_at_the_kiosk(
    live_server, teacher, launch_chromium, screenshot, shared_faces
):
    enroll = shared_faces / "enroll"
    with launch_chromium(camera=shared_faces / "probe" / "obama-720p.jpg") as browser:
        page = browser.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        screenshot(page, "login")
        log_in(page, live_server.url)
        page.keyboard.press("Tab")  # keyboard users first meet the skip link
        expect(page.get_by_role("link", name="Skip to content")).to_be_focused()

        page.get_by_label("Course name").fill("Civics 101")
        page.get_by_role("button", name="Create course").click()
        expect(page.get_by_role("heading", name="Civics 101", level=1)).to_be_visible()
        obama = add_student(page, "Barack Obama", "S-1001")
        biden = add_student(page, "Joe Biden", "S-1002")

        group_photo = shared_faces / "probe" / "two_people.jpg"  # refused, with the reason shown
        upload_photos(page, obama, [*sorted((enroll / "obama").iterdir()), group_photo])
        drop_photos(page, biden, sorted((enroll / "biden").iterdir()))
        expect(ready_photos(page, obama)).to_have_count(2, timeout=30_000)
        expect(ready_photos(page, biden)).to_have_count(2, timeout=30_000)
        rejected = page.locator(f'#student-{obama.pk} .photo[data-status="rejected"]')
        expect(rejected.locator(".photo__reason")).not_to_be_empty()

        # A third photo of Obama from the webcam; its status turns ready without a reload.
        page.evaluate("window.noReload = true")
        open_student(page, obama)
        page.locator(f"#student-{obama.pk}").get_by_role("button", name="webcam").click()
        page.get_by_role("button", name="Take photo").click()
        expect(page.locator("#webcam-message")).to_contain_text("Photo added")
        page.get_by_role("button", name="Close").click()
        expect(ready_photos(page, obama)).to_have_count(3, timeout=15_000)
        expect(page.locator("#classifier-state")).to_contain_text("5 photos", timeout=15_000)
        expect(page.locator("#classifier-state")).to_contain_text("2 students")
        assert page.evaluate("window.noReload") is True
        screenshot(page, "course")

        # This camera shows a photo: the teacher turns the head-turn challenge off.
        page.get_by_label("At the kiosk", exact=True).select_option("off")
        liveness = page.locator("section", has=page.locator("#liveness-heading"))
        liveness.get_by_role("button", name="Save").click()
        expect(page.get_by_text("Liveness check: Off")).to_be_visible()

        page.get_by_text("One session at another time").click()
        page.get_by_role("button", name="Create session").click()
        page.get_by_role("button", name="Open session").click()
        expect(page.locator("#session-state")).to_have_text("Open")
        kiosk_url = page.locator("#kiosk-link").get_attribute("href")
        page.evaluate("window.noReload = true")

        kiosk = browser.new_page()
        kiosk.goto(kiosk_url)
        expect(kiosk.locator(".face-box__label")).to_have_text("Barack Obama", timeout=20_000)
        expect(kiosk.locator("#kiosk-welcome")).to_contain_text("Barack Obama – present, ")
        screenshot(kiosk, "kiosk")

        obama_status = page.locator(f'#person-{obama.pk} [data-cell="status"]')
        expect(obama_status).to_have_text("Present", timeout=4_000)
        expect(page.locator(f"#person-{obama.pk}")).to_contain_text("Face check-in, ")
        assert page.evaluate("window.noReload") is True
        screenshot(page, "live-session")
        page.set_viewport_size({"width": 390, "height": 844})
        screenshot(page, "live-session-phone")
        page.set_viewport_size({"width": 1280, "height": 860})
        kiosk.close()

        page.get_by_role("link", name="Close session…").click()
        page.get_by_role("button", name="Close session").click()
        expect(page.locator(f'#person-{biden.pk} [data-cell="status"]')).to_have_text("Absent")
        expect(page.locator(f'#person-{obama.pk} [data-cell="status"]')).to_have_text("Present")

        page.get_by_role("link", name="Civics 101").click()
        page.get_by_role("link", name="Attendance report").click()
        screenshot(page, "report")
        with page.expect_download() as download_info:
            page.get_by_role("link", name="Download CSV").click()
        download = download_info.value
        assert download.suggested_filename == "Civics 101 attendance.csv"
        text = download.path().read_text(encoding="utf-8-sig")
        rows = list(csv.reader(text.splitlines()))
        assert rows[0][0:2] == ["Student", "Student number"]
        assert rows[1][:3] == ["Barack Obama", "S-1001", "present"]
        assert rows[2][:3] == ["Joe Biden", "S-1002", "absent"]
        assert [row[-2:] for row in rows[1:]] == [["100", "0"], ["0", "0"]]  # rate, liveness

        page.get_by_role("link", name="Courses", exact=True).first.click()
        screenshot(page, "dashboard")
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{live_server.url}/courses/{obama.courses.get().pk}/")
        screenshot(page, "course-phone")
