from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from attendance.models import AttendanceRecord, AttendanceSession
from people.selectors import courses_for


class SessionSerializer(serializers.ModelSerializer):
    state = serializers.CharField(read_only=True)
    kiosk_url = serializers.SerializerMethodField()

    class Meta:
        model = AttendanceSession
        fields = [
            "id",
            "course",
            "title",
            "starts_at",
            "ends_at",
            "late_after_minutes",
            "state",
            "opened_at",
            "closed_at",
            "kiosk_url",
        ]
        read_only_fields = ["opened_at", "closed_at"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            fields["course"].queryset = courses_for(request.user)
        return fields

    @extend_schema_field(serializers.CharField())
    def get_kiosk_url(self, session) -> str:
        return f"/kiosk/{session.kiosk_token}/"

    def validate(self, attrs):
        starts = attrs.get("starts_at", getattr(self.instance, "starts_at", None))
        ends = attrs.get("ends_at", getattr(self.instance, "ends_at", None))
        if starts and ends and ends <= starts:
            raise serializers.ValidationError({"ends_at": "The session must end after it starts."})
        return attrs


class RecordSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.full_name", read_only=True)
    changed_by = serializers.SlugRelatedField(read_only=True, slug_field="username")

    class Meta:
        model = AttendanceRecord
        fields = [
            "person",
            "person_name",
            "status",
            "method",
            "recorded_at",
            "distance",
            "changed_by",
            "updated_at",
        ]
        read_only_fields = fields


class StatusChangeSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    status = serializers.ChoiceField(choices=AttendanceRecord.Status.choices)


class CheckInUploadSerializer(serializers.Serializer):
    image = serializers.FileField(help_text="A webcam snapshot (JPEG or PNG).")
    min_face_px = serializers.IntegerField(
        required=False,
        min_value=20,
        max_value=4000,
        help_text="The smallest face to look for, in pixels of the snapshot (default: the "
        "server's FACE_MIN_DETECT_PX, 40). A kiosk whose students stand close sends e.g. 80 "
        "for a 640 px frame: faces smaller than this may be missed, and check-in is faster.",
    )


class FacePersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()


class FaceOutcomeSerializer(serializers.Serializer):
    box = serializers.DictField(child=serializers.IntegerField())
    person = FacePersonSerializer(allow_null=True)
    outcome = serializers.ChoiceField(choices=["present", "late", "already_checked_in", "unknown"])
    status = serializers.CharField(allow_null=True)
    checked_in_at = serializers.DateTimeField(allow_null=True)
    distance = serializers.FloatField(allow_null=True)

    def to_representation(self, face):
        record, person = face.record, face.person
        return {
            "box": face.box.as_dict(),
            "person": {"id": person.pk, "full_name": person.full_name} if person else None,
            "outcome": face.outcome,
            "status": record.status if record else None,
            "checked_in_at": record.recorded_at.isoformat() if record else None,
            "distance": None if face.distance is None else round(float(face.distance), 4),
        }


class CheckInResultSerializer(serializers.Serializer):
    session = serializers.IntegerField()
    faces = FaceOutcomeSerializer(many=True)
