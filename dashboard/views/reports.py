"""A course's attendance report: the table, a chart, and the same table as CSV."""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from attendance.selectors import people_of_sessions
from dashboard import charts, csv_export, paging, reports
from dashboard.forms import ReportRangeForm
from people.selectors import courses_for


def date_range(request) -> tuple[ReportRangeForm, dict]:
    """The report's optional date range (teacher's zone), as course_report's arguments."""
    form = ReportRangeForm(request.GET or None)
    if not form.is_valid():
        return form, {}
    zone = timezone.get_current_timezone()
    start, end = form.cleaned_data.get("start"), form.cleaned_data.get("end")
    bounds = {}
    if start:
        bounds["start"] = datetime.combine(start, time.min, tzinfo=zone)
    if end:
        bounds["end"] = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
    return form, bounds


def refused_range(form: ReportRangeForm) -> HttpResponse | None:
    """A CSV asked for with a broken date range: a 400 saying what is wrong, not every row."""
    if not form.errors:
        return None
    messages = [message for errors in form.errors.values() for message in errors]
    return HttpResponseBadRequest(" ".join(messages), content_type="text/plain; charset=utf-8")


def chart_label(moment) -> str:
    """Day, month and time in the page's language, e.g. "4 Dec 09:10" or "4. Dez. 09:10"."""
    local = timezone.localtime(moment)
    return f"{date_format(local, 'MONTH_DAY_FORMAT')} {date_format(local, 'TIME_FORMAT')}"


@require_GET
@login_required
def report(request, pk: int):
    course = get_object_or_404(courses_for(request.user), pk=pk)
    form, bounds = date_range(request)
    sessions = reports.report_sessions(course, **bounds)
    page = paging.page_of(request, people_of_sessions(course.pk, sessions))
    data = reports.CourseReport(course, sessions, reports.student_rows(list(page), sessions))
    labels = [chart_label(s.starts_at) for s in sessions]
    shares = reports.session_shares(sessions)
    points = [(label, *share) for label, share in zip(labels, shares, strict=True)]
    context = {
        "course": course,
        "report": data,
        "page": page,
        "page_query": paging.query_without_page(request),
        "chart": charts.present_late_chart(points),
        "range_form": form,
        "query": paging.query_without_page(request),
        "threshold": settings.ATTENDANCE_THRESHOLD_PERCENT / 100,
        "threshold_percent": settings.ATTENDANCE_THRESHOLD_PERCENT,
    }
    return render(request, "dashboard/report.html", context)


@require_GET
@login_required
def report_csv(request, pk: int):
    course = get_object_or_404(courses_for(request.user), pk=pk)
    form, bounds = date_range(request)
    if refused := refused_range(form):
        return refused
    sessions = reports.report_sessions(course, **bounds)
    lines = csv_export.report_lines(sessions, reports.all_student_rows(course, sessions))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=csv_export.report_filename(course)
    )
    response["Cache-Control"] = "private, no-store"
    return response
