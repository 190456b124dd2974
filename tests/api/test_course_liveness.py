"""The course setting `liveness` in the API, and the migration that keeps old courses off."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import CourseFactory


@pytest.mark.django_db
def test_a_new_course_asks_for_a_head_turn_by_default(teacher_api):
    course = teacher_api.post("/api/courses/", {"name": "Drama"}, format="json").json()
    assert course["liveness"] == "challenge"
    assert teacher_api.get(f"/api/courses/{course['id']}/").json()["liveness"] == "challenge"


@pytest.mark.django_db
def test_a_teacher_can_turn_it_off_and_a_bad_value_is_a_400(teacher, teacher_api):
    course = CourseFactory(teachers=[teacher], liveness="challenge")
    url = f"/api/courses/{course.pk}/"
    response = teacher_api.patch(url, {"liveness": "off"}, format="json")
    assert response.status_code == 200 and response.json()["liveness"] == "off"
    response = teacher_api.patch(url, {"liveness": "blink"}, format="json")
    assert response.status_code == 400
    assert "liveness" in response.json()
    course.refresh_from_db()
    assert course.liveness == "off"


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_existing_courses_off():
    executor = MigrationExecutor(connection)
    executor.migrate([("people", "0001_initial")])
    old_apps = executor.loader.project_state([("people", "0001_initial")]).apps
    old = old_apps.get_model("people", "Course").objects.create(name="From last year")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    from people.models import Course

    assert Course.objects.get(pk=old.pk).liveness == "off"
    assert Course.objects.create(name="New").liveness == "challenge"
