from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from dashboard.calibration import calibrate
from people.selectors import courses_for


@require_GET
@login_required
def calibration(request, pk: int):
    course = get_object_or_404(courses_for(request.user), pk=pk)
    context = {"course": course, "calibration": calibrate(course)}
    return render(request, "dashboard/calibration.html", context)
