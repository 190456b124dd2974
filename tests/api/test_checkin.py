"""Check-in rules: once per person, late after the threshold, only the course's students."""

from datetime import timedelta

import pytest
from django.utils import timezone

from attendance.models import AttendanceRecord
from tests.api.conftest import enroll_from_samples, open_session_of
from tests.factories import CourseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(teacher, sample_encodings, shared_faces):
    course = CourseFactory(teachers=[teacher], name="Civics")
    enroll_from_samples(course, ["obama", "alex_lacamoire"], sample_encodings, shared_faces)
    return course


def check_in(api, session, path):
    with path.open("rb") as handle:
        return api.post(
            f"/api/sessions/{session.pk}/checkin/", {"image": handle}, format="multipart"
        )


def test_a_second_check_in_of_the_same_face_is_already_checked_in(
    teacher_api, course, shared_faces
):
    session = open_session_of(course)
    first = check_in(teacher_api, session, shared_faces / "probe" / "obama1.jpg").json()["faces"]
    second = check_in(teacher_api, session, shared_faces / "probe" / "obama3.jpg").json()["faces"]
    assert [face["outcome"] for face in first] == ["present"]
    assert [face["outcome"] for face in second] == ["already_checked_in"]
    assert second[0]["person"]["full_name"] == "Obama"
    assert AttendanceRecord.objects.filter(session=session).count() == 1


def test_a_check_in_after_the_late_threshold_is_late(teacher_api, course, shared_faces):
    session = open_session_of(
        course, starts_at=timezone.now() - timedelta(minutes=20), late_after_minutes=10
    )
    faces = check_in(teacher_api, session, shared_faces / "probe" / "obama1.jpg").json()["faces"]
    assert faces[0]["outcome"] == "late"
    assert AttendanceRecord.objects.get(session=session).status == "late"


def test_a_student_of_another_course_is_not_marked_in_this_one(
    teacher, teacher_api, course, sample_encodings, shared_faces
):
    other_course = CourseFactory(teachers=[teacher], name="Biology")
    enroll_from_samples(other_course, ["biden"], sample_encodings, shared_faces)
    session = open_session_of(course)
    faces = check_in(teacher_api, session, shared_faces / "probe" / "two_people.jpg").json()
    outcomes = sorted(
        (face["person"]["full_name"] if face["person"] else "-", face["outcome"])
        for face in faces["faces"]
    )
    assert outcomes == [("-", "unknown"), ("Obama", "present")]
    assert not AttendanceRecord.objects.filter(person__external_id="biden").exists()


def test_a_stranger_is_unknown_and_marks_nobody(teacher_api, course, shared_faces):
    session = open_session_of(course)
    response = check_in(teacher_api, session, shared_faces / "probe" / "lin-manuel-miranda.png")
    faces = response.json()["faces"]
    assert len(faces) == 1
    assert faces[0]["person"] is None and faces[0]["outcome"] == "unknown"
    assert faces[0]["distance"] > course.effective_tolerance
    assert not AttendanceRecord.objects.filter(session=session).exists()


def test_check_in_to_a_closed_session_is_refused_with_a_message(teacher_api, course, shared_faces):
    session = open_session_of(course, closed_at=timezone.now())
    response = check_in(teacher_api, session, shared_faces / "probe" / "obama1.jpg")
    assert response.status_code == 409
    assert "closed" in response.json()["detail"]


def test_check_in_before_the_session_is_opened_is_refused(teacher_api, course, shared_faces):
    session = open_session_of(course, opened_at=None)
    response = check_in(teacher_api, session, shared_faces / "probe" / "obama1.jpg")
    assert response.status_code == 409
    assert "not open yet" in response.json()["detail"]


def test_a_snapshot_that_is_not_an_image_gets_a_clear_400(teacher_api, course, tmp_path):
    session = open_session_of(course)
    fake = tmp_path / "frame.jpg"
    fake.write_bytes(b"not a jpeg")
    response = check_in(teacher_api, session, fake)
    assert response.status_code == 400
    assert response.json()["image"]


def test_closing_marks_everyone_without_a_record_absent(teacher_api, course, shared_faces):
    session = open_session_of(course)
    check_in(teacher_api, session, shared_faces / "probe" / "obama1.jpg")
    response = teacher_api.post(f"/api/sessions/{session.pk}/close/")
    assert response.status_code == 200
    statuses = dict(
        AttendanceRecord.objects.filter(session=session).values_list(
            "person__external_id", "status"
        )
    )
    assert statuses == {"obama": "present", "alex_lacamoire": "absent"}


def test_a_teacher_can_change_a_status_and_it_records_who(teacher, teacher_api, course):
    session = open_session_of(course)
    person = course.roster.get(external_id="alex_lacamoire")
    response = teacher_api.post(
        f"/api/sessions/{session.pk}/attendance/",
        {"person": person.pk, "status": "excused"},
        format="json",
    )
    assert response.status_code == 200, response.content
    record = AttendanceRecord.objects.get(session=session, person=person)
    assert (record.status, record.method, record.changed_by) == ("excused", "manual", teacher)
    listed = teacher_api.get(f"/api/sessions/{session.pk}/attendance/").json()
    assert listed[0]["changed_by"] == "teacher"
