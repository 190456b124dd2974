"""Attendance of every course in one CSV (one row per record), for those who see everyone:
superusers and holders of `people.see_everyone` (`is_staff` alone grants nothing here)."""

import csv
import io

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from attendance.models import AttendanceRecord
from dashboard.csv_export import BOM, safe_cell
from dashboard.views.reports import date_range, refused_range

HEADER = ["Course", "Session start", "Time zone", "Session title", "Student number", "Student"]


@require_GET
@login_required
@permission_required("people.see_everyone", raise_exception=True)
def export_all_courses(request):
    form, bounds = date_range(request)
    if refused := refused_range(form):
        return refused
    records = AttendanceRecord.objects.select_related("session__course", "person").order_by(
        "session__course__name", "session__starts_at", "person__full_name", "pk"
    )
    if "start" in bounds:
        records = records.filter(session__starts_at__gte=bounds["start"])
    if "end" in bounds:
        records = records.filter(session__starts_at__lt=bounds["end"])
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer)
    writer.writerow([*HEADER, "Status", "How", "Recorded at"])
    zone = timezone.get_current_timezone_name()
    for record in records.iterator():
        session = record.session
        writer.writerow(
            [
                safe_cell(session.course.name),
                timezone.localtime(session.starts_at).strftime("%Y-%m-%d %H:%M"),
                zone,
                safe_cell(session.title),
                safe_cell(record.person.external_id),
                safe_cell(record.person.full_name),
                record.status,
                record.get_method_display(),
                timezone.localtime(record.recorded_at).strftime("%Y-%m-%d %H:%M"),
            ]
        )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename="attendance all courses.csv"
    )
    response["Cache-Control"] = "private, no-store"
    return response
