"""The daily class flow in the dashboard: start class now, reopen, weekly schedules."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from attendance import schedule as flow
from attendance import services
from attendance.models import CourseSchedule
from dashboard.forms import ScheduleForm
from dashboard.views.confirm import confirm_page
from dashboard.views.courses import render_course
from dashboard.views.sessions import session_or_404
from people.selectors import courses_for


@require_POST
@login_required
def start_class_now(request, pk: int):
    course = get_object_or_404(courses_for(request.user), pk=pk)
    session = flow.start_class_now(course=course)
    messages.success(request, _("Class started: students can check in at the kiosk."))
    return redirect("dashboard:session", pk=session.pk)


@require_POST
@login_required
def reopen_session(request, pk: int):
    session = session_or_404(request, pk)
    try:
        removed = services.reopen_session(session=session)
    except services.SessionStateError as error:
        messages.error(request, str(error))
    else:
        message = f"The session is open again; {removed} absence(s) recorded at close removed."
        session.refresh_from_db()
        if closes_at := services.reopened_closes_at(session):
            message += f" It closes again at {timezone.localtime(closes_at):%H:%M}."
        messages.success(request, message)
    return redirect("dashboard:session", pk=session.pk)


@require_POST
@login_required
def create_schedule(request, pk: int):
    course = get_object_or_404(courses_for(request.user), pk=pk)
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        return render_course(request, course, status=400, schedule_form=form)
    schedule = flow.create_schedule(
        course=course, time_zone=timezone.get_current_timezone_name(), **form.cleaned_data
    )
    messages.success(request, _("Weekly schedule saved: the coming week's sessions are made."))
    for other in flow.overlapping_schedules(schedule):
        messages.warning(
            request,
            _(
                "This schedule overlaps another lesson of the course (%(days)s %(time)s, "
                "%(minutes)s minutes): delete one if they are the same lesson."
            )
            % {
                "days": other.weekday_labels,
                "time": f"{other.start_time:%H:%M}",
                "minutes": other.duration_minutes,
            },
        )
    return redirect(reverse("dashboard:course", args=[course.pk]) + "#sessions-heading")


@require_http_methods(["GET", "POST"])
@login_required
def delete_schedule(request, pk: int, schedule_pk: int):
    course = get_object_or_404(courses_for(request.user), pk=pk)
    schedule = get_object_or_404(CourseSchedule.objects.filter(course=course), pk=schedule_pk)
    if request.method == "GET":
        return confirm_page(
            request,
            heading="Delete this weekly schedule?",
            lines=[
                f"{schedule.weekday_labels} at {schedule.start_time:%H:%M}: its future "
                "sessions that were not opened are deleted; past sessions stay."
            ],
            button="Delete schedule",
            cancel_url=reverse("dashboard:course", args=[course.pk]),
        )
    flow.delete_schedule(schedule=schedule)
    messages.success(request, _("Weekly schedule deleted."))
    return redirect("dashboard:course", pk=course.pk)
