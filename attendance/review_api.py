"""REST endpoints of pending reviews: read one (and its face crop), confirm, reject.

`GET /api/sessions/{id}/reviews/` lists a session's pending reviews (attendance.api).
"""

from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from attendance import reviews
from attendance.errors import AlreadyDecided, ReviewRefused
from attendance.models import PendingReview
from attendance.selectors import sessions_for
from attendance.serializers import RecordSerializer


class ReviewSerializer(serializers.ModelSerializer):
    candidate_name = serializers.CharField(source="candidate.full_name", read_only=True)
    candidate_external_id = serializers.CharField(source="candidate.external_id", read_only=True)
    candidate_has_consent = serializers.SerializerMethodField()
    crop_url = serializers.SerializerMethodField()

    class Meta:
        model = PendingReview
        fields = [
            "id",
            "session",
            "candidate",
            "candidate_name",
            "candidate_external_id",
            "candidate_has_consent",
            "captured_at",
            "distance",
            "crop_url",
        ]
        read_only_fields = fields

    def get_candidate_has_consent(self, review) -> bool:
        return bool(review.candidate.consent_recorded_on)

    def get_crop_url(self, review) -> str:
        return reverse("review-crop", args=[review.pk])


class ConfirmSerializer(serializers.Serializer):
    use_photo = serializers.BooleanField(
        default=False,
        help_text=_("Also add the face crop as an enrollment photo (needs the student's consent)."),
    )


class ReviewViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    lookup_value_converter = "int"
    serializer_class = ReviewSerializer
    # answered by api_errors.ERRORS
    raises = {"confirm": (ReviewRefused, AlreadyDecided), "reject": (AlreadyDecided,)}

    def get_queryset(self):
        return PendingReview.objects.filter(
            session__in=sessions_for(self.request.user)
        ).select_related("candidate")

    def get_object(self):
        """A review decided already answers 409 `already_decided` to a late second decision
        (its teacher's only; anyone else gets 404 as for any other review)."""
        try:
            return super().get_object()
        except Http404:
            pk = self.kwargs.get(self.lookup_field)
            if self.action in ("confirm", "reject") and reviews.visible_decided_review(
                pk, sessions_for(self.request.user)
            ):
                raise AlreadyDecided(reviews.ALREADY_DECIDED) from None
            raise

    @extend_schema(request=ConfirmSerializer, responses=RecordSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """It is this student: mark them present or late at the capture time.

        A review decided meanwhile (a double-click, two teachers) answers 409
        `already_decided`."""
        review = self.get_object()
        choice = ConfirmSerializer(data=request.data)
        choice.is_valid(raise_exception=True)
        record = reviews.confirm_review(
            review=review, confirmed_by=request.user, use_photo=choice.validated_data["use_photo"]
        )
        return Response(RecordSerializer(record).data)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Not this student: the crop is discarded, nobody is marked. A review decided
        meanwhile answers 409 `already_decided`."""
        reviews.reject_review(review=self.get_object())
        return Response(status=204)

    @extend_schema(request=None, responses={(200, "image/jpeg"): bytes})
    @action(detail=True, methods=["get"])
    def crop(self, request, pk=None):
        """The face crop (JPEG): biometric data, for the session's teachers only."""
        review = self.get_object()
        try:
            handle = review.crop.open("rb")
        except FileNotFoundError:
            raise Http404(_("The crop is gone.")) from None
        response = FileResponse(handle, content_type="image/jpeg")
        response["Cache-Control"] = "private, no-store"
        return response
