from django.contrib import admin

from recognition.models import CourseClassifier


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
        "training_requested_at",
    ]

    def has_add_permission(self, request):
        return False  # classifiers are made by training (retrain from the course's page)
