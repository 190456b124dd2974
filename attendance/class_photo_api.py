"""The class-photo endpoints of a session, mixed into SessionViewSet. Thin: the work is in
attendance.class_photos."""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from attendance import class_photos
from attendance.class_photo_serializers import (
    AssignFaceSerializer,
    ClassPhotoFaceSerializer,
    ClassPhotoSerializer,
    ClassPhotoUploadSerializer,
)
from attendance.errors import NoSuchFace, NotOnRoster, SessionStateError
from people.models import Person
from people.selectors import people_for
from people.services import UploadRefused

PHOTO_ID = OpenApiParameter("photo_id", int, OpenApiParameter.PATH, description="class photo id")


def _serialized(photo, **kwargs) -> dict:
    ids = [face["person"] for face in photo.faces if face["person"]]
    names = dict(Person.objects.filter(pk__in=ids).values_list("pk", "full_name"))
    return ClassPhotoSerializer(photo, context={"names": names}, **kwargs).data


class ClassPhotoActions:
    # The domain exceptions each action's service may raise (answered by api_errors.ERRORS).
    raises = {
        "class_photos": (UploadRefused, SessionStateError),
        "assign_class_photo_face": (NoSuchFace, NotOnRoster, SessionStateError),
    }

    @extend_schema(
        request={"multipart/form-data": ClassPhotoUploadSerializer},
        responses={202: ClassPhotoSerializer},
        summary="Upload a class photo: every recognised student of the roster is marked.",
    )
    @action(detail=True, methods=["post"], url_path="class-photos", pagination_class=None)
    def class_photos(self, request, pk=None):
        session = self.get_object()
        photo = class_photos.submit_class_photo(
            session=session, upload=request.FILES.get("image"), uploaded_by=request.user
        )
        photo.refresh_from_db()
        return Response(_serialized(photo), status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses=ClassPhotoSerializer(many=True))
    @class_photos.mapping.get
    def list_class_photos(self, request, pk=None):
        session = self.get_object()
        return Response([_serialized(photo) for photo in session.class_photos.all()])

    @extend_schema(request=None, responses=ClassPhotoSerializer, parameters=[PHOTO_ID])
    @action(detail=True, methods=["get"], url_path="class-photos/<int:photo_id>")
    def class_photo(self, request, pk=None, photo_id=None):
        """Status, then each face's box, person (or null: unknown) and outcome."""
        session = self.get_object()
        photo = get_object_or_404(session.class_photos, pk=photo_id)
        return Response(_serialized(photo))

    @extend_schema(request=None, responses={(200, "image/*"): bytes}, parameters=[PHOTO_ID])
    @action(detail=True, methods=["get"], url_path="class-photos/<int:photo_id>/image")
    def class_photo_image(self, request, pk=None, photo_id=None):
        """The picture, while the session is open: biometric data, never cached."""
        session = self.get_object()
        photo = get_object_or_404(session.class_photos.exclude(image=""), pk=photo_id)
        try:
            handle = photo.image.open("rb")
        except FileNotFoundError:
            raise Http404(_("The picture is gone.")) from None
        response = FileResponse(handle)
        response["Cache-Control"] = "private, no-store"
        return response

    @extend_schema(
        request=AssignFaceSerializer,
        responses=ClassPhotoFaceSerializer,
        summary="Name an unknown face of a class photo: marks that student.",
        parameters=[PHOTO_ID],
    )
    @action(detail=True, methods=["post"], url_path="class-photos/<int:photo_id>/assign")
    def assign_class_photo_face(self, request, pk=None, photo_id=None):
        session = self.get_object()
        photo = get_object_or_404(session.class_photos, pk=photo_id)
        body = AssignFaceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        person = get_object_or_404(people_for(request.user), pk=body.validated_data["person"])
        class_photos.assign_face(
            photo=photo,
            face=body.validated_data["face"],
            person=person,
            assigned_by=request.user,
        )
        photo.refresh_from_db()
        return Response(_serialized(photo)["faces"][body.validated_data["face"]])
