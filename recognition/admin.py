from django.contrib import admin

from recognition import training
from recognition.models import CourseClassifier


@admin.register(CourseClassifier)
class CourseClassifierAdmin(admin.ModelAdmin):
    list_display = ["course", "version", "trained_at", "people_count", "photos_count"]
    search_fields = ["course__name"]
    actions = ["retrain"]
    readonly_fields = [
        "course",
        "version",
        "trained_at",
        "people_count",
        "photos_count",
        "format_version",
        "training_requested_at",
    ]

    def has_add_permission(self, request):
        return False  # classifiers are made by training, not by hand

    @admin.action(description="Retrain the selected courses")
    def retrain(self, request, queryset):
        ids = list(queryset.values_list("course_id", flat=True))
        training.request_training(ids)
        self.message_user(request, f"Training requested for {len(ids)} course(s).")
