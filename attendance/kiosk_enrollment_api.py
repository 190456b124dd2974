"""REST endpoints of the enrollment kiosk. Thin: attendance.kiosk_enrollment does the work.

- POST / DELETE /api/courses/{id}/enrollment-kiosk/ (teachers): open it with a new link, or
  close it.
- POST /api/courses/{id}/enrollment-kiosk/frames/ (the course's enrollment kiosk, or a
  teacher): a student's frames -> one answer per frame.
- GET /api/courses/{id}/enrollment-kiosk/progress/?person=ID: that student's photos added
  since the kiosk opened, with their status (the kiosk shows them turning ready or rejected).
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.tokens import ExpiringTokenAuthentication
from attendance import kiosk_enrollment
from attendance.errors import StudentNotAvailable
from attendance.kiosk_auth import KioskCanEnroll, KioskGrant, KioskTokenAuthentication
from attendance.throttles import (
    CheckInPerAddressThrottle,
    CheckInPerCredentialThrottle,
    CountOnlyAllowedRequests,
    charge_extra_faces,
)
from people.models import Course
from people.selectors import courses_for
from people.services import UploadRefused
from recognition.faces import ImageRejected

KIOSK_OR_TEACHER = {
    "authentication_classes": [
        KioskTokenAuthentication,
        SessionAuthentication,
        ExpiringTokenAuthentication,
    ],
    "permission_classes": [KioskCanEnroll],
}


class EnrollmentKioskSerializer(serializers.Serializer):
    kiosk_url = serializers.CharField()
    opened_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()


class FramesUploadSerializer(serializers.Serializer):
    person = serializers.IntegerField(help_text=_("The student (on the course, consent recorded)."))
    frames = serializers.ListField(
        child=serializers.ImageField(),
        max_length=kiosk_enrollment.MAX_FRAMES,
        help_text=_("1 to 5 JPEG frames of the student's face with small pose changes."),
    )


class FrameAnswerSerializer(serializers.Serializer):
    frame = serializers.IntegerField(help_text=_("The frame's position in the request."))
    photo = serializers.IntegerField(allow_null=True)
    status = serializers.CharField(
        help_text=_(
            "The photo's status (pending, then ready / needs_review / rejected), or "
            "'refused' when the frame was not stored."
        )
    )
    reason = serializers.CharField(allow_blank=True)
    problems = serializers.ListField(
        child=serializers.CharField(),
        help_text="What kept the photo from being accepted, as codes (small, dark, blurred, "
        "face_too_small, no_face…); empty while it is checked.",
    )


class FramesResultSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    frames = FrameAnswerSerializer(many=True)


class PhotoProgressSerializer(serializers.Serializer):
    photo = serializers.IntegerField()
    status = serializers.CharField()
    reason = serializers.CharField(allow_blank=True)
    problems = serializers.ListField(
        child=serializers.CharField(),
        help_text="What kept the photo from being accepted, as codes (small, dark, blurred, "
        "face_too_small, no_face…); empty while it is checked.",
    )


class EnrollmentProgressSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    photos = PhotoProgressSerializer(many=True)


def kiosk_json(request, kiosk) -> dict:
    url = request.build_absolute_uri(reverse("dashboard:enroll-kiosk", args=[kiosk.token]))
    return {"kiosk_url": url, "opened_at": kiosk.opened_at, "expires_at": kiosk.expires_at}


class EnrollmentKioskViewSet(CountOnlyAllowedRequests, viewsets.GenericViewSet):
    lookup_value_converter = "int"
    # answered by api_errors.ERRORS
    raises = {"frames": (StudentNotAvailable, UploadRefused, ImageRejected)}

    def get_queryset(self):
        grant = self.request.auth
        if isinstance(grant, KioskGrant):
            return Course.objects.filter(pk=grant.course_id)  # none for a check-in grant
        return courses_for(self.request.user)

    @extend_schema(request=None, responses={201: EnrollmentKioskSerializer})
    @action(detail=True, methods=["post"], url_path="enrollment-kiosk")
    def enrollment_kiosk(self, request, pk=None):
        """Open the course's enrollment kiosk with a new link (an older one stops working)."""
        kiosk = kiosk_enrollment.open_enrollment_kiosk(
            course=self.get_object(), opened_by=request.user
        )
        return Response(kiosk_json(request, kiosk), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    @enrollment_kiosk.mapping.delete
    def close_enrollment_kiosk(self, request, pk=None):
        """Close the enrollment kiosk: its link stops working at once."""
        kiosk_enrollment.close_enrollment_kiosk(course=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request={"multipart/form-data": FramesUploadSerializer},
        responses={201: FramesResultSerializer},
        summary="Add a student's kiosk frames as enrollment photos; one answer per frame.",
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="enrollment-kiosk/frames",
        throttle_classes=[CheckInPerCredentialThrottle, CheckInPerAddressThrottle],
        **KIOSK_OR_TEACHER,
    )
    def frames(self, request, pk=None):
        course = self.get_object()
        frames = request.FILES.getlist("frames")
        fields = request.data if hasattr(request.data, "get") else {}  # a JSON list: no person
        result = kiosk_enrollment.enroll_frames(
            course=course, person_id=fields.get("person"), frames=frames
        )
        charge_extra_faces(request, self, len(frames))  # each frame is a face to encode
        return Response(FramesResultSerializer(result).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[OpenApiParameter("person", int, required=True)],
        responses=EnrollmentProgressSerializer,
    )
    @action(detail=True, methods=["get"], url_path="enrollment-kiosk/progress", **KIOSK_OR_TEACHER)
    def progress(self, request, pk=None):
        """The student's photos since the kiosk opened (all of them for a teacher)."""
        course = self.get_object()
        since = course.enrollment_kiosk.opened_at if isinstance(request.auth, KioskGrant) else None
        progress = kiosk_enrollment.enrollment_progress(
            course=course, person_id=request.query_params.get("person"), since=since
        )
        return Response(EnrollmentProgressSerializer(progress).data)
