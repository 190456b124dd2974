import django.db.models.deletion
from django.db import migrations, models


def adopt_content_type(apps, schema_editor):
    """Permissions and admin history of the classifier follow it to its new app."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    types = ContentType.objects.using(db)
    if not types.filter(app_label="people", model="courseclassifier").exists():
        types.filter(app_label="recognition", model="courseclassifier").update(app_label="people")


def return_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    types = ContentType.objects.using(db)
    if not types.filter(app_label="recognition", model="courseclassifier").exists():
        types.filter(app_label="people", model="courseclassifier").update(app_label="recognition")


class Migration(migrations.Migration):
    """Takes over the course classifier from `recognition`, keeping its table and rows.

    Only the migration state changes (the table `recognition_courseclassifier` stays as it
    is); its content type is relabelled so permissions granted on it are kept.
    """

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("people", "0008_validators_on_settings_and_course_fields"),
        ("recognition", "0003_course_classifier_to_people"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="CourseClassifier",
                    fields=[
                        (
                            "course",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                primary_key=True,
                                related_name="classifier",
                                serialize=False,
                                to="people.course",
                            ),
                        ),
                        ("version", models.PositiveIntegerField(default=0)),
                        ("trained_at", models.DateTimeField(blank=True, null=True)),
                        ("people_count", models.PositiveIntegerField(default=0)),
                        ("photos_count", models.PositiveIntegerField(default=0)),
                        (
                            "encoder",
                            models.CharField(
                                blank=True,
                                help_text="The encoder of the encodings it was trained on.",
                                max_length=100,
                            ),
                        ),
                        (
                            "input_digest",
                            models.CharField(
                                blank=True,
                                help_text="SHA-256 of the encodings it was trained on.",
                                max_length=64,
                            ),
                        ),
                        (
                            "model_data",
                            models.BinaryField(
                                blank=True,
                                help_text="NumPy .npz arrays, loaded without pickle.",
                                null=True,
                            ),
                        ),
                        (
                            "training_requested_at",
                            models.DateTimeField(
                                blank=True,
                                help_text="Set while a training task is queued and not started "
                                "yet.",
                                null=True,
                            ),
                        ),
                    ],
                    options={"db_table": "recognition_courseclassifier"},
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(adopt_content_type, return_content_type, elidable=True),
    ]
