"""A course of thousands of students stays usable: the status poll costs the same at any
size, the roster and the report show one page, the CSV export stays complete."""

import csv
import io

import numpy as np
import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from attendance.models import AttendanceRecord
from people.models import EnrollmentPhoto, Person
from people.selectors import enrollment_guidance
from recognition.encoding import pack
from tests.dashboard.conftest import png_bytes
from tests.factories import SessionFactory

pytestmark = pytest.mark.django_db


def enroll_many(course, count: int, *, prefix: str = "B") -> list[Person]:
    """Students made in bulk (no face work): the shape of a big imported roster."""
    people = Person.objects.bulk_create(
        Person(full_name=f"Student {prefix}{n:05d}", external_id=f"{prefix}{n:05d}")
        for n in range(count)
    )
    course.roster.add(*people)
    return people


def add_photo(person, status=EnrollmentPhoto.Status.PENDING) -> EnrollmentPhoto:
    row = EnrollmentPhoto(person=person, status=status)
    row.image.save("p.png", ContentFile(png_bytes()), save=True)
    return row


def poll(client, course, **params):
    return client.get(reverse("dashboard:course-status", args=[course.pk]), params).json()


def test_an_unchanged_poll_of_a_big_course_sends_no_student_in_constant_queries(
    teacher_client, course, django_assert_max_num_queries
):
    people = enroll_many(course, 2000)
    for person in people[:30]:
        add_photo(person, EnrollmentPhoto.Status.READY)
    stamp = poll(teacher_client, course)["stamp"]
    with django_assert_max_num_queries(10):
        data = poll(teacher_client, course, since=stamp)
    assert data["unchanged"] is True and data["students"] == []
    assert data["busy"] is False
    assert "guidance_html" not in data  # who needs photos is read again only after a change


def test_a_poll_after_a_change_sends_only_the_changed_students(
    teacher_client, course, django_assert_max_num_queries
):
    people = enroll_many(course, 2000)
    for person in people[:30]:
        add_photo(person, EnrollmentPhoto.Status.READY)
    stamp = poll(teacher_client, course)["stamp"]
    # The page last saw a change a year ago; the few seconds before it are sent again.
    old = "2019-01-01T00:00:00Z"
    EnrollmentPhoto.objects.update(status_changed_at=old, uploaded_at=old)
    last = "2020-01-01T00:00:00Z"
    EnrollmentPhoto.objects.filter(person=people[0]).update(status_changed_at=last)
    stamp = poll(teacher_client, course)["stamp"]
    changed = people[1500]
    add_photo(changed)
    with django_assert_max_num_queries(16):
        data = poll(teacher_client, course, since=stamp)
    assert data["unchanged"] is False and data["busy"] is True
    assert {student["id"] for student in data["students"]} == {people[0].pk, changed.pk}
    assert data["stamp"] != stamp
    shown = poll(teacher_client, course, since=stamp, ids=f"{people[1].pk},{people[2].pk}")
    assert shown["students"] == []


def test_a_garbled_stamp_gets_every_changed_student_not_an_error(teacher_client, course, ada):
    add_photo(ada)
    data = poll(teacher_client, course, since="nonsense@not-a-time", ids="x,1,")
    assert data["unchanged"] is False
    assert data["students"] == [] or {s["id"] for s in data["students"]} <= {ada.pk, 1}
    assert [s["id"] for s in poll(teacher_client, course, since="junk")["students"]] == [ada.pk]


def rows_in(page: str) -> int:
    return page.count("data-roster-row")


def test_the_course_page_of_a_big_course_shows_one_page_in_bounded_queries(
    teacher_client, course, django_assert_max_num_queries
):
    people = enroll_many(course, 6000)
    add_photo(people[4321], EnrollmentPhoto.Status.REJECTED)
    url = reverse("dashboard:course", args=[course.pk])
    with django_assert_max_num_queries(40):
        page = teacher_client.get(url).content.decode()
    assert rows_in(page) == 100
    assert 'Students <span class="muted">(6002)</span>' in page
    assert "Page 1 of 61" in page
    last = teacher_client.get(url, {"page": 61}).content.decode()
    assert rows_in(last) == 2
    assert (
        "Page 61 of 61" in last
        and "Page 62" not in teacher_client.get(url, {"page": 99}).content.decode()
    )


def test_the_roster_search_and_filter_run_on_the_server_and_pages_keep_them(teacher_client, course):
    people = enroll_many(course, 300)
    add_photo(people[250], EnrollmentPhoto.Status.REJECTED)
    url = reverse("dashboard:course", args=[course.pk])
    found = teacher_client.get(url, {"q": "b00250"}).content.decode()
    assert rows_in(found) == 1 and "Student B00250" in found
    rejected = teacher_client.get(url, {"show": "rejected"}).content.decode()
    assert rows_in(rejected) == 1 and "Student B00250" in rejected
    no_consent = teacher_client.get(url, {"show": "no-consent", "q": "Student B"}).content.decode()
    assert "1–100 shown" in no_consent
    assert "?show=no-consent&amp;q=Student+B&amp;page=2" in no_consent
    nobody = teacher_client.get(url, {"q": "nobody", "show": "made-up"}).content.decode()
    assert rows_in(nobody) == 0 and "No student matches" in nobody


def test_the_report_of_a_big_course_shows_one_page_and_the_csv_every_student(
    teacher_client, course, django_assert_max_num_queries
):
    people = enroll_many(course, 6000)
    session = SessionFactory(course=course, opened_at=timezone.now())
    AttendanceRecord.objects.bulk_create(
        AttendanceRecord(session=session, person=person, status="present", method="manual")
        for person in people[:3000]
    )
    url = reverse("dashboard:report", args=[course.pk])
    with django_assert_max_num_queries(20):
        page = teacher_client.get(url).content.decode()
    assert page.count('<th scope="row">') == 100
    assert "Page 1 of 61" in page
    assert "50%" in page  # the chart counts every student, not the page
    response = teacher_client.get(reverse("dashboard:report-csv", args=[course.pk]))
    assert response.streaming
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 1 + 6002
    assert sum(row[2] == "present" for row in rows[1:]) == 3000


def test_a_poll_after_a_change_sends_the_photos_to_add_again_in_one_photo_query(
    teacher_client, course, ada, django_assert_num_queries
):
    first = poll(teacher_client, course)
    assert "No usable photo yet" in first["guidance_html"]
    photo = add_photo(ada, EnrollmentPhoto.Status.READY)
    EnrollmentPhoto.objects.filter(pk=photo.pk).update(encoding=pack(np.ones(128)))
    data = poll(teacher_client, course, since=first["stamp"])
    assert "One photo only" in data["guidance_html"] and "Ada Lovelace" in data["guidance_html"]
    with django_assert_num_queries(2):  # the roster, and its ready photos once
        enrollment_guidance(course)
