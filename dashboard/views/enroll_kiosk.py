"""Enrollment at the kiosk: the teacher opens or closes a course's enrollment kiosk (its own
link and QR code), and the kiosk page where students pick their name and look at the camera.

The kiosk page needs no login: the token in the address is an enrollment kiosk credential
(attendance.kiosk_auth), which the page's script sends with each student's frames. It cannot
check anyone in. An unknown, replaced, closed or expired token gets the page that says so.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from attendance import kiosk_enrollment
from attendance.kiosk_access import enrollment_kiosk
from dashboard.qr import qr_svg
from people.languages import kiosk_language
from people.selectors import courses_for


def enroll_kiosk_context(request, course) -> dict:
    """What the course page shows of its enrollment kiosk: the link and its QR code, if open."""
    kiosk = kiosk_enrollment.current_enrollment_kiosk(course)
    if kiosk is None:
        return {"enroll_kiosk": None}
    url = request.build_absolute_uri(reverse("dashboard:enroll-kiosk", args=[kiosk.token]))
    return {
        "enroll_kiosk": kiosk,
        "enroll_kiosk_url": url,
        "enroll_kiosk_qr": qr_svg(url, title=_("QR code of the enrollment kiosk link")),
    }


@require_POST
@login_required
def open_enroll_kiosk(request, pk: int):
    course = get_object_or_404(courses_for(request.user), pk=pk)
    kiosk_enrollment.open_enrollment_kiosk(course=course, opened_by=request.user)
    messages.success(
        request,
        _(
            "Enrollment kiosk opened: open its link on the tablet students look at. "
            "Any older enrollment link no longer works."
        ),
    )
    return redirect(reverse("dashboard:course", args=[course.pk]) + "#enroll-kiosk-heading")


@require_POST
@login_required
def close_enroll_kiosk(request, pk: int):
    course = get_object_or_404(courses_for(request.user), pk=pk)
    kiosk_enrollment.close_enrollment_kiosk(course=course)
    messages.success(request, _("Enrollment kiosk closed: its link no longer works."))
    return redirect(reverse("dashboard:course", args=[course.pk]) + "#enroll-kiosk-heading")


@never_cache
@require_GET
def enroll_kiosk(request, token: str):
    kiosk = enrollment_kiosk(token)
    if kiosk is None:
        return render(request, "dashboard/kiosk_invalid.html", status=404)
    course = kiosk.course
    context = {
        "course": course,
        "students": kiosk_enrollment.kiosk_students(course),
        "frames_url": reverse("course-enrollment-kiosk-frames", args=[course.pk]),
        "progress_url": reverse("course-enrollment-kiosk-progress", args=[course.pk]),
        "token": token,
    }
    with translation.override(kiosk_language(course, request.GET.get("lang", ""))):
        return render(request, "dashboard/enroll_kiosk.html", context)
