"""Borderline faces go to the teacher: review, confirm (optionally learn), reject, purge.

Real dlib on real photos. The band is crafted from a probe's real distance: obama1.jpg is
about 0.33 from Obama's enrollment photos, so a course tolerance of 0.30 puts it in the
band (0.30, 0.36] while every other decision stays as it was.
"""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from PIL import Image

from attendance.models import AttendanceRecord, PendingReview, UnrecognisedAttempt
from attendance.reviews import purge_expired_reviews
from people.models import CourseClassifier, EnrollmentPhoto
from tests.api.conftest import client_for, enroll_from_samples, open_session_of
from tests.factories import CourseFactory

pytestmark = pytest.mark.django_db
TOLERANCE = 0.30
PROBE = Path(__file__).resolve().parents[2].parent / "shared" / "faces" / "probe" / "obama1.jpg"


@pytest.fixture
def course(teacher, sample_encodings, shared_faces):
    course = CourseFactory(teachers=[teacher], name="Civics", recognition_tolerance=TOLERANCE)
    enroll_from_samples(course, ["obama", "biden"], sample_encodings, shared_faces)
    return course


def check_in(api, session, path: Path):
    with path.open("rb") as handle:
        response = api.post(
            f"/api/sessions/{session.pk}/checkin/", {"image": handle}, format="multipart"
        )
    assert response.status_code == 200, response.content
    return response.json()["faces"]


def crop_path(review: PendingReview) -> Path:
    return Path(review.crop.path)


def test_a_face_in_the_band_becomes_a_review_with_its_crop_only(teacher_api, course, shared_faces):
    session = open_session_of(course)
    faces = check_in(teacher_api, session, shared_faces / "probe" / "obama1.jpg")
    assert [f["outcome"] for f in faces] == ["review"]
    assert faces[0]["person"] is None  # the kiosk does not name an unconfirmed face
    assert TOLERANCE < faces[0]["distance"] <= TOLERANCE + course.review_margin
    review = PendingReview.objects.get(session=session)
    assert review.candidate.external_id == "obama"
    assert not AttendanceRecord.objects.filter(session=session).exists()
    # the crop is the face with a margin (twice the face box), not the frame
    box = faces[0]["box"]
    with Image.open(crop_path(review)) as crop, Image.open(PROBE) as frame:
        assert crop.width <= 2 * (box["right"] - box["left"]) + 2
        assert crop.width < frame.width and crop.height < frame.height
    listed = teacher_api.get(f"/api/sessions/{session.pk}/reviews/").json()
    assert [(r["candidate_name"], r["candidate_has_consent"]) for r in listed] == [("Obama", True)]
    assert teacher_api.get(listed[0]["crop_url"]).status_code == 200


def test_the_same_face_again_keeps_one_review(teacher_api, course, shared_faces):
    session = open_session_of(course)
    check_in(teacher_api, session, shared_faces / "probe" / "obama1.jpg")
    check_in(teacher_api, session, shared_faces / "probe" / "obama1.jpg")
    assert PendingReview.objects.filter(session=session).count() == 1


def test_a_face_beyond_the_band_is_unknown_and_logged(teacher_api, course, shared_faces):
    course.review_margin = 0.01  # 0.33 is now beyond 0.31
    course.save()
    session = open_session_of(course)
    faces = check_in(teacher_api, session, shared_faces / "probe" / "obama1.jpg")
    assert [f["outcome"] for f in faces] == ["unknown"]
    assert not PendingReview.objects.exists()
    attempt = UnrecognisedAttempt.objects.get(session=session)
    assert not attempt.crop  # snapshot retention is off: time only


def test_unrecognised_attempts_keep_crops_only_with_retention(
    settings, teacher_api, course, shared_faces
):
    settings.CHECKIN_SNAPSHOT_RETENTION_DAYS = 3
    session = open_session_of(course)
    check_in(teacher_api, session, shared_faces / "probe" / "lin-manuel-miranda.png")
    attempt = UnrecognisedAttempt.objects.get(session=session)
    assert attempt.crop and Path(attempt.crop.path).exists()


