"""The one writer of attendance marks: its rule table, and every entry point going through it.

The rules (attendance.marks): a face is present or late by its time; the first write wins;
a confirmed face replaces an absence; a teacher's status replaces anything and records who;
closing marks the rest absent; nobody off the roster is marked.
"""

import ast
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from attendance import marks, services
from attendance.errors import NotOnRoster
from attendance.marks import Method
from attendance.models import AttendanceRecord, ClassPhoto, PendingReview
from recognition import classifier
from recognition.faces import FaceBox
from tests.api.conftest import enroll_from_samples, open_session_of
from tests.factories import CourseFactory, PersonFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db
PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture
def student():
    return PersonFactory(full_name="Ada Student")


@pytest.fixture
def session(teacher, student):
    course = CourseFactory(teachers=[teacher], roster=[student])
    return SessionFactory(course=course, opened_at=timezone.now())


def record_of(session, person) -> AttendanceRecord:
    return AttendanceRecord.objects.get(session=session, person=person)


# ---------------------------------------------------------------------------------------
# The rule table


def test_a_face_before_the_late_mark_is_present(session, student):
    written = marks.mark(session=session, person=student, method=Method.FACE, distance=0.4)
    assert written.written
    assert (written.record.status, written.record.distance) == ("present", 0.4)


@pytest.mark.parametrize("method", [Method.FACE, Method.CLASS_PHOTO, Method.CONFIRMED])
def test_a_face_after_the_late_mark_is_late(session, student, method):
    when = session.late_from + timedelta(seconds=1)
    written = marks.mark(session=session, person=student, method=method, when=when)
    assert (written.record.status, written.record.recorded_at) == ("late", when)


def test_the_first_write_wins_for_faces(session, student):
    first = marks.mark(session=session, person=student, method=Method.FACE)
    late = session.late_from + timedelta(minutes=5)
    again = marks.mark(session=session, person=student, method=Method.CLASS_PHOTO, when=late)
    assert not again.written
    assert again.record.pk == first.record.pk
    assert (record_of(session, student).status, record_of(session, student).method) == (
        "present",
        "face",
    )


def test_a_face_does_not_replace_an_absence(session, student):
    marks.mark(session=session, person=student, method=Method.MANUAL, status="absent")
    assert not marks.mark(session=session, person=student, method=Method.FACE).written
    assert record_of(session, student).status == "absent"


def test_a_confirmed_face_replaces_an_absence_and_records_who(session, student, teacher):
    services.close_session(session=session)
    assert record_of(session, student).status == "absent"
    written = marks.mark(
        session=session, person=student, method=Method.CONFIRMED, by=teacher, distance=0.62
    )
    assert written.written
    record = record_of(session, student)
    assert (record.status, record.method, record.changed_by, record.distance) == (
        "late" if session.is_late() else "present",
        "confirmed",
        teacher,
        0.62,
    )


def test_a_confirmed_face_keeps_an_earlier_presence(session, student, teacher):
    marks.mark(session=session, person=student, method=Method.FACE)
    assert not marks.mark(
        session=session, person=student, method=Method.CONFIRMED, by=teacher
    ).written
    assert record_of(session, student).changed_by is None


def test_a_teacher_override_replaces_anything_and_records_changed_by(session, student, teacher):
    marks.mark(session=session, person=student, method=Method.FACE)
    other = UserFactory(username="second_teacher")
    marks.mark(session=session, person=student, method=Method.MANUAL, status="excused", by=other)
    record = record_of(session, student)
    assert (record.status, record.method, record.changed_by) == ("excused", "manual", other)
    assert AttendanceRecord.objects.filter(session=session).count() == 1


def test_a_teacher_status_must_be_one_of_the_statuses(session, student, teacher):
    with pytest.raises(ValueError):
        marks.mark(session=session, person=student, method=Method.MANUAL, status="on holiday")
    assert not AttendanceRecord.objects.exists()


def test_nobody_off_the_roster_is_marked(session, teacher):
    stranger = PersonFactory()
    for method, status in [(Method.FACE, None), (Method.MANUAL, "present")]:
        with pytest.raises(NotOnRoster):
            marks.mark(session=session, person=stranger, method=method, status=status)
    assert not AttendanceRecord.objects.exists()


def test_an_inactive_student_is_marked_by_a_teacher_only(session, student, teacher):
    student.is_active = False
    student.save()
    with pytest.raises(NotOnRoster):
        marks.mark(session=session, person=student, method=Method.FACE)
    marks.mark(session=session, person=student, method=Method.MANUAL, status="excused")
    assert record_of(session, student).status == "excused"


def test_closing_marks_the_rest_absent_and_keeps_every_record(session, student, teacher):
    present = PersonFactory()
    session.course.roster.add(present)
    marks.mark(session=session, person=present, method=Method.FACE)
    assert marks.mark_absent_at_close(session=session, by=teacher) == 1
    assert record_of(session, present).status == "present"
    absent = record_of(session, student)
    assert (absent.status, absent.method, absent.changed_by) == ("absent", "closed", teacher)


# ---------------------------------------------------------------------------------------
# Every entry point goes through the writer


