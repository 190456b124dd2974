"""What the kiosk says: a stranger, a closed session, an old link, no server, no camera."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from attendance import services
from attendance.models import AttendanceRecord, AttendanceSession
from people.models import CourseClassifier, EnrollmentPhoto
from people.services import encode_photo
from people.training import train_course_now
from tests.factories import CourseFactory, PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def open_session(teacher, shared_faces) -> AttendanceSession:
    """A course whose classifier knows Obama, with an open session.

    Encoded and trained by calling the services that the tasks run, so that this setup does
    not depend on how (or whether) tasks are dispatched in the test thread.
    """
    obama = PersonFactory(full_name="Barack Obama", external_id="S-1001")
    course = CourseFactory(name="Civics 101", teachers=[teacher], roster=[obama])
    for path in sorted((shared_faces / "enroll" / "obama").iterdir()):
        photo = EnrollmentPhoto(person=obama)
        photo.image.save(path.name, ContentFile(path.read_bytes()), save=True)
        assert encode_photo(photo_id=photo.pk) == "ready"
    train_course_now(course_id=course.pk)
    assert CourseClassifier.objects.get(course=course).people_count == 1
    now = timezone.now()
    return AttendanceSession.objects.create(
        course=course, starts_at=now, ends_at=now + timedelta(hours=1), opened_at=now
    )


def kiosk_url(live_server, session) -> str:
    return live_server.url + reverse("dashboard:kiosk", args=[session.kiosk_token])


def test_the_kiosk_tells_a_stranger_then_that_the_session_is_closed_then_the_link_is_old(
    launch_chromium, live_server, open_session, screenshot, shared_faces
):
    with launch_chromium(camera=shared_faces / "probe" / "lin-manuel-miranda.png") as browser:
        kiosk = browser.new_page()
        kiosk.set_viewport_size({"width": 390, "height": 844})  # a phone
        kiosk.goto(kiosk_url(live_server, open_session))
        welcome = kiosk.locator("#kiosk-welcome")
        expect(welcome).to_have_text("Not recognised, please look at the camera", timeout=20_000)
        expect(kiosk.locator(".face-box--unknown")).to_have_count(1)
        screenshot(kiosk, "kiosk-phone-stranger")
        assert not AttendanceRecord.objects.exists()

        services.close_session(session=open_session)
        message = kiosk.locator("#kiosk-message")
        expect(message).to_have_text("This session is closed: check-in is over.")
        expect(kiosk.locator(".face-box")).to_have_count(0)
        screenshot(kiosk, "kiosk-phone-closed")

        services.rotate_kiosk_token(session=open_session)
        expect(message).to_contain_text("kiosk link is no longer valid", timeout=8_000)


def test_the_kiosk_keeps_retrying_when_the_server_cannot_be_reached(
    launch_chromium, live_server, open_session, screenshot, shared_faces
):
    with launch_chromium(camera=shared_faces / "probe" / "obama-720p.jpg") as browser:
        kiosk = browser.new_page()
        kiosk.set_viewport_size({"width": 390, "height": 844})
        kiosk.route("**/checkin/", lambda route: route.abort("connectionrefused"))
        kiosk.goto(kiosk_url(live_server, open_session))
        message = kiosk.locator("#kiosk-message")
        expect(message).to_contain_text("Cannot reach the server. Trying again in 2 s")
        kiosk.unroute("**/checkin/")
        expect(kiosk.locator("#kiosk-welcome")).to_contain_text(
            "Barack Obama – present", timeout=10_000
        )
        expect(message).to_be_hidden()
        screenshot(kiosk, "kiosk-phone")

        denied = browser.new_page()
        denied.add_init_script(
            "navigator.mediaDevices.getUserMedia = () =>"
            " Promise.reject(new DOMException('denied', 'NotAllowedError'));"
        )
        denied.goto(kiosk_url(live_server, open_session))
        expect(denied.locator("#kiosk-message")).to_contain_text("Camera access was denied")
