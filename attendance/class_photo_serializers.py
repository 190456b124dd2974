from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from attendance.models import ClassPhoto


class ClassPhotoUploadSerializer(serializers.Serializer):
    image = serializers.FileField(
        help_text=_(
            "A picture of the class (JPEG, PNG or WebP; phone photos up to "
            "CLASS_PHOTO_MAX_PIXELS and CLASS_PHOTO_MAX_UPLOAD_BYTES)."
        )
    )


class ClassPhotoFaceSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    box = serializers.DictField(child=serializers.IntegerField())
    person = serializers.DictField(allow_null=True, help_text=_("id and full_name, or null"))
    outcome = serializers.ChoiceField(
        choices=["present", "late", "already_checked_in", "unknown", "assigned"]
    )
    distance = serializers.FloatField(allow_null=True)


class ClassPhotoSerializer(serializers.ModelSerializer):
    faces = serializers.SerializerMethodField()
    found = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField(help_text=_("where to read this photo's progress"))
    assign_url = serializers.SerializerMethodField(help_text=_("where to name an unknown face"))
    image_url = serializers.SerializerMethodField(
        help_text=_("the picture, while it is kept (until the session closes), else null")
    )

    class Meta:
        model = ClassPhoto
        fields = [
            "id",
            "session",
            "status",
            "error",
            "uploaded_at",
            "finished_at",
            "width",
            "height",
            "found",
            "faces_capped_at",
            "faces",
            "url",
            "assign_url",
            "image_url",
        ]
        read_only_fields = fields

    def get_url(self, photo) -> str:
        return reverse("session-class-photo", args=[photo.session_id, photo.pk])

    def get_assign_url(self, photo) -> str:
        return reverse("session-assign-class-photo-face", args=[photo.session_id, photo.pk])

    def get_image_url(self, photo) -> str | None:
        if not photo.image:
            return None
        return reverse("session-class-photo-image", args=[photo.session_id, photo.pk])

    def get_found(self, photo) -> int:
        return len(photo.faces)

    @extend_schema_field(ClassPhotoFaceSerializer(many=True))
    def get_faces(self, photo) -> list:
        names = self.context.get("names") or {}
        return [
            {
                "index": index,
                "box": face["box"],
                "person": (
                    {"id": face["person"], "full_name": names.get(face["person"], "")}
                    if face["person"]
                    else None
                ),
                "outcome": face["outcome"],
                "distance": face["distance"],
            }
            for index, face in enumerate(photo.faces)
        ]


class AssignFaceSerializer(serializers.Serializer):
    face = serializers.IntegerField(min_value=0, help_text=_("index of the face in `faces`"))
    person = serializers.IntegerField(help_text=_("a student of the course's roster"))
