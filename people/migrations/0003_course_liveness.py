"""The course setting `liveness`. Courses that exist keep "off" (check-in behaves
as before); courses created from now on default to "challenge"."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0002_see_everyone"),
    ]

    operations = [
        migrations.AddField(
            model_name="course",
            name="liveness",
            field=models.CharField(
                choices=[
                    ("off", "Off: a recognised face is marked at once"),
                    ("challenge", "Challenge: the student turns their head when asked"),
                ],
                default="off",
                help_text="Ask each recognised student to turn their head, so a photo cannot "
                "check in.",
                max_length=16,
            ),
        ),
        migrations.AlterField(
            model_name="course",
            name="liveness",
            field=models.CharField(
                choices=[
                    ("off", "Off: a recognised face is marked at once"),
                    ("challenge", "Challenge: the student turns their head when asked"),
                ],
                default="challenge",
                help_text="Ask each recognised student to turn their head, so a photo cannot "
                "check in.",
                max_length=16,
            ),
        ),
    ]
