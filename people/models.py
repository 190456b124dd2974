"""People to be recognised, the courses they belong to, their enrollment photos and each
course's trained face classifier."""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from jobs.durable import DurableJob, JobState
from people.validation import (
    check_consent_date,
    check_review_margin,
    check_tolerance,
    validate_time_zone,
)


class Person(models.Model):
    full_name = models.CharField(max_length=200)
    external_id = models.CharField(
        "student number",
        max_length=64,
        unique=True,
        help_text=_("The school's id for this person."),
    )
    email = models.EmailField(blank=True)
    is_active = models.BooleanField(default=True)
    consent_recorded_on = models.DateField(
        null=True,
        blank=True,
        validators=[check_consent_date],
        help_text=_("Date on which consent to face recognition was recorded."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("A teacher sees the people they created, even before adding them to a course."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["full_name", "external_id"]
        verbose_name_plural = "people"
        permissions = [("see_everyone", "Can see and manage every person, course and session")]

    def __str__(self):
        return f"{self.full_name} ({self.external_id})"


class Course(models.Model):
    name = models.CharField(max_length=200)
    teachers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="courses", blank=True)
    roster = models.ManyToManyField(Person, related_name="courses", blank=True)
    recognition_tolerance = models.FloatField(
        null=True,
        blank=True,
        validators=[check_tolerance],
        help_text=_("Maximum face distance for a match; empty uses the site default."),
    )
    review_margin = models.FloatField(
        default=0.06,
        validators=[check_review_margin],
        help_text=_(
            "A face this much farther than the tolerance from a student is shown to the "
            "teacher for review instead of being called a stranger; 0 turns reviews off."
        ),
    )

    class Liveness(models.TextChoices):  # what each mode does: attendance/liveness.py
        OFF = "off", _("Off: a recognised face is marked at once")
        CHALLENGE = "challenge", _("Challenge: the student turns their head when asked")

    liveness = models.CharField(
        max_length=16,
        choices=Liveness.choices,
        default=Liveness.CHALLENGE,
        help_text=_("Ask each recognised student to turn their head, so a photo cannot check in."),
    )
    language = models.CharField(
        _("kiosk language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language of the course's check-in and enrollment kiosks."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def effective_tolerance(self) -> float:
        from people.validation import capped_tolerance

        if self.recognition_tolerance is None:
            return capped_tolerance(settings.RECOGNITION_TOLERANCE)
        return capped_tolerance(self.recognition_tolerance)


IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp", ".tif", ".tiff"}


def photo_upload_path(photo: "EnrollmentPhoto", filename: str) -> str:
    """Random names (a file name must not reveal whose face it holds) and only image suffixes,
    so a stored upload is never served as anything but an image."""
    suffix = PurePosixPath(filename).suffix.lower()
    return f"photos/{uuid.uuid4().hex}{suffix if suffix in IMAGE_SUFFIXES else '.upload'}"


class PhotoQuerySet(models.QuerySet):
    def busy(self):
        """Waiting for their encoding, or being encoded."""
        return self.filter(status__in=EnrollmentPhoto.BUSY_STATES)


class EnrollmentPhoto(DurableJob):
    """A photo of a person's face; its encoding is a background job (jobs.durable).

    Its attempts and state-change columns predate the job mechanism and keep their names."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        PROCESSING = "processing", _("Processing")
        READY = "ready", _("Ready")
        REJECTED = "rejected", _("Rejected")
        NEEDS_REVIEW = "needs_review", _("Needs review")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to=photo_upload_path)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    status_changed_at = models.DateTimeField(auto_now_add=True)
    rejection_reason = models.CharField(max_length=300, blank=True)
    face_box = models.JSONField(
        null=True,
        blank=True,
        help_text=_("Face position in the upright image: top, right, bottom, left."),
    )
    encoding = models.BinaryField(null=True, blank=True, editable=False)
    encoder = models.CharField(max_length=100, blank=True)
    processing_attempts = models.PositiveSmallIntegerField(default=0)
    review_reason = models.CharField(
        max_length=1000, blank=True, help_text=_("Why a teacher should look at this photo.")
    )
    looks_like = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The other student this held photo looks like (shown next to it)."),
    )
    kept_after_review = models.BooleanField(
        default=False, help_text=_("A teacher kept it after a review: not checked again.")
    )
    captured_live = models.BooleanField(
        default=False,
        help_text=_(
            "A frame of the enrollment kiosk's camera, not an uploaded file: it cannot "
            "be an enlarged crop (a webcam frame's fine detail can look like one)."
        ),
    )
    kept_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Who kept it after a review."),
    )
    kept_at = models.DateTimeField(null=True, blank=True)
    quality = models.JSONField(
        null=True,
        blank=True,
        help_text=_("Measured photo quality (recognition.quality.measure), null before encoding."),
    )

    BUSY_STATES = (Status.PENDING, Status.PROCESSING)

    attempts = None
    state_changed_at = None
    job_task = "people.tasks.encode_photo"
    job_state_field = "status"
    job_queued, job_claimed, job_failed = Status.PENDING, Status.PROCESSING, Status.REJECTED
    job_reason_field = "rejection_reason"
    job_attempts_field = "processing_attempts"
    job_changed_field = "status_changed_at"
    job_gave_up_reason = gettext_noop(
        "This photo could not be processed after several attempts. Delete it and upload it again."
    )
    job_on_give_up = "people.services.give_up_on_photo"

    objects = PhotoQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self):
        return f"Photo {self.pk} of {self.person.full_name}"


def import_archive_path(job: "PhotoImportJob", filename: str) -> str:
    return f"imports/{uuid.uuid4().hex}.zip"


class PhotoImportJob(DurableJob):
    """A ZIP of photos named by student number, stored in the background (people.photo_import).

    `results` holds one entry per file of the archive: its name, the student number, and the
    photo made from it (whose status tells whether a face was found).
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Adding photos")
        DONE = "done", _("Photos added")
        FAILED = "failed", _("Failed")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="photo_imports")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    archive = models.FileField(upload_to=import_archive_path, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField(default=0)
    results = models.JSONField(default=list, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    job_task = "people.tasks.run_photo_import"
    job_gave_up_reason = gettext_noop(
        "The photos could not be added after several attempts. Upload the archive again."
    )
    job_on_give_up = "people.photo_import.give_up"

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Photo import {self.pk} for {self.course}"


class RosterImportJob(DurableJob):
    """A long roster CSV, checked in the request and added in the background
    (people.roster_import): all students or none. The file's text is kept only until the job
    ends; `row_errors` lists the rows that turned out wrong when it ran."""

    State = JobState

    class DateOrder(models.TextChoices):  # how 01/09/2026 reads
        DAY_FIRST = "dmy", _("day first (01/09/2026 = 1 Sep)")
        MONTH_FIRST = "mdy", _("month first (01/09/2026 = 9 Jan)")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="roster_imports")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.TextField(blank=True, help_text=_("The CSV text, emptied when the job ends."))
    date_order = models.CharField(
        max_length=3, choices=DateOrder.choices, default=DateOrder.DAY_FIRST
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    row_errors = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    job_task = "people.tasks.run_roster_import"
    job_gave_up_reason = gettext_noop(
        "The students could not be added after several attempts. Import the file again."
    )
    job_on_give_up = "people.roster_import.give_up"

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Roster import {self.pk} for {self.course}"


class TrainingRequest(DurableJob):
    """A course's classifier is to be trained again with its current photos (people.training).

    At most one request per course is queued: requests made meanwhile merge into it."""

    State = JobState

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="training_requests")
    state = models.CharField(
        max_length=16, choices=State.choices, default=State.QUEUED, db_index=True
    )
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    job_task = "people.tasks.run_requested_training"
    job_gave_up_reason = gettext_noop(
        "The course could not be trained after several attempts; its next change tries again."
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["course"],
                condition=models.Q(state="queued"),
                name="one_queued_training_per_course",
            )
        ]

    def __str__(self):
        return f"Training of {self.course} ({self.get_state_display()})"


class SchoolSettings(models.Model):
    """One row: the school's time zone, chosen at first run (ensure_first_teacher)."""

    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])

    class Meta:
        verbose_name_plural = "school settings"

    def __str__(self):
        return f"School time zone {self.time_zone}"


class TeacherProfile(models.Model):
    """A teacher's own settings; an empty time zone means the school's."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="teacher_profile"
    )
    time_zone = models.CharField(max_length=64, blank=True, validators=[validate_time_zone])
    must_change_password = models.BooleanField(
        default=False,
        help_text="The password was generated (first run): it must be changed at next login.",
    )
    # Empty: the language the browser asks for (Accept-Language).
    language = models.CharField(_("language"), max_length=8, blank=True, choices=settings.LANGUAGES)

    def __str__(self):
        return f"Profile of {self.user}"


class CourseClassifier(models.Model):
    """The current model of one course. `version` grows by one at every training.

    Its table keeps the name it had when the face pipeline's app owned it.
    """

    course = models.OneToOneField(
        Course, on_delete=models.CASCADE, related_name="classifier", primary_key=True
    )
    version = models.PositiveIntegerField(default=0)
    trained_at = models.DateTimeField(null=True, blank=True)
    people_count = models.PositiveIntegerField(default=0)
    photos_count = models.PositiveIntegerField(default=0)
    encoder = models.CharField(
        max_length=100, blank=True, help_text=_("The encoder of the encodings it was trained on.")
    )
    input_digest = models.CharField(
        max_length=64, blank=True, help_text=_("SHA-256 of the encodings it was trained on.")
    )
    model_data = models.BinaryField(
        null=True,
        blank=True,
        editable=False,
        help_text=_("NumPy .npz arrays, loaded without pickle."),
    )

    class Meta:
        db_table = "recognition_courseclassifier"

    def __str__(self):
        return f"Classifier of {self.course} (v{self.version})"
