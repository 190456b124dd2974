"""The rules on time zones, the review margin and liveness live on the model fields, so the
admin, the API and the dashboard refuse the same values; a bad value stored around them
(`.update()`, raw SQL) falls back to a working zone instead of failing every page."""

import logging

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from attendance.models import CourseSchedule
from people import time_zones
from people.models import SchoolSettings, TeacherProfile
from tests.factories import CourseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def teacher_client(teacher):
    client = Client()
    client.force_login(teacher)
    return client


def test_the_admin_refuses_an_unknown_teacher_time_zone(client, superuser, teacher):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:people_teacherprofile_add"),
        {"user": teacher.pk, "time_zone": "Mars/Olympus"},
    )
    assert response.status_code == 200
    assert "is not a time zone name" in response.content.decode()
    assert not TeacherProfile.objects.exists()


def test_the_admin_refuses_an_unknown_school_time_zone(client, superuser):
    time_zones.set_school_time_zone("Europe/Berlin")
    client.force_login(superuser)
    url = reverse("admin:people_schoolsettings_change", args=[1])
    response = client.post(url, {"time_zone": "Mars/Olympus"})
    assert response.status_code == 200
    assert "is not a time zone name" in response.content.decode()
    assert SchoolSettings.objects.get(pk=1).time_zone == "Europe/Berlin"


def test_the_admin_accepts_a_real_zone(client, superuser, teacher):
    client.force_login(superuser)
    client.post(
        reverse("admin:people_teacherprofile_add"), {"user": teacher.pk, "time_zone": "Asia/Tokyo"}
    )
    assert TeacherProfile.objects.get(user=teacher).time_zone == "Asia/Tokyo"


def test_a_schedule_zone_is_checked_by_its_field(teacher):
    schedule = CourseSchedule(
        course=CourseFactory(teachers=[teacher]),
        weekdays=[0],
        start_time="09:00",
        time_zone="Mars/Olympus",
    )
    with pytest.raises(ValidationError) as error:
        schedule.full_clean()
    assert "time_zone" in error.value.message_dict


@pytest.mark.parametrize(
    ("field", "value"),
    [("review_margin", 0.5), ("review_margin", -0.1), ("liveness", "sometimes")],
)
def test_course_settings_are_refused_alike_by_the_admin_and_the_api(
    client, superuser, teacher, field, value
):
    course = CourseFactory(teachers=[teacher])
    api = APIClient()
    api.force_authenticate(teacher)
    answer = api.patch(f"/api/courses/{course.pk}/", {field: value}, format="json")
    assert answer.status_code == 400 and field in answer.json()

    client.force_login(superuser)
    data = {"name": course.name, "review_margin": 0.06, "liveness": "off", field: value}
    page = client.post(reverse("admin:people_course_change", args=[course.pk]), data)
    assert page.status_code == 200 and "errorlist" in page.content.decode()
    course.refresh_from_db()
    assert getattr(course, field) != value


def test_a_stored_invalid_teacher_zone_falls_back_to_the_schools(teacher_client, teacher, caplog):
    time_zones.set_school_time_zone("Asia/Tokyo")
    TeacherProfile.objects.create(user=teacher, time_zone="Europe/Paris")
    TeacherProfile.objects.filter(user=teacher).update(time_zone="Mars/Olympus")
    course = CourseFactory(teachers=[teacher])
    with caplog.at_level(logging.WARNING, logger="people.time_zones"):
        page = teacher_client.get(reverse("dashboard:course", args=[course.pk]))
    assert page.status_code == 200
    assert time_zones.teacher_time_zone(teacher) == "Asia/Tokyo"
    assert "Mars/Olympus" in caplog.text


def test_a_stored_invalid_school_zone_falls_back_to_the_setting_for_everyone(
    client, teacher_client, teacher, settings, caplog
):
    SchoolSettings.objects.update_or_create(pk=1, defaults={"time_zone": "Europe/Berlin"})
    SchoolSettings.objects.filter(pk=1).update(time_zone="Mars/Olympus")
    with caplog.at_level(logging.WARNING, logger="people.time_zones"):
        assert teacher_client.get(reverse("dashboard:home")).status_code == 200
        assert client.get(reverse("login")).status_code == 200
        assert client.get("/healthz").status_code == 200
    assert time_zones.school_time_zone() == settings.TIME_ZONE
    assert "Mars/Olympus" in caplog.text
