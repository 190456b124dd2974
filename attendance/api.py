"""REST endpoints for sessions, check-in and attendance. Thin: services do the work."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.tokens import ExpiringTokenAuthentication
from attendance import services
from attendance.class_photo_api import ClassPhotoActions
from attendance.errors import NotOnRoster, SessionStateError
from attendance.kiosk_access import kiosk_time_zone
from attendance.kiosk_auth import KioskCanCheckIn, KioskGrant, KioskTokenAuthentication
from attendance.models import AttendanceSession
from attendance.review_api import ReviewSerializer
from attendance.reviews import pending_reviews
from attendance.selectors import sessions_for
from attendance.serializers import (
    CheckInResultSerializer,
    CheckInUploadSerializer,
    RecordSerializer,
    SessionSerializer,
    StatusChangeSerializer,
)
from attendance.throttles import (
    CheckInPerAddressThrottle,
    CheckInPerCredentialThrottle,
    CountOnlyAllowedRequests,
    charge_extra_faces,
)
from people.selectors import people_for
from people.services import UploadRefused, validate_upload
from recognition.faces import ImageRejected


def _credential(request, session) -> str:
    """Who sends the frames, for the liveness challenge: kiosk link or account."""
    if isinstance(request.auth, KioskGrant):
        return f"kiosk:{session.kiosk_token}"
    return f"user:{request.user.pk}"


class SessionViewSet(CountOnlyAllowedRequests, ClassPhotoActions, viewsets.ModelViewSet):
    lookup_value_converter = "int"
    # The domain exceptions each action's service may raise (answered by api_errors.ERRORS,
    # documented by attendance_site.openapi).
    raises = {
        **ClassPhotoActions.raises,
        "open": (SessionStateError,),
        "close": (SessionStateError,),
        "reopen": (SessionStateError,),
        "checkin": (SessionStateError, UploadRefused, ImageRejected),
        "change_attendance": (NotOnRoster,),
    }
    serializer_class = SessionSerializer

    def get_queryset(self):
        if isinstance(self.request.auth, KioskGrant):
            return AttendanceSession.objects.filter(pk=self.request.auth.session_id)
        return sessions_for(self.request.user).select_related("course").order_by("-starts_at")

    @extend_schema(request=None, responses=SessionSerializer)
    @action(detail=True, methods=["post"])
    def open(self, request, pk=None):
        session = services.open_session(session=self.get_object())
        return Response(self.get_serializer(session).data)

    @extend_schema(request=None, responses=SessionSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        session = self.get_object()
        services.close_session(session=session, closed_by=request.user)
        session.refresh_from_db()
        return Response(self.get_serializer(session).data)

    @extend_schema(
        request=None,
        responses=SessionSerializer,
        summary="Undo a close: absences recorded at close are removed, manual changes kept.",
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        session = self.get_object()
        services.reopen_session(session=session)
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
            ExpiringTokenAuthentication,
        ],
        permission_classes=[KioskCanCheckIn],
        throttle_classes=[CheckInPerCredentialThrottle, CheckInPerAddressThrottle],
    )
    def checkin(self, request, pk=None):
        session = self.get_object()
        image = request.FILES.get("image")
        validate_upload(image)  # present, not empty, at most MAX_UPLOAD_BYTES
        params = CheckInUploadSerializer(data={"image": image, **request.POST.dict()})
        params.is_valid(raise_exception=True)
        outcomes = services.check_in(
            session=session,
            image_source=image,
            credential=_credential(request, session),
            min_face_px=params.validated_data.get("min_face_px"),
        )
        charge_extra_faces(request, self, len(outcomes))
        data = {"session": session.pk, "faces": outcomes}
        context = {
            "hide_distance": isinstance(request.auth, KioskGrant),
            "time_zone": kiosk_time_zone(session),
        }
        return Response(CheckInResultSerializer(data, context=context).data)

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
        record = services.set_status(
            session=session,
            person=person,
            status=change.validated_data["status"],
            changed_by=request.user,
        )
        return Response(RecordSerializer(record).data)

    @extend_schema(request=None, responses=ReviewSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def reviews(self, request, pk=None):
        """Faces waiting for the teacher's decision (attendance.reviews)."""
        return Response(ReviewSerializer(pending_reviews(self.get_object()), many=True).data)

    @extend_schema(request=None, responses=SessionSerializer)
    @action(detail=True, methods=["post"], url_path="rotate-kiosk-token")
    def rotate_kiosk_token(self, request, pk=None):
        """Invalidate the kiosk link (e.g. it was shared) and issue a new one."""
        session = self.get_object()
        services.rotate_kiosk_token(session=session)
        return Response(self.get_serializer(session).data)
