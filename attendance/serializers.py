from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from attendance.models import AttendanceRecord, AttendanceSession
from attendance.services import FaceOutcome, reopened_closes_at
from people.selectors import courses_for


class SessionSerializer(serializers.ModelSerializer):
    state = serializers.ChoiceField(choices=AttendanceSession.State.choices, read_only=True)
    kiosk_url = serializers.SerializerMethodField()
    checkin_closes_at = serializers.SerializerMethodField(
        help_text=_("Set when the session was reopened after its end: it closes then.")
    )

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
            "checkin_closes_at",
        ]
        read_only_fields = ["opened_at", "closed_at"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            fields["course"].queryset = courses_for(request.user)
        return fields

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_checkin_closes_at(self, session):
        closes_at = reopened_closes_at(session)
        return serializers.DateTimeField().to_representation(closes_at) if closes_at else None

    @extend_schema_field(serializers.CharField())
    def get_kiosk_url(self, session) -> str:
        return f"/kiosk/{session.kiosk_token}/"

    def validate(self, attrs):
        """The model's rules (clean: times within limits) and constraints (it ends after it
        starts), as the forms and the admin check them."""
        fields = ("course", "starts_at", "ends_at", "late_after_minutes")
        current = {name: getattr(self.instance, name) for name in fields if self.instance}
        candidate = AttendanceSession(**{**current, **{k: attrs[k] for k in fields if k in attrs}})
        try:
            candidate.clean()
            candidate.validate_constraints()
        except DjangoValidationError as error:
            raise serializers.ValidationError(serializers.as_serializer_error(error)) from None
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
            "liveness",
            "changed_by",
            "updated_at",
        ]
        read_only_fields = fields


class StatusChangeSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    status = serializers.ChoiceField(choices=AttendanceRecord.Status.choices)


class CheckInUploadSerializer(serializers.Serializer):
    image = serializers.FileField(help_text=_("A webcam snapshot (JPEG or PNG)."))
    min_face_px = serializers.IntegerField(
        required=False,
        min_value=20,
        max_value=4000,
        help_text=_(
            "The smallest face to look for, in pixels of the snapshot (default: the "
            "server's FACE_MIN_DETECT_PX, 40). A kiosk whose students stand close sends e.g. 80 "
            "for a 640 px frame: faces smaller than this may be missed, and check-in is faster."
        ),
    )


class FacePersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()


class ChallengeSerializer(serializers.Serializer):
    turn = serializers.ChoiceField(
        choices=["left", "right"], help_text=_("The turn to make now, as the student sees it.")
    )
    steps = serializers.ListField(
        child=serializers.CharField(),
        help_text=_("Both turns in the asked order: ['left', 'right'] or ['right', 'left']."),
    )
    step = serializers.IntegerField(help_text=_("Index in `steps` of the turn to make now."))
    expires_in = serializers.FloatField(help_text=_("Seconds left to make both turns."))
    progress = serializers.FloatField(help_text=_("Share of the whole challenge done so far, 0-1."))


class FaceOutcomeSerializer(serializers.Serializer):
    """One face of a check-in answer (attendance.services.FaceOutcome)."""

    box = serializers.DictField(child=serializers.IntegerField(), source="box.as_dict")
    person = FacePersonSerializer(allow_null=True)
    outcome = serializers.ChoiceField(choices=FaceOutcome.OUTCOMES)
    challenge = ChallengeSerializer(
        allow_null=True, help_text=_("With outcome 'challenge': the head turn the kiosk asks for.")
    )
    liveness = serializers.CharField(
        source="record.liveness",
        allow_null=True,
        help_text=_("'passed' when the mark followed a head-turn challenge."),
    )
    status = serializers.CharField(source="record.status", allow_null=True)
    checked_in_at = serializers.DateTimeField(source="record.recorded_at", allow_null=True)
    checked_in_at_display = serializers.SerializerMethodField(
        help_text=_("The check-in time as the kiosk shows it, in the session's time zone.")
    )
    distance = serializers.DecimalField(
        max_digits=6, decimal_places=4, coerce_to_string=False, allow_null=True
    )

    def to_representation(self, face):
        data = super().to_representation(face)
        if self.context.get("hide_distance"):  # a kiosk: no oracle for tuning fake images
            data["distance"] = None
        return data

    def get_checked_in_at_display(self, outcome) -> str | None:
        if outcome.record is None:
            return None
        zone = self.context.get("time_zone")  # the kiosk's (kiosk_access.kiosk_time_zone)
        shown = timezone.localtime(outcome.record.recorded_at, ZoneInfo(zone) if zone else None)
        return shown.strftime("%H:%M %Z")


class CheckInResultSerializer(serializers.Serializer):
    session = serializers.IntegerField()
    faces = FaceOutcomeSerializer(many=True)
