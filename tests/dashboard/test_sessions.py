"""Sessions from the dashboard: create, open, close, the live status and teachers' changes."""

import pytest
from django.urls import reverse
from django.utils import timezone

from attendance.models import AttendanceRecord, AttendanceSession
from tests.dashboard.conftest import rendered_rows

pytestmark = pytest.mark.django_db


def test_creating_a_session_opens_its_live_page(teacher_client, course):
    data = {
        "title": "Algebra",
        "starts_at": "2030-01-07T09:00",
        "ends_at": "2030-01-07T10:30",
        "late_after_minutes": "5",
    }
    response = teacher_client.post(reverse("dashboard:session-create", args=[course.pk]), data)
    session = AttendanceSession.objects.get(title="Algebra")
    assert response.url == reverse("dashboard:session", args=[session.pk])
    assert session.course == course
    assert session.late_after_minutes == 5
    assert timezone.localtime(session.starts_at).strftime("%H:%M") == "09:00"
    assert session.state == "scheduled"


def test_a_session_must_end_after_it_starts(teacher_client, course):
    data = {"starts_at": "2030-01-07T09:00", "ends_at": "2030-01-07T08:00", "late_after_minutes": 5}
    response = teacher_client.post(reverse("dashboard:session-create", args=[course.pk]), data)
    assert response.status_code == 400
    assert "must end after it starts" in response.content.decode()
    assert not AttendanceSession.objects.exists()


def test_opening_a_session_lets_the_kiosk_check_in(teacher_client, session):
    teacher_client.post(reverse("dashboard:session-open", args=[session.pk]))
    session.refresh_from_db()
    assert session.state == "open"


def test_closing_marks_every_student_without_a_record_absent(teacher_client, teacher, session, ada):
    AttendanceRecord.objects.create(session=session, person=ada, status="present", method="face")
    url = reverse("dashboard:session-close", args=[session.pk])
    response = teacher_client.post(url, follow=True)
    assert "1 marked absent" in response.content.decode()
    statuses = dict(session.records.values_list("person__full_name", "status"))
    assert statuses == {"Ada Lovelace": "present", "Alan Turing": "absent"}
    assert session.records.get(status="absent").changed_by == teacher


def test_closing_twice_says_so(teacher_client, session):
    url = reverse("dashboard:session-close", args=[session.pk])
    teacher_client.post(url)
    response = teacher_client.post(url, follow=True)
    assert "already closed" in response.content.decode()


def test_a_closed_session_cannot_be_opened_again(teacher_client, session):
    teacher_client.post(reverse("dashboard:session-close", args=[session.pk]))
    url = reverse("dashboard:session-open", args=[session.pk])
    response = teacher_client.post(url, follow=True)
    assert "cannot be opened again" in response.content.decode()


def test_a_status_change_records_who_made_it_and_when(teacher_client, teacher, session, ada):
    url = reverse("dashboard:session-set-status", args=[session.pk])
    teacher_client.post(url, {"person": ada.pk, "status": "excused"})
    record = AttendanceRecord.objects.get(session=session, person=ada)
    assert (record.status, record.method, record.changed_by) == ("excused", "manual", teacher)
    page = teacher_client.get(reverse("dashboard:session", args=[session.pk])).content.decode()
    assert "Set by a teacher, " in page and f"({teacher.get_username()})" in page


def test_a_teacher_can_overrule_a_face_check_in(teacher_client, teacher, session, ada):
    AttendanceRecord.objects.create(session=session, person=ada, status="present", method="face")
    url = reverse("dashboard:session-set-status", args=[session.pk])
    teacher_client.post(url, {"person": ada.pk, "status": "absent"})
    record = AttendanceRecord.objects.get(session=session, person=ada)
    assert (record.status, record.changed_by) == ("absent", teacher)


def test_the_status_of_someone_off_the_roster_cannot_be_set(teacher_client, session):
    from tests.factories import PersonFactory

    stranger = PersonFactory()
    url = reverse("dashboard:session-set-status", args=[session.pk])
    response = teacher_client.post(url, {"person": stranger.pk, "status": "present"})
    assert response.status_code == 404
    assert not AttendanceRecord.objects.exists()


def test_a_student_of_the_teacher_off_this_roster_gets_the_writer_message(
    teacher_client, teacher, session
):
    from tests.factories import PersonFactory

    other_course_student = PersonFactory(created_by=teacher, full_name="Mary Somerville")
    url = reverse("dashboard:session-set-status", args=[session.pk])
    response = teacher_client.post(
        url, {"person": other_course_student.pk, "status": "present"}, follow=True
    )
    assert "Mary Somerville is not on this course&#x27;s roster." in response.content.decode()
    assert not AttendanceRecord.objects.exists()


def test_an_unknown_status_is_refused(teacher_client, session, ada):
    url = reverse("dashboard:session-set-status", args=[session.pk])
    response = teacher_client.post(url, {"person": ada.pk, "status": "asleep"}, follow=True)
    assert "Choose one of the statuses" in response.content.decode()
    assert not AttendanceRecord.objects.exists()


def test_the_poll_renders_each_students_row(teacher_client, session, ada):
    AttendanceRecord.objects.create(session=session, person=ada, status="late", method="face")
    data = teacher_client.get(reverse("dashboard:session-status", args=[session.pk])).json()
    rows = rendered_rows(data["rows_html"])
    assert data["state"] == "scheduled"
    assert rows[ada.pk]["status"] == "late"
    assert rows[ada.pk]["note"].startswith("Face check-in, ")
    assert len(rows) == 2


def test_the_live_page_links_to_the_kiosk(teacher_client, session):
    page = teacher_client.get(reverse("dashboard:session", args=[session.pk])).content.decode()
    assert f"/kiosk/{session.kiosk_token}/" in page


def test_a_new_kiosk_link_replaces_the_old_one(teacher_client, client, session):
    old = session.kiosk_token
    teacher_client.post(reverse("dashboard:kiosk-rotate", args=[session.pk]))
    session.refresh_from_db()
    assert session.kiosk_token != old
    assert teacher_client.get(reverse("dashboard:kiosk", args=[old])).status_code == 404
