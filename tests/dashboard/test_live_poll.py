"""The live session page's one poll: a change stamp read in one query, rendered fragments
only when something moved, and a cost that does not grow with the roster or the reviews."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from attendance import marks
from attendance.models import AttendanceRecord, PendingReview
from people.models import EnrollmentPhoto, Person
from tests.dashboard.conftest import png_bytes
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def poll(client, session, **params):
    return client.get(reverse("dashboard:session-status", args=[session.pk]), params).json()


def enroll(course, count: int) -> list[Person]:
    people = Person.objects.bulk_create(
        Person(full_name=f"Student {n:04d}", external_id=f"P{n:04d}") for n in range(count)
    )
    course.roster.add(*people)
    EnrollmentPhoto.objects.bulk_create(
        EnrollmentPhoto(person=person, status=EnrollmentPhoto.Status.READY, image="p.png")
        for person in people
    )
    return people


def test_an_unchanged_session_is_answered_with_its_stamp_alone(teacher_client, session):
    stamp = poll(teacher_client, session)["stamp"]
    assert poll(teacher_client, session, since=stamp) == {"stamp": stamp, "unchanged": True}


def test_a_check_in_moves_the_stamp_and_brings_the_row_and_counters(
    teacher_client, teacher, session, ada
):
    stamp = poll(teacher_client, session)["stamp"]
    marks.mark(session=session, person=ada, method="manual", status="late", by=teacher)
    data = poll(teacher_client, session, since=stamp)
    assert data["unchanged"] is False and data["stamp"] != stamp
    assert f'id="person-{ada.pk}"' in data["rows_html"]
    assert 'data-status="late"' in data["rows_html"]
    assert '<strong data-count="in">1</strong> of' in data["counts_html"]
    assert "1</span> late" in data["counts_html"]


@pytest.mark.parametrize(
    "change",
    [
        lambda session, person: session.course.roster.add(PersonFactory()),
        lambda session, person: session.course.roster.remove(person),
        lambda session, person: PendingReview.objects.create(
            session=session, candidate=person, distance=0.62
        ),
        lambda session, person: session.unrecognised_attempts.create(),
    ],
    ids=["student added", "student removed", "review", "unrecognised attempt"],
)
def test_what_the_page_shows_moves_the_stamp(teacher_client, session, ada, change):
    stamp = poll(teacher_client, session)["stamp"]
    change(session, ada)
    assert poll(teacher_client, session, since=stamp)["unchanged"] is False


def test_opening_and_closing_move_the_stamp(teacher_client, session):
    from attendance import services

    stamp = poll(teacher_client, session)["stamp"]
    services.open_session(session=session)
    opened = poll(teacher_client, session, since=stamp)
    assert opened["state"] == "open"
    services.close_session(session=session)
    assert poll(teacher_client, session, since=opened["stamp"])["state"] == "closed"


@pytest.mark.parametrize("size", [30, 300])
def test_the_poll_costs_the_same_queries_at_any_roster_size(
    teacher_client, teacher, session, size, django_assert_max_num_queries
):
    people = enroll(session.course, size)
    for person in people[: size // 3]:
        marks.mark(session=session, person=person, method="manual", status="present", by=teacher)
    for person in people[:5]:
        PendingReview.objects.create(session=session, candidate=person, distance=0.62)
    # 6 of them are every page's (login session, user, time zones, permissions).
    with django_assert_max_num_queries(14):
        data = poll(teacher_client, session)
    assert data["rows_html"].count("<tr ") == size + 2
    assert data["rows_html"].count("student-cell__thumb") >= size
    with django_assert_max_num_queries(8):  # the session and its stamp
        assert poll(teacher_client, session, since=data["stamp"])["unchanged"] is True


def test_a_one_tap_status_is_written_and_answered_without_a_page(
    teacher_client, teacher, session, ada
):
    url = reverse("dashboard:session-set-status", args=[session.pk])
    response = teacher_client.post(
        url, {"person": ada.pk, "status": "excused"}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 204 and response.content == b""
    record = AttendanceRecord.objects.get(session=session, person=ada)
    assert (record.status, record.method, record.changed_by) == ("excused", "manual", teacher)


def test_a_one_tap_status_for_someone_off_the_roster_gets_the_writers_message(
    teacher_client, teacher, session
):
    stranger = PersonFactory(created_by=teacher, full_name="Mary Somerville")
    url = reverse("dashboard:session-set-status", args=[session.pk])
    response = teacher_client.post(
        url, {"person": stranger.pk, "status": "present"}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "Mary Somerville is not on this course's roster."


def test_the_live_page_shows_one_tap_buttons_and_thumbnails(teacher_client, session, ada):
    photo = EnrollmentPhoto(person=ada, status=EnrollmentPhoto.Status.READY)
    photo.image.save("ada.png", ContentFile(png_bytes()), save=True)
    page = teacher_client.get(reverse("dashboard:session", args=[session.pk])).content.decode()
    assert reverse("people:photo-image", args=[photo.pk]) in page
    for label in ("Present", "Late", "Absent", "Excused"):
        assert f'>{label}<span class="visually-hidden"> Ada Lovelace</span></button>' in page
    assert '<select name="status"' not in page
