from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from accounts.token_views import ObtainExpiringToken, RevokeOwnTokens
from attendance.api import SessionViewSet
from attendance.kiosk_enrollment_api import EnrollmentKioskViewSet
from attendance.review_api import ReviewViewSet
from people.api import (
    CourseViewSet,
    PersonViewSet,
    PhotoImportViewSet,
    PhotoViewSet,
    RosterImportViewSet,
)

router = DefaultRouter(use_regex_path=False)
# No ".json" suffix routes: the custom actions do not take a `format` argument (they
# answered 500), and every operation appeared twice in the schema.
router.include_format_suffixes = False
router.register("people", PersonViewSet, basename="person")
router.register("photos", PhotoViewSet, basename="photo")
router.register("courses", CourseViewSet, basename="course")
router.register("courses", EnrollmentKioskViewSet, basename="course-enrollment-kiosk")
router.register("photo-imports", PhotoImportViewSet, basename="photo-import")
router.register("roster-imports", RosterImportViewSet, basename="roster-import")
router.register("sessions", SessionViewSet, basename="session")
router.register("reviews", ReviewViewSet, basename="review")

urlpatterns = [
    path("", include(router.urls)),
    path("auth/token/", ObtainExpiringToken.as_view(), name="api-token"),
    path("auth/token/revoke/", RevokeOwnTokens.as_view(), name="api-token-revoke"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]
