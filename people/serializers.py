from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from people.models import Course, EnrollmentPhoto, Person
from people.selectors import people_for
from people.validation import check_consent_date, check_tolerance
from recognition.models import CourseClassifier


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
        extra_kwargs = {"consent_recorded_on": {"validators": [check_consent_date]}}


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
            "uploaded_at",
            "image_url",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_image_url(self, photo) -> str:
        return reverse("people:photo-image", args=[photo.pk])


class PhotoUploadSerializer(serializers.Serializer):
    image = serializers.FileField(
        help_text="A photo with exactly one face (JPEG, PNG, WebP…); at most MAX_UPLOAD_BYTES."
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

    def validate_recognition_tolerance(self, value):
        check_tolerance(value)
        return value

    def validate_review_margin(self, value):
        if not 0.0 <= value <= 0.3:
            raise serializers.ValidationError(
                "Use a distance between 0 (no reviews) and 0.3 (default 0.06)."
            )
        return value


class ClassifierSerializer(serializers.ModelSerializer):
    class Meta:
        model = CourseClassifier
        fields = ["version", "trained_at", "people_count", "photos_count", "training_requested_at"]
        read_only_fields = fields