def test_confirm_marks_the_student_at_the_capture_time(
    teacher, teacher_api, course, shared_faces, django_capture_on_commit_callbacks
):
    session = open_session_of(course)
    check_in(teacher_api, session, shared_faces / "probe" / "obama1.jpg")
    review = PendingReview.objects.get()
    crop = crop_path(review)
    with django_capture_on_commit_callbacks(execute=True):
        response = teacher_api.post(f"/api/reviews/{review.pk}/confirm/", {}, format="json")
    assert response.status_code == 200, response.content
    record = AttendanceRecord.objects.get(session=session)
    assert (record.status, record.method, record.changed_by) == ("present", "confirmed", teacher)
    assert record.recorded_at == review.captured_at
    assert not PendingReview.objects.exists() and not crop.exists()
    assert EnrollmentPhoto.objects.filter(person=review.candidate).count() == 2  # no new photo
    # the next frame of that face neither asks again nor names anyone: a face this far
    # could be a stranger who resembles the student
    faces = check_in(teacher_api, session, shared_faces / "probe" / "obama1.jpg")
    assert faces[0]["outcome"] == "unknown" and faces[0]["person"] is None
    assert not PendingReview.objects.exists()


def test_confirm_after_the_late_threshold_is_late(teacher_api, course, shared_faces):
    session = open_session_of(
        course, starts_at=timezone.now() - timedelta(minutes=30), late_after_minutes=10
    )
    check_in(teacher_api, session, shared_faces / "probe" / "obama1.jpg")
    review = PendingReview.objects.get()
    teacher_api.post(f"/api/reviews/{review.pk}/confirm/", {}, format="json")
    assert AttendanceRecord.objects.get(session=session).status == "late"


@pytest.mark.real_faces
def test_confirm_with_the_picture_enrolls_it_and_retrains(
    teacher_api, course, shared_faces, django_capture_on_commit_callbacks
):
    session = open_session_of(course)
    check_in(teacher_api, session, shared_faces / "probe" / "obama1.jpg")
    review = PendingReview.objects.get()
    version = CourseClassifier.objects.get(course=course).version
    with django_capture_on_commit_callbacks(execute=True):
        response = teacher_api.post(
            f"/api/reviews/{review.pk}/confirm/", {"use_photo": True}, format="json"
        )
    assert response.status_code == 200, response.content
    new_photo = EnrollmentPhoto.objects.filter(person=review.candidate).latest("pk")
    assert new_photo.status == EnrollmentPhoto.Status.READY, new_photo.rejection_reason
    classifier = CourseClassifier.objects.get(course=course)
    assert classifier.version == version + 1 and classifier.photos_count == 5
    # with the crop enrolled the same face is now within the tolerance
    other = open_session_of(course)
    faces = check_in(teacher_api, other, shared_faces / "probe" / "obama1.jpg")
    assert faces[0]["outcome"] == "present" and faces[0]["distance"] < 0.1


def test_the_picture_is_refused_without_consent(teacher_api, course, shared_faces):
    session = open_session_of(course)
    check_in(teacher_api, session, shared_faces / "probe" / "obama1.jpg")
    review = PendingReview.objects.get()
    review.candidate.consent_recorded_on = None
    review.candidate.save()
    response = teacher_api.post(
        f"/api/reviews/{review.pk}/confirm/", {"use_photo": True}, format="json"
    )
    assert response.status_code == 400
    assert "consent" in response.json()["use_photo"][0]
    assert PendingReview.objects.filter(pk=review.pk).exists()
    assert not AttendanceRecord.objects.filter(session=session).exists()


def test_reject_discards_the_crop_and_marks_nobody(
    teacher_api, course, shared_faces, django_capture_on_commit_callbacks
):
    session = open_session_of(course)
    check_in(teacher_api, session, shared_faces / "probe" / "obama1.jpg")
    review = PendingReview.objects.get()
    crop = crop_path(review)
    assert crop.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = teacher_api.post(f"/api/reviews/{review.pk}/reject/")
    assert response.status_code == 204
    assert not PendingReview.objects.exists() and not crop.exists()
    assert not AttendanceRecord.objects.filter(session=session).exists()


