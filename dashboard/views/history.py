"""One student's attendance in a course, session by session."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from attendance.models import AttendanceSession
from dashboard.reports import rate
from people.selectors import courses_for, people_for


@require_GET
@login_required
def student_history(request, pk: int, person_pk: int):
    course = get_object_or_404(courses_for(request.user), pk=pk)
    person = get_object_or_404(people_for(request.user), pk=person_pk)
    sessions = AttendanceSession.objects.filter(course=course, opened_at__isnull=False)
    records = {r.session_id: r for r in person.attendance_records.filter(session__in=sessions)}
    rows = [(session, records.get(session.pk)) for session in sessions.order_by("-starts_at")]
    context = {
        "course": course,
        "person": person,
        "rows": rows,
        "rate": rate(record.status for record in records.values()),
    }
    return render(request, "dashboard/student_history.html", context)
