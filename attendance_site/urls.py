from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from attendance_site import health
from attendance_site.metrics import metrics_view
from dashboard.views import accounts

urlpatterns = [
    path("health/live", health.live, name="health-live"),
    path("health/ready", health.ready, name="health-ready"),
    path("healthz", health.ready, name="healthz"),
    path("metrics", metrics_view, name="metrics"),  # the former name of health/ready
    path("admin/", admin.site.urls),
    path("api/", include("attendance_site.api_urls")),
    path("", include("people.urls")),
    path("accounts/login/", accounts.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("dashboard.urls")),
]

handler400 = "attendance_site.api_errors.bad_request"
handler403 = "attendance_site.api_errors.permission_denied"
handler404 = "attendance_site.api_errors.page_not_found"
handler500 = "attendance_site.api_errors.server_error"
