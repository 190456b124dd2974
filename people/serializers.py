from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from people.models import Course, CourseClassifier, EnrollmentPhoto, Person, RosterImportJob
from people.selectors import people_for
from people.training import pending_since


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = [
            "id",
            "full_name",
            "external_id",
            "email",
            "is_active",
            "consent_recorded_on",
            "created_at",
        ]
        read_only_fields = ["created_at"]


class PhotoSerializer(serializers.ModelSerializer):
    image_url = serializers.SerializerMethodField()

    class Meta:
        model = EnrollmentPhoto
        fields = [
            "id",
            "person",
            "status",
            "rejection_reason",
            "review_reason",
            "face_box",
            "encoder",
            "quality",
            "kept_after_review",
            "kept_at",
            "uploaded_at",
            "image_url",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_image_url(self, photo) -> str:
        return reverse("people:photo-image", args=[photo.pk])


class PhotoUploadSerializer(serializers.Serializer):
    image = serializers.FileField(
        help_text=_("A photo with exactly one face (JPEG, PNG, WebP…); at most MAX_UPLOAD_BYTES.")
    )


class CourseSerializer(serializers.ModelSerializer):
    roster = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Person.objects.all(), required=False
    )
    teachers = serializers.SlugRelatedField(many=True, read_only=True, slug_field="username")

    class Meta:
        model = Course
        fields = [
            "id",
            "name",
            "roster",
            "teachers",
            "recognition_tolerance",
            "liveness",
            "review_margin",
            "language",
            "created_at",
        ]
        read_only_fields = ["created_at"]

    def get_fields(self):
        """A teacher can put on a roster only the people they can see."""
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            fields["roster"].child_relation.queryset = people_for(request.user)
        return fields


class ClassifierSerializer(serializers.ModelSerializer):
    training_requested_at = serializers.SerializerMethodField(
        help_text=_("When the training still to run was requested; null when none is waiting.")
    )

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_training_requested_at(self, row):
        since = pending_since(row.course_id)
        return None if since is None else serializers.DateTimeField().to_representation(since)

    class Meta:
        model = CourseClassifier
        fields = ["version", "trained_at", "people_count", "photos_count", "training_requested_at"]
        read_only_fields = fields


class RosterImportSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=_(
            "CSV, UTF-8 (with or without BOM), `;` or `,`; a header row naming the "
            "columns full name (or first name and last name), student number, and optionally "
            "e-mail and consent date."
        )
    )
    dry_run = serializers.BooleanField(
        default=False, help_text=_("Only check the file and answer the preview.")
    )
    date_order = serializers.ChoiceField(
        choices=RosterImportJob.DateOrder.choices,
        default=RosterImportJob.DateOrder.DAY_FIRST,
        help_text=_("How a date such as 01/09/2026 reads: dmy (day first) or mdy (month first)."),
    )


class RosterRowSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    full_name = serializers.CharField()
    external_id = serializers.CharField()
    email = serializers.CharField()
    consent_recorded_on = serializers.DateField(allow_null=True)
    existing = serializers.BooleanField(help_text=_("Already one of your students."))
    date_ambiguous = serializers.BooleanField(
        help_text=_("The consent date would read as another date in the other date_order.")
    )
    errors = serializers.ListField(child=serializers.CharField())


class RosterImportResultSerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    errors = serializers.IntegerField(help_text=_("Rows with an error."))
    imported = serializers.IntegerField(help_text=_("Students added (0 on a dry run or an error)."))
    date_order = serializers.CharField(help_text=_("How the file's numeric dates were read."))
    ambiguous_dates = serializers.IntegerField(
        help_text=_("Rows whose consent date reads differently in the other order.")
    )
    ignored_columns = serializers.ListField(
        child=serializers.CharField(), help_text=_("Columns of the file that were not read.")
    )
    rows = RosterRowSerializer(many=True)


class RosterImportRowErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    full_name = serializers.CharField()
    external_id = serializers.CharField()
    errors = serializers.ListField(child=serializers.CharField())


class RosterImportJobSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.CharField(help_text="Where to poll the job.")
    course = serializers.IntegerField()
    state = serializers.ChoiceField(choices=["queued", "running", "done", "failed"])
    state_display = serializers.CharField()
    total = serializers.IntegerField(help_text="Rows of the file.")
    done = serializers.IntegerField(help_text="Rows added so far.")
    imported = serializers.IntegerField(help_text="Students added, once done.")
    error = serializers.CharField()
    row_errors = RosterImportRowErrorSerializer(
        many=True, help_text="Rows found wrong when the job ran (nothing was added)."
    )
    finished = serializers.BooleanField()


class PhotoImportSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=_("A ZIP of photos named by student number: S001.jpg, S001_2.jpg or S001/a.jpg.")
    )


class PhotoImportFileSerializer(serializers.Serializer):
    file = serializers.CharField()
    person = serializers.IntegerField()
    full_name = serializers.CharField()
    external_id = serializers.CharField()
    photo = serializers.IntegerField()
    status = serializers.CharField()
    rejection_reason = serializers.CharField()


class PhotoImportJobSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    course = serializers.IntegerField()
    state = serializers.ChoiceField(choices=["queued", "running", "done", "failed"])
    state_display = serializers.CharField()
    error = serializers.CharField()
    total = serializers.IntegerField()
    done = serializers.IntegerField(help_text=_("Photos ready or rejected."))
    ready = serializers.IntegerField()
    rejected = serializers.IntegerField()
    finished = serializers.BooleanField()
    files = PhotoImportFileSerializer(many=True)
