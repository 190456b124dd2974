from django import forms
from django.contrib import admin
from django.core.cache import cache
from django.db import models
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html

from people import consent, services, time_zones, training
from people.models import (
    Course,
    CourseClassifier,
    EnrollmentPhoto,
    Person,
    PhotoImportJob,
    RosterImportJob,
    SchoolSettings,
    TeacherProfile,
    TrainingRequest,
)


def thumbnail(photo: EnrollmentPhoto) -> str:
    if not photo.pk or not photo.image:
        return "–"
    url = reverse("people:photo-image", args=[photo.pk])
    # The alt text names the photo: in the photo list the thumbnail is the row's only link.
    return format_html(
        '<img src="{}" alt="Photo of {}" style="height:64px;border-radius:4px">',
        url,
        photo.person.full_name,
    )


class EnrollmentPhotoFormSet(BaseInlineFormSet):
    """Photos added here go through the same service as every other upload."""

    def add_fields(self, form, index):
        """A tabular inline shows its labels as column headings only: name each input for
        screen readers."""
        super().add_fields(form, index)
        row = "new photo" if index is None or index >= self.initial_form_count() else "photo"
        for name, field in form.fields.items():
            if not field.widget.is_hidden:
                label = field.label or name.replace("_", " ")
                field.widget.attrs["aria-label"] = f"{label} ({row} {(index or 0) + 1})"

    def clean(self):
        super().clean()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if "image" not in form.changed_data or data.get("DELETE") or not data.get("image"):
                continue
            if form.instance.pk:
                form.add_error("image", "To replace a photo, delete it and add a new one.")
                continue
            try:
                services.check_photo_allowed(person=self.instance, upload=data["image"])
            except services.UploadRefused as refused:
                form.add_error("image", str(refused))

    def save_new(self, form, commit=True):
        return services.add_photo(person=self.instance, upload=form.cleaned_data["image"])


class EnrollmentPhotoInline(admin.TabularInline):
    model = EnrollmentPhoto
    fk_name = "person"
    formset = EnrollmentPhotoFormSet
    extra = 1
    fields = ["preview", "image", "status", "rejection_reason", "uploaded_at"]
    readonly_fields = ["preview", "status", "rejection_reason", "uploaded_at"]
    # A plain file input: the default one links the stored file by its storage URL (a
    # signed bucket URL with S3); the preview shows it through the app's own view instead.
    formfield_overrides = {models.ImageField: {"widget": forms.FileInput}}

    @admin.display(description="photo")
    def preview(self, photo):
        return thumbnail(photo)


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["full_name", "external_id", "email", "is_active", "consent_recorded_on"]
    list_filter = ["is_active", "courses"]
    search_fields = ["full_name", "external_id", "email"]
    inlines = [EnrollmentPhotoInline]

    def save_model(self, request, obj, form, change):
        """Clearing the consent date here withdraws the consent like everywhere else."""
        if change and "consent_recorded_on" in form.changed_data and not obj.consent_recorded_on:
            consent.withdraw_consent(person=obj)
        super().save_model(request, obj, form, change)


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["name", "roster_size", "teacher_names", "liveness"]
    search_fields = ["name", "teachers__username", "roster__full_name"]
    list_filter = ["teachers", "liveness"]
    # Plain labelled multiple selects: the admin's two-box widget names its icons with
    # prohibited ARIA attributes, and the autocomplete one leaves its search field unlabelled.
    actions = ["retrain_courses"]

    @admin.display(description="students")
    def roster_size(self, course):
        return course.roster.count()

    @admin.display(description="teachers")
    def teacher_names(self, course):
        return ", ".join(teacher.get_username() for teacher in course.teachers.all())

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("teachers")

    @admin.action(description="Retrain the selected courses")
    def retrain_courses(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        training.request_training(ids)
        self.message_user(request, f"Training requested for {len(ids)} course(s).")


class EncoderFilter(admin.AllValuesFieldListFilter):
    """Photos not encoded yet have no encoder: give that choice a name, not an empty link."""

    def choices(self, changelist):
        for choice in super().choices(changelist):
            yield {**choice, "display": choice["display"] or "not encoded yet"}


@admin.register(EnrollmentPhoto)
class EnrollmentPhotoAdmin(admin.ModelAdmin):
    list_display = ["preview", "person", "status", "rejection_reason", "uploaded_at", "encoder"]
    list_filter = ["status", ("encoder", EncoderFilter)]
    search_fields = ["person__full_name", "person__external_id"]
    # Photos are added on their person's page (where consent is checked); here they are
    # reviewed, deleted or re-encoded.
    fields = [
        "preview",
        "person",
        "status",
        "rejection_reason",
        "face_box",
        "encoder",
        "uploaded_at",
    ]
    readonly_fields = fields
    list_select_related = ["person"]
    actions = ["reencode_photos"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="photo")
    def preview(self, photo):
        return thumbnail(photo)

    @admin.action(description="Re-encode the selected photos")
    def reencode_photos(self, request, queryset):
        """E.g. after an encoder upgrade, or for photos that gave up: back to pending, queued."""
        count = services.reencode_photos(photo_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{count} photo(s) queued for encoding.")


@admin.register(PhotoImportJob)
class PhotoImportJobAdmin(admin.ModelAdmin):
    list_display = ["pk", "course", "state", "total", "created_by", "created_at", "finished_at"]
    list_filter = ["state"]
    readonly_fields = [
        "course", "created_by", "archive_kept", "state", "attempts", "state_changed_at",
        "total", "results", "error",
    ]  # fmt: skip
    exclude = ["archive"]  # its storage URL would hand out the file; say only whether it is kept

    @admin.display(description="archive", boolean=True)
    def archive_kept(self, job):
        return bool(job.archive)


@admin.register(RosterImportJob)
class RosterImportJobAdmin(admin.ModelAdmin):
    list_display = ["pk", "course", "state", "total", "imported", "created_by", "created_at"]
    list_filter = ["state"]
    readonly_fields = [
        "course", "created_by", "state", "attempts", "state_changed_at", "total", "imported",
        "error", "row_errors", "finished_at",
    ]  # fmt: skip
    exclude = ["data"]  # the file's names and numbers: not shown, and emptied when the job ends


@admin.register(TrainingRequest)
class TrainingRequestAdmin(admin.ModelAdmin):
    """Trainings queued, running, and each course's latest outcome (with its reason)."""

    list_display = ["pk", "course", "state", "attempts", "created_at", "state_changed_at", "error"]
    list_filter = ["state"]
    readonly_fields = ["course", "state", "attempts", "created_at", "state_changed_at", "error"]


@admin.register(SchoolSettings)
class SchoolSettingsAdmin(admin.ModelAdmin):
    list_display = ["time_zone"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        cache.delete(time_zones.CACHE_KEY)  # pages follow the new zone at once


@admin.register(TeacherProfile)
class TeacherProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "time_zone"]


@admin.register(CourseClassifier)
class CourseClassifierAdmin(admin.ModelAdmin):
    list_display = ["course", "version", "trained_at", "people_count", "photos_count"]
    search_fields = ["course__name"]
    readonly_fields = [
        "course",
        "version",
        "trained_at",
        "people_count",
        "photos_count",
        "encoder",
    ]

    def has_add_permission(self, request):
        return False  # classifiers are made by training (retrain from the course's page)
