"""The trained face classifier of each course, stored as plain arrays."""

from django.db import models


class CourseClassifier(models.Model):
    """The current model of one course. `version` grows by one at every training."""

    course = models.OneToOneField(
        "people.Course", on_delete=models.CASCADE, related_name="classifier", primary_key=True
    )
    version = models.PositiveIntegerField(default=0)
    trained_at = models.DateTimeField(null=True, blank=True)
    people_count = models.PositiveIntegerField(default=0)
    photos_count = models.PositiveIntegerField(default=0)
    encoder = models.CharField(
        max_length=100, blank=True, help_text="The encoder of the encodings it was trained on."
    )
    input_digest = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the encodings it was trained on."
    )
    model_data = models.BinaryField(
        null=True, blank=True, editable=False, help_text="NumPy .npz arrays, loaded without pickle."
    )
    training_requested_at = models.DateTimeField(
        null=True, blank=True, help_text="Set while a training task is queued and not started yet."
    )

    def __str__(self):
        return f"Classifier of {self.course} (v{self.version})"
