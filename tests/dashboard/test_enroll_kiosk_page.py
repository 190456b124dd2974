"""The enrollment kiosk from the course page: opened with its own link and QR code, listing
the course's students (those without consent as not available), closed again."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from attendance.models import EnrollmentKiosk

pytestmark = pytest.mark.django_db


def kiosk_link(page: str) -> str:
    return re.search(r'id="enroll-kiosk-url" value="([^"]+)"', page).group(1)


def test_the_teacher_opens_the_enrollment_kiosk_and_its_page_lists_the_students(
    teacher_client, course, ada, alan
):
    course_url = reverse("dashboard:course", args=[course.pk])
    page = teacher_client.get(course_url).content.decode()
    assert 'id="enroll-kiosk-open"' in page and 'id="enroll-kiosk-url"' not in page
    response = teacher_client.post(reverse("dashboard:enroll-kiosk-open", args=[course.pk]))
    assert response.status_code == 302
    page = teacher_client.get(course_url).content.decode()
    link = kiosk_link(page)
    assert "/enroll-kiosk/" in link and "QR code of the enrollment kiosk link" in page
    assert 'data-watch="true"' in page  # the course page keeps polling for arriving photos

    kiosk = Client().get(link)  # no login: the link is the credential
    html = kiosk.content.decode()
    assert kiosk.status_code == 200 and "js/enroll_kiosk.js" in html
    assert f'data-frames-url="/api/courses/{course.pk}/enrollment-kiosk/frames/"' in html
    assert f'data-person="{alan.pk}"' in html  # consent recorded: can enroll
    assert f'data-person="{ada.pk}"' not in html  # no consent: listed, not available
    assert re.search(r"disabled[^>]*>Ada Lovelace <span[^>]*>not available", html)
    assert "no-cache" in kiosk["Cache-Control"]


def test_a_new_link_replaces_the_old_one_and_closing_stops_it(teacher_client, course):
    client = Client()  # the kiosk: not logged in
    open_url = reverse("dashboard:enroll-kiosk-open", args=[course.pk])
    course_url = reverse("dashboard:course", args=[course.pk])
    teacher_client.post(open_url)
    first = kiosk_link(teacher_client.get(course_url).content.decode())
    teacher_client.post(open_url)
    second = kiosk_link(teacher_client.get(course_url).content.decode())
    assert first != second
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    teacher_client.post(reverse("dashboard:enroll-kiosk-close", args=[course.pk]))
    response = client.get(second)
    assert response.status_code == 404 and course.name not in response.content.decode()
    assert 'id="enroll-kiosk-url"' not in teacher_client.get(course_url).content.decode()


def test_another_teacher_cannot_open_it(other_client, course):
    response = other_client.post(reverse("dashboard:enroll-kiosk-open", args=[course.pk]))
    assert response.status_code == 404
    assert not EnrollmentKiosk.objects.exists()
