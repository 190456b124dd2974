"""A course's attendance report: the table, a chart, and the same table as CSV."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from dashboard import charts, csv_export
from dashboard.reports import course_report
from people.selectors import courses_for


@require_GET
@login_required
def report(request, pk: int):
    course = get_object_or_404(courses_for(request.user), pk=pk)
    data = course_report(course)
    labels = [timezone.localtime(s.starts_at).strftime("%d %b") for s in data.sessions]
    chart = charts.percent_bar_chart(list(zip(labels, data.session_rates(), strict=True)))
    context = {"course": course, "report": data, "chart": chart}
    return render(request, "dashboard/report.html", context)


@require_GET
@login_required
def report_csv(request, pk: int):
    course = get_object_or_404(courses_for(request.user), pk=pk)
    data = course_report(course)
    response = HttpResponse(csv_export.report_csv(data), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=csv_export.report_filename(data)
    )
    response["Cache-Control"] = "private, no-store"
    return response
