"""REST endpoints for people, their photos and courses. Thin: services do the work."""

from contextlib import contextmanager

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from people import photo_import, roster_import, services
from people.models import CourseClassifier, PhotoImportJob, RosterImportJob
from people.selectors import courses_for, people_for, photos_for
from people.serializers import (
    ClassifierSerializer,
    CourseSerializer,
    PersonSerializer,
    PhotoImportJobSerializer,
    PhotoImportSerializer,
    PhotoSerializer,
    PhotoUploadSerializer,
    RosterImportJobSerializer,
    RosterImportResultSerializer,
    RosterImportSerializer,
)
from recognition.faces import ImageRejected


@contextmanager
def unique_student_number():
    """Two simultaneous posts of one student number: the loser gets 400, not a 500."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError:
        raise services.StudentNumberTaken(
            _("A person with this student number already exists.")
        ) from None


class PersonViewSet(viewsets.ModelViewSet):
    lookup_value_converter = "int"
    # The domain exceptions each action's service may raise (answered by api_errors.ERRORS).
    raises = {
        "create": (services.StudentNumberTaken,),
        "update": (services.StudentNumberTaken,),
        "partial_update": (services.StudentNumberTaken,),
        "upload_photo": (services.UploadRefused, ImageRejected),
    }
    serializer_class = PersonSerializer
    search_fields = ["full_name", "external_id"]

    def get_queryset(self):
        return people_for(self.request.user).order_by("full_name", "pk")

    def perform_create(self, serializer):
        with unique_student_number():
            serializer.save(created_by=self.request.user)

    def perform_update(self, serializer):
        with unique_student_number():
            serializer.instance = services.update_person(
                person=serializer.instance, by=self.request.user, **serializer.validated_data
            )

    def perform_destroy(self, instance):
        services.remove_person(person=instance, by=self.request.user)

    @extend_schema(request=None, responses=PhotoSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="photos", pagination_class=None)
    def photos(self, request, pk=None):
        person = self.get_object()
        return Response(PhotoSerializer(person.photos.all(), many=True).data)

    @extend_schema(
        request={"multipart/form-data": PhotoUploadSerializer},
        responses={202: PhotoSerializer},
        summary="Upload an enrollment photo; it is encoded in the background.",
    )
    @photos.mapping.post
    def upload_photo(self, request, pk=None):
        person = self.get_object()
        photo = services.add_photo(person=person, upload=request.FILES.get("image"))
        photo.refresh_from_db()
        return Response(PhotoSerializer(photo).data, status=status.HTTP_202_ACCEPTED)


class PhotoViewSet(
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    lookup_value_converter = "int"
    serializer_class = PhotoSerializer
    raises = {"keep": (services.PhotoNotInReview,)}  # answered by api_errors.ERRORS

    def get_queryset(self):
        return photos_for(self.request.user).order_by("-uploaded_at", "pk")

    @extend_schema(request=None, responses=PhotoSerializer)
    @action(detail=True, methods=["post"])
    def keep(self, request, pk=None):
        """Keep a photo held for review (people.photo_checks): it becomes ready."""
        photo = services.keep_photo(photo=self.get_object(), kept_by=self.request.user)
        return Response(PhotoSerializer(photo).data)


class CourseViewSet(viewsets.ModelViewSet):
    lookup_value_converter = "int"
    raises = {  # answered by api_errors.ERRORS
        "roster_import": (roster_import.RosterFileError, roster_import.RosterRowsInvalid),
        "photo_import": (photo_import.ArchiveRefused,),
    }
    serializer_class = CourseSerializer

    def get_queryset(self):
        return courses_for(self.request.user).prefetch_related("roster", "teachers").order_by("pk")

    def perform_create(self, serializer):
        with transaction.atomic():
            serializer.instance = services.create_course(
                name=serializer.validated_data["name"], teacher=self.request.user
            )
            serializer.save()  # the other fields: roster, tolerance

    @extend_schema(responses=ClassifierSerializer)
    @action(detail=True, methods=["get"])
    def classifier(self, request, pk=None):
        course = self.get_object()
        row, _created = CourseClassifier.objects.get_or_create(course=course)
        return Response(ClassifierSerializer(row).data)

    @extend_schema(
        request={"multipart/form-data": RosterImportSerializer},
        responses={200: RosterImportResultSerializer, 202: RosterImportJobSerializer},
        summary="Add students from a CSV file, all or none, in the background; dry_run only "
        "previews.",
        description="200: the preview of a dry run. 202: the file is good and a job adds "
        "its students (the answer is the job; poll its `url`, also in `Location`, until "
        "`finished`). 400: a row has an error (`roster_rows_invalid`: the answer lists each "
        "row's errors; nothing was added) or the file cannot be read "
        "(`roster_file_unreadable`, `file`).",
    )
    @action(detail=True, methods=["post"], url_path="roster-import")
    def roster_import(self, request, pk=None):
        course = self.get_object()
        params = RosterImportSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data["file"].read(settings.ROSTER_IMPORT_MAX_BYTES + 1)
        date_order = params.validated_data["date_order"]
        if params.validated_data["dry_run"]:
            preview = roster_import.import_roster(
                course=course, data=data, added_by=request.user, dry_run=True, date_order=date_order
            )
            return Response(RosterImportResultSerializer(preview.as_dict()).data)
        result = roster_import.start_roster_import(
            course=course, data=data, added_by=request.user, date_order=date_order
        )
        if result.job is None:
            body = RosterImportResultSerializer(result.as_dict()).data
            raise roster_import.RosterRowsInvalid(result, details=body)
        result.job.refresh_from_db()  # in-process, the job may have run already
        body = roster_job_body(result.job)
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})

    @extend_schema(
        request={"multipart/form-data": PhotoImportSerializer},
        responses={202: PhotoImportJobSerializer},
        summary="Add photos from a ZIP named by student number; poll the job it answers.",
    )
    @action(detail=True, methods=["post"], url_path="photo-import")
    def photo_import(self, request, pk=None):
        course = self.get_object()
        params = PhotoImportSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        job = photo_import.start_photo_import(
            course=course, upload=params.validated_data["file"], started_by=request.user
        )
        body = PhotoImportJobSerializer(photo_import.job_progress(job)).data
        return Response(body, status=status.HTTP_202_ACCEPTED)


def roster_job_body(job: RosterImportJob) -> dict:
    url = reverse("roster-import-detail", args=[job.pk])
    return RosterImportJobSerializer({**roster_import.job_progress(job), "url": url}).data


class RosterImportViewSet(viewsets.GenericViewSet):
    """The progress of a roster import: rows added of the total, or why nothing was."""

    lookup_value_converter = "int"
    serializer_class = RosterImportJobSerializer

    def get_queryset(self):
        courses = courses_for(self.request.user)
        return RosterImportJob.objects.filter(course__in=courses).defer("data").order_by("pk")

    def retrieve(self, request, pk=None):
        return Response(roster_job_body(self.get_object()))


class PhotoImportViewSet(viewsets.GenericViewSet):
    """The progress of a photo import: each file, and its photo's status."""

    lookup_value_converter = "int"
    serializer_class = PhotoImportJobSerializer

    def get_queryset(self):
        courses = courses_for(self.request.user)
        return PhotoImportJob.objects.filter(course__in=courses).order_by("-created_at", "pk")

    def retrieve(self, request, pk=None):
        return Response(photo_import.job_progress(self.get_object()))
