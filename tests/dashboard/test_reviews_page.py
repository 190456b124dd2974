"""The live session page's faces to check, the photo Keep button and the calibration panel."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from attendance.models import AttendanceRecord, PendingReview, UnrecognisedAttempt
from people.models import EnrollmentPhoto
from tests.dashboard.conftest import png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(session, alan):
    row = PendingReview(session=session, candidate=alan, distance=0.63)
    row.crop.save("face.jpg", ContentFile(png_bytes()), save=True)
    return row


def test_the_live_page_shows_pending_reviews_and_unrecognised_attempts(
    teacher_client, session, review
):
    for _ in range(3):
        UnrecognisedAttempt.objects.create(session=session)
    page = teacher_client.get(reverse("dashboard:session", args=[session.pk])).content.decode()
    assert "Is this <strong>Alan Turing</strong>" in page
    assert f"/api/reviews/{review.pk}/crop/" in page
    assert "3 unrecognised attempts" in page
    assert "also use this picture to improve recognition" in page  # Alan's consent is on record
    status = teacher_client.get(reverse("dashboard:session-status", args=[session.pk])).json()
    assert "Alan Turing" in status["reviews_html"]
    assert "3 unrecognised attempts" in status["reviews_html"]


def test_without_consent_the_picture_is_not_offered(teacher_client, session, ada):
    row = PendingReview(session=session, candidate=ada, distance=0.63)
    row.crop.save("face.jpg", ContentFile(png_bytes()), save=True)
    page = teacher_client.get(reverse("dashboard:session", args=[session.pk])).content.decode()
    assert "Is this <strong>Ada Lovelace</strong>" in page
    assert "also use this picture" not in page


def test_confirm_from_the_page_marks_the_student_with_who_confirmed(
    teacher, teacher_client, session, review
):
    response = teacher_client.post(reverse("dashboard:review-confirm", args=[review.pk]))
    assert response.status_code == 302
    record = AttendanceRecord.objects.get(session=session)
    assert (record.method, record.changed_by) == ("confirmed", teacher)
    page = teacher_client.get(reverse("dashboard:session", args=[session.pk])).content.decode()
    assert "Confirmed by a teacher, " in page
    assert not PendingReview.objects.exists()


def test_reject_from_the_page_marks_nobody(teacher_client, session, review):
    teacher_client.post(reverse("dashboard:review-reject", args=[review.pk]))
    assert not PendingReview.objects.exists()
    assert not AttendanceRecord.objects.exists()


def test_another_teacher_cannot_decide(other_client, review):
    assert (
        other_client.post(reverse("dashboard:review-confirm", args=[review.pk])).status_code == 404
    )
    assert (
        other_client.post(reverse("dashboard:review-reject", args=[review.pk])).status_code == 404
    )
    assert PendingReview.objects.filter(pk=review.pk).exists()


def test_a_photo_held_for_review_shows_its_reason_and_can_be_kept(teacher_client, course, alan):
    photo = EnrollmentPhoto(
        person=alan,
        status=EnrollmentPhoto.Status.NEEDS_REVIEW,
        review_reason="This photo looks like Ada Lovelace (S001).",
    )
    photo.image.save("alan.png", ContentFile(png_bytes()), save=True)
    page = teacher_client.get(reverse("dashboard:course", args=[course.pk])).content.decode()
    assert "looks like Ada Lovelace (S001)" in page and "Keep it" in page
    teacher_client.post(reverse("dashboard:photo-keep", args=[course.pk, photo.pk]))
    photo.refresh_from_db()
    assert (photo.status, photo.kept_after_review) == ("ready", True)


def test_the_calibration_panel_is_the_teachers_only(other_client, course):
    response = other_client.get(reverse("dashboard:calibration", args=[course.pk]))
    assert response.status_code == 404


def test_a_confirmed_record_note_names_the_teacher(session, alan, teacher):
    from dashboard.views.sessions import change_note

    record = AttendanceRecord.objects.create(
        session=session,
        person=alan,
        status="present",
        method="confirmed",
        changed_by=teacher,
        recorded_at=timezone.now(),
    )
    assert "Confirmed by a teacher, " in change_note(record)
