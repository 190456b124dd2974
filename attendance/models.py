"""Attendance sessions of a course and the record of each person in them."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from jobs.durable import DurableJob
from people.validation import validate_time_zone


def new_kiosk_token() -> str:
    return secrets.token_urlsafe(32)


class AttendanceSession(models.Model):
    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    course = models.ForeignKey("people.Course", on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(max_length=200, blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    late_after_minutes = models.PositiveSmallIntegerField(
        default=10, help_text=_("A check-in this many minutes after the start counts as late.")
    )
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    kiosk_token = models.CharField(max_length=64, unique=True, default=new_kiosk_token)
    created_at = models.DateTimeField(auto_now_add=True)
    # the weekly schedule that made it, automatic opening/closing, and Reopen
    schedule = models.ForeignKey(
        "attendance.CourseSchedule",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sessions",
    )
    auto_open = models.BooleanField(
        default=False, help_text=_("Opened automatically at its start.")
    )
    auto_close = models.BooleanField(default=False, help_text=_("Closed automatically at its end."))
    reopened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="session_ends_after_start",
                violation_error_message=_("The session must end after it starts."),
            ),
            models.UniqueConstraint(
                fields=["schedule", "starts_at"], name="one_session_per_scheduled_lesson"
            ),
        ]

    def __str__(self):
        label = self.title or self.starts_at.strftime("%Y-%m-%d %H:%M")
        return f"{self.course} – {label}"

    def clean(self):
        from django.core.exceptions import ValidationError

        from attendance.validation import session_time_errors

        errors = session_time_errors(
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            late_after_minutes=self.late_after_minutes,
        )
        if errors:
            raise ValidationError(errors)

    @property
    def state(self) -> str:
        if self.closed_at:
            return self.State.CLOSED
        if self.opened_at:
            return self.State.OPEN
        return self.State.SCHEDULED

    @property
    def state_label(self) -> str:
        return self.State(self.state).label

    @property
    def late_from(self):
        return self.starts_at + timedelta(minutes=self.late_after_minutes)

    def is_late(self, when=None) -> bool:
        return (when or timezone.now()) > self.late_from


# Django's own abbreviations (0 = Monday), translated by its catalog.
WEEKDAYS = list(WEEKDAYS_ABBR.items())


class CourseSchedule(models.Model):
    """A weekly lesson of a course: the sessions are made from it (attendance.schedule)."""

    course = models.ForeignKey("people.Course", on_delete=models.CASCADE, related_name="schedules")
    title = models.CharField(max_length=200, blank=True)
    weekdays = models.JSONField(default=list, help_text=_("Days of the week, 0 = Monday."))
    start_time = models.TimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=60)
    late_after_minutes = models.PositiveSmallIntegerField(default=10)
    time_zone = models.CharField(
        max_length=64,
        validators=[validate_time_zone],
        help_text=_("The zone the start time is in."),
    )
    auto_open_close = models.BooleanField(
        default=False, help_text=_("Open each session at its start and close it at its end.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start_time", "pk"]

    def __str__(self):
        days = ", ".join(str(label) for value, label in WEEKDAYS if value in self.weekdays)
        return f"{self.course}: {days} {self.start_time:%H:%M}"

    def clean(self):
        """The sessions it makes must pass the sessions' own rules (attendance.validation)."""
        from django.core.exceptions import ValidationError

        from attendance.validation import MAX_SESSION_LENGTH

        length = timedelta(minutes=self.duration_minutes or 0)
        if length > MAX_SESSION_LENGTH:
            raise ValidationError({"duration_minutes": "A session lasts at most 24 hours."})
        if self.late_after_minutes is not None and self.late_after_minutes > (
            self.duration_minutes or 0
        ):
            raise ValidationError(
                {
                    "late_after_minutes": _("Use at most %(minutes)s minutes: the lesson's length.")
                    % {"minutes": self.duration_minutes}
                }
            )

    @property
    def weekday_labels(self) -> str:
        return ", ".join(str(label) for value, label in WEEKDAYS if value in self.weekdays)


