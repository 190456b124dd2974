from django import forms
from django.contrib import admin
from django.http import HttpResponseBadRequest

from attendance import marks
from attendance.errors import NotOnRoster
from attendance.models import (
    AttendanceRecord,
    AttendanceSession,
    CheckInSnapshot,
    ClassPhoto,
    CourseSchedule,
    DecidedReview,
    EnrollmentKiosk,
    PendingReview,
    UnrecognisedAttempt,
)


class AttendanceRecordInline(admin.TabularInline):
    """Read only: a change of status goes through the record's own page (the mark writer)."""

    model = AttendanceRecord
    extra = 0
    fields = ["person", "status", "method", "recorded_at", "distance", "liveness", "changed_by"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(AttendanceSession)
class AttendanceSessionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "course", "starts_at", "ends_at", "state", "opened_at", "closed_at"]
    list_filter = ["course", "starts_at"]
    search_fields = ["title", "course__name"]
    date_hierarchy = "starts_at"
    readonly_fields = ["opened_at", "closed_at", "kiosk_token"]
    inlines = [AttendanceRecordInline]

    def changelist_view(self, request, extra_context=None):
        """The date hierarchy computes the next year/month: 9999 overflowed into a 500."""
        year = request.GET.get("starts_at__year")
        if year is not None and not (year.isdigit() and 1 <= int(year) < 9999):
            return HttpResponseBadRequest("Use a year between 1 and 9998.")
        return super().changelist_view(request, extra_context)


class AttendanceRecordForm(forms.ModelForm):
    class Meta:
        model = AttendanceRecord
        fields = ["session", "person", "status"]

    def clean(self):
        data = super().clean()
        if data.get("session") and data.get("person"):
            try:
                marks.ensure_on_roster(
                    session=data["session"], person=data["person"], method=marks.Method.MANUAL
                )
            except NotOnRoster as error:
                raise forms.ValidationError(str(error)) from None
        return data


@admin.register(AttendanceRecord)
class AttendanceRecordAdmin(admin.ModelAdmin):
    form = AttendanceRecordForm
    list_display = [
        "person",
        "session",
        "status",
        "method",
        "recorded_at",
        "distance",
        "liveness",
        "changed_by",
    ]
    list_filter = ["status", "method", "liveness", "session__course"]
    search_fields = ["person__full_name", "person__external_id", "session__course__name"]
    list_select_related = ["person", "session__course", "changed_by"]
    autocomplete_fields = ["person"]
    readonly_fields = ["method", "recorded_at", "distance", "liveness", "changed_by"]

    def save_model(self, request, obj, form, change):
        """An administrator's change is a manual mark by the one writer (attendance.marks)."""
        written = marks.mark(
            session=obj.session,
            person=obj.person,
            method=marks.Method.MANUAL,
            status=obj.status,
            by=request.user,
        )
        obj.pk = written.record.pk
        obj.refresh_from_db()


@admin.register(CheckInSnapshot)
class CheckInSnapshotAdmin(admin.ModelAdmin):
    """Read-only: kept frames exist only while CHECKIN_SNAPSHOT_RETENTION_DAYS allows."""

    list_display = ["session", "taken_at"]
    list_filter = ["session__course"]
    search_fields = ["people__full_name", "session__course__name"]
    fields = ["session", "taken_at", "people"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False


@admin.register(PendingReview)
class PendingReviewAdmin(admin.ModelAdmin):
    """Read-only: decided on the live session page; deleted (with the crop) when decided."""

    list_display = ["candidate", "session", "captured_at", "distance"]
    list_filter = ["session__course"]
    search_fields = ["candidate__full_name", "candidate__external_id", "session__course__name"]
    list_select_related = ["candidate", "session__course"]
    fields = ["session", "candidate", "captured_at", "distance"]


@admin.register(DecidedReview)
class DecidedReviewAdmin(admin.ModelAdmin):
    """Read-only: the number of a review decided already (no crop), so that a late second
    decision answers "already decided"; purged with the reviews."""

    list_display = ["review_id", "session", "decided_at"]
    search_fields = ["session__course__name"]
    list_select_related = ["session__course"]
    fields = ["review_id", "session", "decided_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False


@admin.register(ClassPhoto)
class ClassPhotoAdmin(admin.ModelAdmin):
    """Read-only: results of class-photo roll calls (the picture itself is not shown)."""

    list_display = ["__str__", "session", "status", "uploaded_at", "uploaded_by"]
    list_filter = ["status"]
    fields = [
        "session",
        "status",
        "error",
        "uploaded_at",
        "uploaded_by",
        "width",
        "height",
        "faces",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False


@admin.register(UnrecognisedAttempt)
class UnrecognisedAttemptAdmin(admin.ModelAdmin):
    list_display = ["session", "seen_at"]
    list_filter = ["session__course"]
    search_fields = ["session__course__name", "session__title"]
    fields = ["session", "seen_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False


@admin.register(CourseSchedule)
class CourseScheduleAdmin(admin.ModelAdmin):
    list_display = ["course", "weekday_labels", "start_time", "time_zone", "auto_open_close"]


@admin.register(EnrollmentKiosk)
class EnrollmentKioskAdmin(admin.ModelAdmin):
    """Open enrollment kiosks, to see or close one (deleting it stops its link at once)."""

    list_display = ["course", "opened_by", "opened_at", "expires_at"]
    readonly_fields = ["course", "opened_by", "opened_at", "expires_at"]
    exclude = ["token"]  # a credential: never shown

    def has_add_permission(self, request):
        return False  # opened by the teacher from the course page
