"""Biometric data: nothing kept by default, kept frames purged, everything erased with a person."""

from datetime import timedelta

import pytest
from django.utils import timezone

from attendance.models import CheckInSnapshot
from attendance.snapshots import purge_expired_snapshots
from tests.api.conftest import enroll_from_samples, open_session_of
from tests.factories import CourseFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def course(teacher, sample_encodings, shared_faces):
    course = CourseFactory(teachers=[teacher])
    enroll_from_samples(course, ["obama", "biden"], sample_encodings, shared_faces)
    return course


def check_in(api, session, path):
    with path.open("rb") as handle:
        response = api.post(f"/api/sessions/{session.pk}/checkin/", {"image": handle})
    assert response.status_code == 200
    return response


def stored_files(media_root, folder):
    return list((media_root / folder).glob("*")) if (media_root / folder).exists() else []


def test_check_in_frames_are_not_kept_by_default(teacher_api, course, shared_faces, media_root):
    before = stored_files(media_root, "snapshots")
    check_in(teacher_api, open_session_of(course), shared_faces / "probe" / "obama1.jpg")
    assert not CheckInSnapshot.objects.exists()
    assert stored_files(media_root, "snapshots") == before


def test_kept_frames_are_purged_after_the_retention_period(
    teacher_api, course, shared_faces, media_root, settings
):
    settings.CHECKIN_SNAPSHOT_RETENTION_DAYS = 7
    check_in(teacher_api, open_session_of(course), shared_faces / "probe" / "obama1.jpg")
    snapshot = CheckInSnapshot.objects.get()
    path = media_root / snapshot.image.name
    assert path.exists()
    assert purge_expired_snapshots(now=timezone.now() + timedelta(days=6)) == 0
    assert purge_expired_snapshots(now=timezone.now() + timedelta(days=8)) == 1
    assert not CheckInSnapshot.objects.exists()
    assert not path.exists()


def test_deleting_a_person_erases_their_kept_frames(
    teacher_api, course, shared_faces, media_root, settings
):
    settings.CHECKIN_SNAPSHOT_RETENTION_DAYS = 30
    session = open_session_of(course)
    check_in(teacher_api, session, shared_faces / "probe" / "obama1.jpg")
    check_in(teacher_api, session, shared_faces / "enroll" / "biden" / "biden2.jpg")
    obama = course.roster.get(external_id="obama")
    obama_frame = media_root / CheckInSnapshot.objects.get(people=obama).image.name

    assert teacher_api.delete(f"/api/people/{obama.pk}/").status_code == 204

    assert not obama_frame.exists()
    assert list(CheckInSnapshot.objects.values_list("people__external_id", flat=True)) == ["biden"]
