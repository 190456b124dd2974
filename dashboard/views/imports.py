"""Bulk onboarding pages: a CSV roster (preview, then confirm; a job adds it) and a ZIP of
photos (a job), each job's page with a progress bar. The rules are people.roster_import
and people.photo_import."""

import base64

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from people import photo_import, roster_import
from people.models import PhotoImportJob, RosterImportJob
from people.selectors import courses_for

SESSION_KEY = "roster-import-{}"


def _date_order(request) -> str:
    """The order the teacher chose, else the usual one where the teacher's zone is."""
    chosen = request.POST.get("date_order")
    if chosen in RosterImportJob.DateOrder.values:
        return chosen
    return roster_import.default_date_order(timezone.get_current_timezone_name())


@require_http_methods(["GET", "POST"])
@login_required
def roster_import_page(request, pk: int):
    """GET: choose a file. POST with a file: the preview (the file waits in the session).
    POST with reread: the same file's preview with dates read in another order.
    POST with confirm: import what was previewed, all or nothing."""
    course = get_object_or_404(courses_for(request.user), pk=pk)
    date_order = _date_order(request)
    context = {
        "course": course,
        "max_kb": settings.ROSTER_IMPORT_MAX_BYTES // 1024,
        "date_orders": RosterImportJob.DateOrder.choices,
        "date_order": date_order,
    }
    key = SESSION_KEY.format(course.pk)
    if request.method == "GET":
        return render(request, "dashboard/roster_import.html", context)
    confirming = "confirm" in request.POST
    if confirming or "reread" in request.POST:
        stored = request.session.get(key)
        if not stored:
            messages.error(request, _("Choose the file again: the preview has expired."))
            return redirect("dashboard:roster-import", pk=course.pk)
        data = base64.b64decode(stored)
    else:
        upload = request.FILES.get("file")
        if upload is None:
            context["error"] = "Choose a CSV file."
            return render(request, "dashboard/roster_import.html", context, status=400)
        data = upload.read(settings.ROSTER_IMPORT_MAX_BYTES + 1)
    try:
        if confirming:
            result = roster_import.start_roster_import(
                course=course, data=data, added_by=request.user, date_order=date_order
            )
        else:
            result = roster_import.import_roster(
                course=course,
                data=data,
                added_by=request.user,
                dry_run=True,
                date_order=date_order,
            )
    except roster_import.RosterFileError as error:
        context["error"] = str(error)
        return render(request, "dashboard/roster_import.html", context, status=400)
    if result.job:
        request.session.pop(key, None)
        return redirect("dashboard:roster-import-job", pk=result.job.pk)
    request.session[key] = base64.b64encode(data).decode()
    context["preview"] = result
    status = 200 if result.valid else 400
    return render(request, "dashboard/roster_import.html", context, status=status)


@require_GET
@login_required
def roster_template(request):
    """An example CSV with every column the roster import reads."""
    response = HttpResponse(roster_import.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=_("students template.csv")
    )
    return response


@require_http_methods(["GET", "POST"])
@login_required
def photo_import_page(request, pk: int):
    course = get_object_or_404(courses_for(request.user), pk=pk)
    context = {"course": course, "max_mb": settings.PHOTO_IMPORT_MAX_BYTES // (1024 * 1024)}
    if request.method == "POST":
        try:
            job = photo_import.start_photo_import(
                course=course, upload=request.FILES.get("file"), started_by=request.user
            )
        except photo_import.ArchiveRefused as refused:
            context["error"] = str(refused)
            context["problems"] = refused.problems
            return render(request, "dashboard/photo_import.html", context, status=400)
        return redirect("dashboard:photo-import-job", pk=job.pk)
    return render(request, "dashboard/photo_import.html", context)


@require_GET
@login_required
def photo_import_job(request, pk: int):
    jobs = PhotoImportJob.objects.filter(course__in=courses_for(request.user))
    job = get_object_or_404(jobs.select_related("course"), pk=pk)
    context = {
        "job": job,
        "course": job.course,
        "progress": photo_import.job_progress(job),
        "poll_url": reverse("photo-import-detail", args=[job.pk]),
    }
    return render(request, "dashboard/photo_import_job.html", context)


@require_GET
@login_required
def roster_import_job(request, pk: int):
    """A roster being added in the background: the page polls the job until it ends."""
    jobs = RosterImportJob.objects.filter(course__in=courses_for(request.user)).defer("data")
    job = get_object_or_404(jobs.select_related("course"), pk=pk)
    context = {
        "job": job,
        "course": job.course,
        "progress": roster_import.job_progress(job),
        "poll_url": reverse("roster-import-detail", args=[job.pk]),
    }
    return render(request, "dashboard/roster_import_job.html", context)