def test_another_teacher_cannot_see_or_decide_a_review(
    other_teacher, teacher_api, course, shared_faces
):
    session = open_session_of(course)
    check_in(teacher_api, session, shared_faces / "probe" / "obama1.jpg")
    review = PendingReview.objects.get()
    other = client_for(other_teacher)
    assert other.get(f"/api/sessions/{session.pk}/reviews/").status_code == 404
    assert other.post(f"/api/reviews/{review.pk}/confirm/").status_code == 404
    assert other.get(f"/api/reviews/{review.pk}/crop/").status_code == 404
    assert other.post(f"/api/reviews/{review.pk}/reject/").status_code == 404
    assert PendingReview.objects.filter(pk=review.pk).exists()


def test_crops_are_purged_after_the_grace_period_or_a_day(
    settings, teacher_api, course, shared_faces, django_capture_on_commit_callbacks
):
    settings.REVIEW_GRACE_MINUTES = 30
    closed = open_session_of(course)
    running = open_session_of(course)
    check_in(teacher_api, closed, shared_faces / "probe" / "obama1.jpg")
    check_in(teacher_api, running, shared_faces / "probe" / "obama1.jpg")
    old, young = (
        PendingReview.objects.get(session=closed),
        PendingReview.objects.get(session=running),
    )
    closed.closed_at = timezone.now()
    closed.save()
    assert purge_expired_reviews() == 0  # inside the grace period
    with django_capture_on_commit_callbacks(execute=True):
        assert purge_expired_reviews(now=timezone.now() + timedelta(minutes=31)) == 1
    assert not crop_path(old).exists() and crop_path(young).exists()
    # an open session's review lives 24 hours at most
    assert purge_expired_reviews(now=timezone.now() + timedelta(hours=23)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert purge_expired_reviews(now=timezone.now() + timedelta(hours=25)) == 1
    assert not crop_path(young).exists()


def test_the_purge_runs_on_the_beat_schedule(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "attendance.tasks.purge_face_crops" in tasks
    from attendance.tasks import purge_face_crops

    assert purge_face_crops.delay().get() == 0


def test_the_review_margin_is_a_course_setting_of_the_api(teacher_api, course):
    url = f"/api/courses/{course.pk}/"
    assert teacher_api.get(url).json()["review_margin"] == 0.06
    assert teacher_api.patch(url, {"review_margin": 0.1}, format="json").status_code == 200
    refused = teacher_api.patch(url, {"review_margin": 0.5}, format="json")
    assert refused.status_code == 400 and "review_margin" in refused.json()


def test_a_margin_of_zero_turns_reviews_off(teacher_api, course, shared_faces):
    course.review_margin = 0
    course.save()
    session = open_session_of(course)
    faces = check_in(teacher_api, session, shared_faces / "probe" / "obama1.jpg")
    assert [f["outcome"] for f in faces] == ["unknown"]
    assert not PendingReview.objects.exists()


def test_a_review_is_dropped_when_the_student_is_then_recognised(
    teacher_api, course, shared_faces, django_capture_on_commit_callbacks
):
    session = open_session_of(course)
    check_in(teacher_api, session, shared_faces / "probe" / "obama1.jpg")  # 0.33: review
    crop = crop_path(PendingReview.objects.get())
    with django_capture_on_commit_callbacks(execute=True):
        faces = check_in(teacher_api, session, shared_faces / "probe" / "obama-720p.jpg")  # 0.09
    assert [f["outcome"] for f in faces] == ["present"]
    assert not PendingReview.objects.exists() and not crop.exists()


def test_a_band_face_is_never_named_even_when_the_student_is_checked_in(
    teacher, course, shared_faces
):
    """A stranger in the review band of a student already marked: the kiosk must not greet
    them as that student ("already checked in" only within the tolerance)."""
    from tests.api.test_kiosk_credential import kiosk_client

    session = open_session_of(course)
    obama = course.roster.get(external_id="obama")
    AttendanceRecord.objects.create(session=session, person=obama, status="present")
    faces = check_in(kiosk_client(session), session, PROBE)  # 0.33 away: in the band
    assert [(f["outcome"], f["person"]) for f in faces] == [("unknown", None)]
    assert not PendingReview.objects.exists()
    assert UnrecognisedAttempt.objects.filter(session=session).count() == 1
