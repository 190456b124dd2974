""" "Mark all remaining present/absent": asks first, marks only who has no record yet, through
the one mark writer (a manual mark by this teacher)."""

import pytest
from django.urls import reverse

from attendance import marks
from attendance.models import AttendanceRecord
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def url(session, status):
    return reverse("dashboard:session-mark-remaining", args=[session.pk, status])


def test_it_asks_first_with_how_many_students_it_will_mark(teacher_client, teacher, session, ada):
    marks.mark(session=session, person=ada, method="face", when=session.starts_at)
    page = teacher_client.get(url(session, "absent")).content.decode()
    assert "1 student without a check-in will be marked absent." in page
    assert not AttendanceRecord.objects.filter(status="absent").exists()


@pytest.mark.parametrize("status", ["present", "absent"])
def test_it_marks_only_the_students_without_a_record(
    teacher_client, teacher, session, ada, alan, status
):
    marks.mark(session=session, person=ada, method="manual", status="excused", by=teacher)
    inactive = PersonFactory(is_active=False)
    session.course.roster.add(inactive)
    response = teacher_client.post(url(session, status), follow=True)
    assert f"1 student marked {status}." in response.content.decode()
    records = {r.person_id: r for r in session.records.all()}
    assert records[ada.pk].status == "excused"
    assert (records[alan.pk].status, records[alan.pk].method) == (status, "manual")
    assert records[alan.pk].changed_by == teacher
    assert inactive.pk not in records


def test_another_status_is_refused_with_a_clear_answer(teacher_client, session):
    response = teacher_client.get(url(session, "asleep"))
    assert response.status_code == 404
    assert teacher_client.post(url(session, "late")).status_code == 404
    assert not AttendanceRecord.objects.exists()


def test_another_teachers_session_is_not_found(other_client, session):
    assert other_client.post(url(session, "absent")).status_code == 404
    assert not AttendanceRecord.objects.exists()
