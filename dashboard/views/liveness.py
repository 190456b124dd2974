"""The course's liveness setting: a teacher turns the head-turn challenge on or off."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from attendance import liveness
from dashboard.forms import LivenessForm
from people.selectors import courses_for


@require_POST
@login_required
def set_course_liveness(request, pk: int):
    course = get_object_or_404(courses_for(request.user), pk=pk)
    form = LivenessForm(request.POST, instance=course)
    if not form.is_valid():
        messages.error(request, _("Choose whether students turn their head to check in."))
        return redirect("dashboard:course", pk=course.pk)
    liveness.set_course_mode(course=course, mode=form.cleaned_data["liveness"])
    messages.success(
        request, _("Liveness check: %(mode)s.") % {"mode": course.get_liveness_display()}
    )
    return redirect("dashboard:course", pk=course.pk)
