"""The dashboard's pages (namespace "dashboard") and the password pages of Django's auth.

The password views reverse their own un-namespaced names (password_reset_done, …), so they
are included outside the namespace.
"""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts.password_reset import ThrottledPasswordResetView
from dashboard.views import (
    accounts,
    calibration,
    consent,
    courses,
    enroll_kiosk,
    flow,
    history,
    imports,
    kiosk,
    languages,
    liveness,
    reports,
    reviews,
    sessions,
    staff,
)

account_patterns = [
    path("password_change/", accounts.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("password_reset/", ThrottledPasswordResetView.as_view(), name="password_reset"),
    path(
        "password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

page_patterns = [
    path("", courses.home, name="home"),
    path("courses/new/", courses.create_course, name="course-create"),
    path("courses/<int:pk>/", courses.course_detail, name="course"),
    path("courses/<int:pk>/status.json", courses.course_status, name="course-status"),
    path("courses/<int:pk>/liveness/", liveness.set_course_liveness, name="course-liveness"),
    path("courses/<int:pk>/language/", languages.set_course_language, name="course-language"),
    path("jsi18n/<str:language>/", languages.javascript_catalog, name="javascript-catalog"),
    path("courses/<int:pk>/students/", courses.add_student, name="student-add"),
    path("courses/<int:pk>/teachers/", courses.add_co_teacher, name="co-teacher-add"),
    path(
        "courses/<int:pk>/students/<int:person_pk>/remove/",
        courses.remove_student,
        name="student-remove",
    ),
    path(
        "courses/<int:pk>/students/<int:person_pk>/consent/",
        courses.record_consent,
        name="student-consent",
    ),
    path(
        "courses/<int:pk>/students/<int:person_pk>/consent/withdraw/",
        consent.withdraw,
        name="student-consent-withdraw",
    ),
    path(
        "courses/<int:pk>/students/<int:person_pk>/photos/",
        courses.upload_photos,
        name="student-photos",
    ),
    path(
        "courses/<int:pk>/photos/<int:photo_pk>/delete/",
        courses.delete_photo,
        name="photo-delete",
    ),
    path(
        "courses/<int:pk>/photos/<int:photo_pk>/keep/",
        reviews.keep_photo,
        name="photo-keep",
    ),
    path("courses/<int:pk>/photos/keep-all/", reviews.keep_all_photos, name="photos-keep-all"),
    path("courses/<int:pk>/calibration/", calibration.calibration, name="calibration"),
    path(
        "courses/<int:pk>/calibration/level/",
        calibration.set_tolerance_level,
        name="tolerance-level",
    ),
    path("reviews/<int:pk>/confirm/", reviews.confirm_review, name="review-confirm"),
    path("reviews/<int:pk>/reject/", reviews.reject_review, name="review-reject"),
    path("courses/<int:course_pk>/sessions/", sessions.create_session, name="session-create"),
    path("courses/<int:pk>/report/", reports.report, name="report"),
    path("courses/<int:pk>/report.csv", reports.report_csv, name="report-csv"),
    path("sessions/<int:pk>/", sessions.session_detail, name="session"),
    path("sessions/<int:pk>/status.json", sessions.session_status, name="session-status"),
    path("sessions/<int:pk>/open/", sessions.open_session, name="session-open"),
    path("sessions/<int:pk>/close/", sessions.close_session, name="session-close"),
    path("sessions/<int:pk>/attendance/", sessions.set_status, name="session-set-status"),
    path(
        "sessions/<int:pk>/mark-remaining/<slug:status>/",
        sessions.mark_remaining,
        name="session-mark-remaining",
    ),
    path("sessions/<int:pk>/kiosk-link/", sessions.rotate_kiosk_link, name="kiosk-rotate"),
    path("kiosk/<slug:token>/", kiosk.kiosk, name="kiosk"),
    path(
        "courses/<int:pk>/enroll-kiosk/open/",
        enroll_kiosk.open_enroll_kiosk,
        name="enroll-kiosk-open",
    ),
    path(
        "courses/<int:pk>/enroll-kiosk/close/",
        enroll_kiosk.close_enroll_kiosk,
        name="enroll-kiosk-close",
    ),
    path("enroll-kiosk/<slug:token>/", enroll_kiosk.enroll_kiosk, name="enroll-kiosk"),
    # the daily flow: start a class now, weekly schedules, close and reopen
    path("courses/<int:pk>/start/", flow.start_class_now, name="start-class"),
    path("courses/<int:pk>/schedules/", flow.create_schedule, name="schedule-create"),
    path(
        "courses/<int:pk>/schedules/<int:schedule_pk>/delete/",
        flow.delete_schedule,
        name="schedule-delete",
    ),
    path("courses/<int:pk>/consent/", courses.record_consent_for_selected, name="consent-many"),
    path("courses/<int:pk>/import/", imports.roster_import_page, name="roster-import"),
    path("roster-template.csv", imports.roster_template, name="roster-template"),
    path("courses/<int:pk>/photo-import/", imports.photo_import_page, name="photo-import"),
    path("photo-imports/<int:pk>/", imports.photo_import_job, name="photo-import-job"),
    path("roster-imports/<int:pk>/", imports.roster_import_job, name="roster-import-job"),
    path(
        "courses/<int:pk>/students/<int:person_pk>/history/",
        history.student_history,
        name="student-history",
    ),
    path("reports/all-courses.csv", staff.export_all_courses, name="export-all"),
    path("account/", accounts.account_settings, name="account"),
    path("teachers/invite/", accounts.invite_teacher, name="teacher-invite"),
    path(
        "teachers/<int:pk>/resend-invitation/",
        accounts.resend_invitation,
        name="teacher-resend-invitation",
    ),
    path("sessions/<int:pk>/reopen/", flow.reopen_session, name="session-reopen"),
]

urlpatterns = [
    path("accounts/", include(account_patterns)),
    path("", include((page_patterns, "dashboard"))),
]
