from django.db import migrations


class Migration(migrations.Migration):
    """The stored classifier now belongs to `people`: forgotten here, its table kept.

    Only the migration state changes; `people`'s migration that takes the model over
    depends on this one and adopts the same table, so no row is touched.
    """

    dependencies = [
        ("recognition", "0002_classifier_encoder_and_input_digest"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="CourseClassifier")],
            database_operations=[],
        ),
    ]