@pytest.fixture
def calls(monkeypatch):
    """Each call of the writer (which still writes), as (method, by)."""
    seen = []
    real_mark, real_close = marks.mark, marks.mark_absent_at_close

    def spy(**kwargs):
        seen.append((kwargs["method"], kwargs.get("by")))
        return real_mark(**kwargs)

    def spy_close(**kwargs):
        seen.append((Method.ABSENT_AT_CLOSE, kwargs.get("by")))
        return real_close(**kwargs)

    monkeypatch.setattr(marks, "mark", spy)
    monkeypatch.setattr(marks, "mark_absent_at_close", spy_close)
    return seen


def test_a_kiosk_check_in_goes_through_the_writer(
    teacher, teacher_api, calls, sample_encodings, shared_faces
):
    course = CourseFactory(teachers=[teacher])
    enroll_from_samples(course, ["obama", "biden"], sample_encodings, shared_faces)
    session = open_session_of(course)
    with (shared_faces / "probe" / "obama1.jpg").open("rb") as handle:
        response = teacher_api.post(
            f"/api/sessions/{session.pk}/checkin/", {"image": handle}, format="multipart"
        )
    assert [f["outcome"] for f in response.json()["faces"]] == ["present"]
    assert calls == [(Method.FACE, None)]


def test_a_class_photo_goes_through_the_writer(session, student, calls):
    face = SimpleNamespace(box=FaceBox(top=0, right=10, bottom=10, left=0))
    match = classifier.Match(person_id=student.pk, distance=0.3)
    services.record_faces(
        session,
        [face],
        [match],
        {student.pk: student},
        timezone.now(),
        Method.CLASS_PHOTO,
    )
    assert calls == [(Method.CLASS_PHOTO, None)]
    assert record_of(session, student).method == "class_photo"


def test_assigning_a_class_photo_face_goes_through_the_writer(
    session, student, teacher, teacher_api, calls
):
    photo = ClassPhoto.objects.create(
        session=session,
        status=ClassPhoto.Status.DONE,
        faces=[{"box": {}, "person": None, "outcome": "unknown", "distance": None}],
    )
    response = teacher_api.post(
        f"/api/sessions/{session.pk}/class-photos/{photo.pk}/assign/",
        {"face": 0, "person": student.pk},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert calls == [(Method.CLASS_PHOTO, teacher)]
    assert record_of(session, student).changed_by == teacher


def pending_review(session, student) -> PendingReview:
    review = PendingReview(session=session, candidate=student, distance=0.62)
    review.captured_at = timezone.now()
    review.crop.save("face.jpg", ContentFile(b"not used"), save=True)
    return review


def test_confirming_a_review_goes_through_the_writer(session, student, teacher, teacher_api, calls):
    review = pending_review(session, student)
    response = teacher_api.post(f"/api/reviews/{review.pk}/confirm/", {}, format="json")
    assert response.status_code == 200, response.content
    assert calls == [(Method.CONFIRMED, teacher)]


def test_confirming_a_review_on_the_dashboard_goes_through_the_writer(
    session, student, teacher, calls
):
    review = pending_review(session, student)
    client = Client()
    client.force_login(teacher)
    client.post(reverse("dashboard:review-confirm", args=[review.pk]))
    assert calls == [(Method.CONFIRMED, teacher)]


def test_setting_a_status_goes_through_the_writer_from_the_api_and_the_dashboard(
    session, student, teacher, teacher_api, calls
):
    url = f"/api/sessions/{session.pk}/attendance/"
    assert teacher_api.post(url, {"person": student.pk, "status": "late"}).status_code == 200
    client = Client()
    client.force_login(teacher)
    client.post(
        reverse("dashboard:session-set-status", args=[session.pk]),
        {"person": student.pk, "status": "excused"},
    )
    assert calls == [(Method.MANUAL, teacher), (Method.MANUAL, teacher)]
    assert record_of(session, student).status == "excused"


def test_setting_a_status_in_the_admin_goes_through_the_writer(session, student, superuser, calls):
    client = Client()
    client.force_login(superuser)
    response = client.post(
        reverse("admin:attendance_attendancerecord_add"),
        {"session": session.pk, "person": student.pk, "status": "excused"},
    )
    assert response.status_code == 302, response.content
    assert calls == [(Method.MANUAL, superuser)]
    assert record_of(session, student).changed_by == superuser


def test_closing_a_session_goes_through_the_writer(session, teacher, teacher_api, calls):
    assert teacher_api.post(f"/api/sessions/{session.pk}/close/").status_code == 200
    assert calls == [(Method.ABSENT_AT_CLOSE, teacher)]


def test_no_other_module_writes_attendance_records():
    """Creating or changing AttendanceRecord rows is the writer's job alone (reopening a
    session deletes the absences of its close, which writes no mark)."""
    writes = {"create", "bulk_create", "get_or_create", "update_or_create", "update", "save"}
    offenders = []
    for path in PROJECT.glob("*/**/*.py"):
        relative = path.relative_to(PROJECT)
        if relative.parts[0] in {"tests", "bench", ".venv", "node_modules"} or (
            str(relative) == "attendance/marks.py" or "migrations" in relative.parts
        ):
            continue
        source = path.read_text()
        if "AttendanceRecord" not in source and "records" not in source:
            continue
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                target = ast.unparse(node.func.value)
                if node.func.attr in writes and (
                    "AttendanceRecord" in target or target.endswith("records")
                ):
                    offenders.append(f"{relative}:{node.lineno} {ast.unparse(node.func)}")
    assert offenders == []
