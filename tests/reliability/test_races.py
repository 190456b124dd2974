"""Races: a student number taken between the check and the insert answers
400 "already exists" (API and dashboard), never a 500; opening a session that another request
has just closed leaves it closed, never with opened_at after closed_at."""

import pytest
from django.db.models.query import QuerySet
from django.test import Client

from attendance import services
from attendance.models import AttendanceSession
from people.models import Person
from people.serializers import PersonSerializer
from tests.factories import CourseFactory, PersonFactory, SessionFactory

pytestmark = pytest.mark.django_db


def test_a_parallel_api_post_of_the_same_student_number_answers_400(teacher_api, monkeypatch):
    validate = PersonSerializer.validate

    def the_other_post_wins_meanwhile(self, attrs):
        PersonFactory(external_id=attrs["external_id"])
        return validate(self, attrs)

    monkeypatch.setattr(PersonSerializer, "validate", the_other_post_wins_meanwhile)
    response = teacher_api.post(
        "/api/people/", {"full_name": "Twin", "external_id": "S-777"}, format="json"
    )
    assert response.status_code == 400
    assert "already exists" in str(response.json())
    assert Person.objects.filter(external_id="S-777").count() == 1


def test_a_double_submitted_add_student_answers_400(teacher, monkeypatch):
    course = CourseFactory(teachers=[teacher])
    PersonFactory(external_id="S-888")  # the first submit's row, unseen by the second's checks
    monkeypatch.setattr(QuerySet, "exists", lambda self: False)
    client = Client()
    client.force_login(teacher)
    data = {"full_name": "Twin", "external_id": "S-888", "consent_recorded_on": ""}
    response = client.post(f"/courses/{course.pk}/students/", data)
    assert response.status_code == 400
    assert "already exists" in response.content.decode()
    assert Person.objects.filter(external_id="S-888").count() == 1


def test_opening_a_session_closed_meanwhile_keeps_it_closed(teacher):
    session = SessionFactory()
    stale = AttendanceSession.objects.get(pk=session.pk)  # loaded by the "open" request
    services.close_session(session=AttendanceSession.objects.get(pk=session.pk))
    with pytest.raises(services.SessionStateError):
        services.open_session(session=stale)
    session.refresh_from_db()
    assert session.opened_at <= session.closed_at
