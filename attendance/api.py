"""REST endpoints for sessions, check-in and attendance. Thin: services do the work."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.response import Response

from attendance import services
from attendance.class_photo_api import ClassPhotoActions
from attendance.kiosk_auth import KioskCanCheckIn, KioskGrant, KioskTokenAuthentication
from attendance.models import AttendanceSession
from attendance.selectors import sessions_for
from attendance.serializers import (
    CheckInResultSerializer,
    CheckInUploadSerializer,
    RecordSerializer,
    SessionSerializer,
    StatusChangeSerializer,
)
from attendance.throttles import CheckInPerAddressThrottle, CheckInPerCredentialThrottle
from people.selectors import people_for
from people.services import UploadRefused, validate_upload
from recognition import faces


class SessionConflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "session_state"


def _conflict(error: services.SessionStateError) -> SessionConflict:
    return SessionConflict(detail=str(error))


class SessionViewSet(ClassPhotoActions, viewsets.ModelViewSet):
    lookup_value_converter = "int"
    serializer_class = SessionSerializer

    def get_queryset(self):
        if isinstance(self.request.auth, KioskGrant):
            return AttendanceSession.objects.filter(pk=self.request.auth.session_id)
        return sessions_for(self.request.user).select_related("course").order_by("-starts_at")

    @extend_schema(request=None, responses=SessionSerializer)
    @action(detail=True, methods=["post"])
    def open(self, request, pk=None):
        try:
            session = services.open_session(session=self.get_object())
        except services.SessionStateError as error:
            raise _conflict(error) from None
        return Response(self.get_serializer(session).data)

    @extend_schema(request=None, responses=SessionSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        session = self.get_object()
        try:
            services.close_session(session=session, closed_by=request.user)
        except services.SessionStateError as error:
            raise _conflict(error) from None
        session.refresh_from_db()
        return Response(self.get_serializer(session).data)

    @extend_schema(
        request={"multipart/form-data": CheckInUploadSerializer},
        responses=CheckInResultSerializer,
        summary="Identify the faces of a webcam snapshot and mark attendance.",
    )
    @action(
        detail=True,
        methods=["post"],
        authentication_classes=[
            KioskTokenAuthentication,
            SessionAuthentication,
            TokenAuthentication,
        ],
        permission_classes=[KioskCanCheckIn],
        throttle_classes=[CheckInPerCredentialThrottle, CheckInPerAddressThrottle],
    )
    def checkin(self, request, pk=None):
        session = self.get_object()
        image = request.FILES.get("image")
        try:
            validate_upload(image)  # present, not empty, at most MAX_UPLOAD_BYTES
        except UploadRefused as refused:
            raise serializers.ValidationError({"image": [str(refused)]}) from None
        params = CheckInUploadSerializer(data={"image": image, **request.POST.dict()})
        params.is_valid(raise_exception=True)
        try:
            outcomes = services.check_in(
                session=session,
                image_source=image,
                min_face_px=params.validated_data.get("min_face_px"),
            )
        except services.SessionStateError as error:
            raise _conflict(error) from None
        except faces.ImageRejected as rejection:
            raise serializers.ValidationError({"image": [rejection.message]}) from None
        data = {"session": session.pk, "faces": outcomes}
        return Response(CheckInResultSerializer(data).data)

    @extend_schema(request=None, responses=RecordSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)  # a plain list
    def attendance(self, request, pk=None):
        session = self.get_object()
        records = session.records.select_related("person", "changed_by")
        return Response(RecordSerializer(records, many=True).data)

    @extend_schema(request=StatusChangeSerializer, responses=RecordSerializer)
    @attendance.mapping.post
    def change_attendance(self, request, pk=None):
        """Set a student's status (present, late, absent, excused) by hand."""
        session = self.get_object()
        change = StatusChangeSerializer(data=request.data)
        change.is_valid(raise_exception=True)
        person = get_object_or_404(people_for(request.user), pk=change.validated_data["person"])
        try:
            record = services.set_status(
                session=session,
                person=person,
                status=change.validated_data["status"],
                changed_by=request.user,
            )
        except services.SessionStateError as error:
            raise serializers.ValidationError({"person": [str(error)]}) from None
        return Response(RecordSerializer(record).data)

    @extend_schema(request=None, responses=SessionSerializer)
    @action(detail=True, methods=["post"], url_path="rotate-kiosk-token")
    def rotate_kiosk_token(self, request, pk=None):
        """Invalidate the kiosk link (e.g. it was shared) and issue a new one."""
        session = self.get_object()
        services.rotate_kiosk_token(session=session)
        return Response(self.get_serializer(session).data)
