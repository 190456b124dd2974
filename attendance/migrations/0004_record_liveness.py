"""Whether a face check-in passed a head-turn challenge."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("attendance", "0003_session_constraint_message"),
    ]

    operations = [
        migrations.AddField(
            model_name="attendancerecord",
            name="liveness",
            field=models.CharField(
                blank=True,
                choices=[("", "Not checked"), ("passed", "Passed")],
                default="",
                help_text="Whether the face check-in passed a head-turn challenge.",
                max_length=16,
            ),
        ),
    ]