class AttendanceRecord(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        LATE = "late", _("Late")
        ABSENT = "absent", _("Absent")
        EXCUSED = "excused", _("Excused")

    class Method(models.TextChoices):  # the one label of each method on every page and CSV
        FACE = "face", _("Face check-in")
        MANUAL = "manual", _("Set by a teacher")
        CONFIRMED = "confirmed", _("Confirmed by a teacher")
        ABSENT_AT_CLOSE = "closed", _("Absent at close")
        CLASS_PHOTO = "class_photo", _("Class photo")

    session = models.ForeignKey(AttendanceSession, on_delete=models.CASCADE, related_name="records")
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="attendance_records"
    )
    status = models.CharField(max_length=16, choices=Status.choices)
    recorded_at = models.DateTimeField(default=timezone.now)
    method = models.CharField(max_length=16, choices=Method.choices)
    distance = models.FloatField(null=True, blank=True, help_text=_("Face distance of the match."))

    class Liveness(models.TextChoices):  # the head-turn challenge: attendance.liveness
        NOT_CHECKED = "", _("Not checked")
        PASSED = "passed", _("Passed")

    liveness = models.CharField(
        max_length=16,
        choices=Liveness.choices,
        default=Liveness.NOT_CHECKED,
        blank=True,
        help_text=_("Whether the face check-in passed a head-turn challenge."),
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["person__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="one_record_per_person")
        ]

    def __str__(self):
        return f"{self.person.full_name}: {self.get_status_display()}"


def snapshot_upload_path(snapshot: "CheckInSnapshot", filename: str) -> str:
    return f"snapshots/{secrets.token_hex(16)}.jpg"


class CheckInSnapshot(models.Model):
    """A kept kiosk frame, only when CHECKIN_SNAPSHOT_RETENTION_DAYS > 0 (off by default).

    Purged after that many days, and with any person recognised in it when they are deleted.
    """

    session = models.ForeignKey(
        AttendanceSession, on_delete=models.CASCADE, related_name="snapshots"
    )
    taken_at = models.DateTimeField(default=timezone.now, db_index=True)
    image = models.FileField(upload_to=snapshot_upload_path)
    people = models.ManyToManyField("people.Person", related_name="checkin_snapshots", blank=True)

    class Meta:
        ordering = ["-taken_at"]

    def __str__(self):
        return f"Snapshot of {self.session} at {self.taken_at:%Y-%m-%d %H:%M:%S}"


def crop_upload_path(instance, filename: str) -> str:
    return f"crops/{secrets.token_hex(16)}.jpg"


class PendingReview(models.Model):
    """A face just outside the course's tolerance from one student: the teacher decides.

    Holds the face crop only (never the whole frame). Deleted with its crop when decided,
    when the session has been closed for REVIEW_GRACE_MINUTES, or after REVIEW_MAX_HOURS.
    """

    session = models.ForeignKey(AttendanceSession, on_delete=models.CASCADE, related_name="reviews")
    candidate = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="pending_reviews"
    )
    captured_at = models.DateTimeField(default=timezone.now, db_index=True)
    distance = models.FloatField(help_text=_("Face distance to the candidate's nearest photo."))
    crop = models.FileField(upload_to=crop_upload_path)

    class Meta:
        ordering = ["captured_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "candidate"], name="one_pending_review_per_candidate"
            )
        ]

    def __str__(self):
        return f"Review of {self.candidate} in {self.session}"


class DecidedReview(models.Model):
    """What is left of a review once confirmed or rejected: its number and session, no crop,
    so that a late second decision answers "already decided" rather than "not found".
    Purged with the reviews (attendance.reviews.purge_expired_reviews)."""

    review_id = models.PositiveBigIntegerField(primary_key=True)
    session = models.ForeignKey(
        AttendanceSession, on_delete=models.CASCADE, related_name="decided_reviews"
    )
    decided_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self):
        return f"Decided review {self.review_id}"


class UnrecognisedAttempt(models.Model):
    """An unknown face at the kiosk: when, and its crop only if snapshot retention is on."""

    session = models.ForeignKey(
        AttendanceSession, on_delete=models.CASCADE, related_name="unrecognised_attempts"
    )
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)
    crop = models.FileField(upload_to=crop_upload_path, blank=True)

    class Meta:
        ordering = ["-seen_at"]

    def __str__(self):
        return f"Unrecognised face in {self.session} at {self.seen_at:%H:%M:%S}"


def class_photo_upload_path(photo: "ClassPhoto", filename: str) -> str:
    return f"class_photos/{secrets.token_hex(16)}"


class ClassPhoto(DurableJob):
    """A picture of the class: every face in it is identified and the roster marked.

    The image is deleted once processed unless CHECKIN_SNAPSHOT_RETENTION_DAYS > 0.
    `faces` lists, per face: box (top/right/bottom/left px of the upright image),
    person (id or null), outcome, distance; no encodings are kept.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        PROCESSING = "processing", _("Processing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    session = models.ForeignKey(
        AttendanceSession, on_delete=models.CASCADE, related_name="class_photos"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    error = models.CharField(max_length=300, blank=True)
    image = models.FileField(upload_to=class_photo_upload_path, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    faces = models.JSONField(default=list, blank=True)
    faces_capped_at = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=_(
            "Set when the photo held more faces than CLASS_PHOTO_MAX_FACES: only this "
            "many, the largest, were identified."
        ),
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    job_task = "attendance.tasks.process_class_photo"
    job_state_field = "status"
    job_queued, job_claimed, job_failed = Status.PENDING, Status.PROCESSING, Status.FAILED
    job_gave_up_reason = gettext_noop(
        "The photo could not be processed. Try again, or upload it once more."
    )
    job_on_give_up = "attendance.class_photos.give_up"

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self):
        return f"Class photo of {self.session} ({self.get_status_display()})"


class EnrollmentKiosk(models.Model):
    """A course's kiosk that takes enrollment photos, opened by its link (a kiosk credential
    of the enrollment kind: attendance.kiosk_auth), until it expires or the teacher closes it."""

    course = models.OneToOneField(
        "people.Course", on_delete=models.CASCADE, related_name="enrollment_kiosk"
    )
    token = models.CharField(max_length=64, unique=True, default=new_kiosk_token)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    def __str__(self):
        return f"Enrollment kiosk of {self.course}"
