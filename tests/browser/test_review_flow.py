"""A borderline face at the kiosk: the teacher sees it live, confirms, the kiosk greets.

The review band is set around the real distance of the camera's face: Obama's probe photo
obama1.jpg is about 0.33 from his enrollment photos, so with tolerance 0.2 and margin 0.3
it lies in the band (0.2, 0.5].
"""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from attendance.models import AttendanceRecord, AttendanceSession, PendingReview
from people.models import EnrollmentPhoto
from people.services import encode_photo
from people.training import train_course_now
from tests.browser.conftest import log_in
from tests.factories import CourseFactory, PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def borderline_session(teacher, shared_faces) -> AttendanceSession:
    obama = PersonFactory(full_name="Barack Obama", external_id="S-1001")
    biden = PersonFactory(full_name="Joe Biden", external_id="S-1002")
    course = CourseFactory(name="Civics 101", teachers=[teacher], roster=[obama, biden])
    for person, folder in ((obama, "obama"), (biden, "biden")):
        for path in sorted((shared_faces / "enroll" / folder).iterdir()):
            photo = EnrollmentPhoto(person=person)
            photo.image.save(path.name, ContentFile(path.read_bytes()), save=True)
            assert encode_photo(photo_id=photo.pk) == "ready"
    train_course_now(course_id=course.pk)
    # after enrolling (a tolerance of 0.2 would hold each second photo for review)
    course.recognition_tolerance, course.review_margin = 0.2, 0.3
    course.save()
    now = timezone.now()
    return AttendanceSession.objects.create(
        course=course, starts_at=now, ends_at=now + timedelta(hours=1), opened_at=now
    )


def test_the_teacher_confirms_a_borderline_face_and_the_kiosk_greets(
    launch_chromium, live_server, borderline_session, screenshot, shared_faces
):
    session = borderline_session
    obama = session.course.roster.get(external_id="S-1001")
    with launch_chromium(camera=shared_faces / "probe" / "obama1.jpg") as browser:
        teacher = browser.new_page()
        log_in(teacher, live_server.url)
        teacher.goto(live_server.url + reverse("dashboard:session", args=[session.pk]))
        expect(teacher.locator("#reviews")).to_contain_text("No faces waiting")

        kiosk = browser.new_page()
        kiosk.goto(live_server.url + reverse("dashboard:kiosk", args=[session.kiosk_token]))
        welcome = kiosk.locator("#kiosk-welcome")
        expect(welcome).to_have_text("Checking with your teacher – please wait", timeout=20_000)
        screenshot(kiosk, "kiosk-review")
        assert not AttendanceRecord.objects.exists()

        # the live page shows the review without a reload: the crop next to the enrolled photo
        review = teacher.locator(".review")
        expect(review).to_contain_text("Is this Barack Obama", timeout=10_000)
        expect(review.locator("img")).to_have_count(2)
        assert PendingReview.objects.get().candidate == obama
        screenshot(teacher, "session-review")

        # with the picture added to his photos, his next frame is within the tolerance
        review.get_by_label("also use this picture to improve recognition").check()
        review.get_by_role("button", name="Confirm Barack Obama").click()
        row = teacher.locator(f"#person-{obama.pk}")
        expect(row.locator('[data-cell="status"]')).to_have_text("Present")
        expect(row.locator('[data-cell="note"]')).to_contain_text("Confirmed by a teacher, ")
        expect(teacher.locator("#reviews")).to_contain_text("No faces waiting")

        # the kiosk's next frame of the same face greets the student (a face only in the band
        # of a student already marked is never named: it is his own enrolled crop that names him)
        expect(welcome).to_contain_text("Barack Obama – present", timeout=10_000)
        screenshot(kiosk, "kiosk-after-confirm")
    record = AttendanceRecord.objects.get(session=session)
    assert (record.person, record.method) == (obama, "confirmed")
    assert not PendingReview.objects.exists()
