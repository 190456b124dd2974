"""The calibration panel of a course, and the teacher's choice of how strict recognition is."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from dashboard.calibration import LEVEL_WORDS, calibrate
from people import services
from people.selectors import courses_for


@require_GET
@login_required
def calibration(request, pk: int):
    course = get_object_or_404(courses_for(request.user), pk=pk)
    context = {"course": course, "calibration": calibrate(course)}
    return render(request, "dashboard/calibration.html", context)


@require_POST
@login_required
def set_tolerance_level(request, pk: int):
    course = get_object_or_404(courses_for(request.user), pk=pk)
    level = request.POST.get("level", "")
    try:
        services.set_tolerance_level(course=course, level=level)
    except services.UnknownLevel as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Recognition is now %(level)s for %(course)s, from the next check-in on.")
            % {"level": LEVEL_WORDS[level][0], "course": course.name},
        )
    return redirect("dashboard:calibration", pk=course.pk)
