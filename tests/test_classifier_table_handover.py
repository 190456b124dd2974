"""The stored classifier changed apps (recognition -> people) without touching its table:
a database migrated before the change keeps its rows and the permissions granted on it."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("recognition", "0002_classifier_encoder_and_input_digest"),
    ("people", "0006_time_zones"),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def leaves():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_a_classifier_stored_by_the_old_app_is_read_by_the_new_one():
    old = migrate(BEFORE)
    course = old.get_model("people", "Course").objects.create(name="Chemistry")
    old.get_model("recognition", "CourseClassifier").objects.create(
        course_id=course.pk, version=3, encoder="dlib-resnet-v1/small/j1", model_data=b"arrays"
    )
    # only the two apps went back in time: the auth tables are today's
    old_type, _ = ContentType.objects.get_or_create(
        app_label="recognition", model="courseclassifier"
    )
    ContentType.objects.filter(app_label="people", model="courseclassifier").delete()
    view, _ = Permission.objects.get_or_create(
        content_type=old_type, codename="view_courseclassifier", defaults={"name": "Can view"}
    )
    Group.objects.create(name="model keepers").permissions.add(view)

    new = migrate(leaves())

    stored = new.get_model("people", "CourseClassifier").objects.get()
    assert (stored.course_id, stored.version, bytes(stored.model_data)) == (
        course.pk,
        3,
        b"arrays",
    )
    ContentType.objects.clear_cache()
    kept = Group.objects.get(name="model keepers").permissions.get()
    assert (kept.content_type.app_label, kept.codename) == ("people", "view_courseclassifier")


def test_the_model_keeps_its_table_and_the_face_pipeline_has_no_models():
    from django.apps import apps

    from people.models import CourseClassifier

    assert CourseClassifier._meta.db_table == "recognition_courseclassifier"
    assert list(apps.get_app_config("recognition").get_models()) == []
