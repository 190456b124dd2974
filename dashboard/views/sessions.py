"""Creating, opening and closing sessions, and the live session page with its JSON status."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from attendance import services
from attendance.errors import NotOnRoster
from attendance.models import AttendanceRecord, AttendanceSession
from attendance.selectors import sessions_for
from dashboard import selectors
from dashboard.forms import SessionForm, StatusForm
from dashboard.qr import qr_svg
from dashboard.reviews import render_reviews
from dashboard.views.confirm import confirm_page
from dashboard.views.courses import render_course
from people.selectors import courses_for, people_for


def local_time(moment) -> str:
    return date_format(timezone.localtime(moment), "H:i T") if moment else ""


def change_note(record: AttendanceRecord | None) -> str:
    """Who set the status and when: the kiosk (by face) or a named teacher."""
    if record is None:
        return ""
    if record.method == AttendanceRecord.Method.FACE:
        live = ", liveness check passed" if record.liveness == record.Liveness.PASSED else ""
        return f"face check-in at {local_time(record.recorded_at)}{live}"
    if record.method == AttendanceRecord.Method.CONFIRMED and record.changed_by:
        teacher = record.changed_by.get_full_name() or record.changed_by.get_username()
        return f"face at {local_time(record.recorded_at)}, confirmed by {teacher}"
    if record.method == AttendanceRecord.Method.ABSENT_AT_CLOSE:
        return f"no check-in when the session closed at {local_time(record.recorded_at)}"
    teacher = record.changed_by
    who = (teacher.get_full_name() or teacher.get_username()) if teacher else "the system"
    return f"set by {who} at {local_time(record.updated_at)}"


@require_POST
@login_required
def create_session(request, course_pk: int):
    course = get_object_or_404(courses_for(request.user), pk=course_pk)
    form = SessionForm(request.POST, instance=AttendanceSession(course=course))
    if not form.is_valid():
        return render_course(request, course, status=400, session_form=form)
    session = form.save()
    messages.success(request, _("Session created. Open it when the class starts."))
    return redirect("dashboard:session", pk=session.pk)


def session_or_404(request, pk: int) -> AttendanceSession:
    return get_object_or_404(sessions_for(request.user).select_related("course"), pk=pk)


@require_GET
@login_required
def session_detail(request, pk: int):
    session = session_or_404(request, pk)
    kiosk_url = request.build_absolute_uri(reverse("dashboard:kiosk", args=[session.kiosk_token]))
    rows = selectors.attendance_rows(session)
    context = {
        "session": session,
        "rows": [(row, change_note(row.record)) for row in rows],
        "counts": selectors.attendance_counts(rows),
        "statuses": AttendanceRecord.Status.choices,
        "reviews_html": render_reviews(request, session),
        "kiosk_url": kiosk_url,
        "kiosk_qr": qr_svg(kiosk_url, title=_("QR code of the kiosk link")),
    }
    return render(request, "dashboard/session.html", context)


@require_GET
@login_required
def session_status(request, pk: int):
    """What the live page polls: each student's status, and who set it when, and the
    counters as numbers and as the page shows them (computed here only: the page's script
    puts `counts_html` in place and counts nothing itself)."""
    session = session_or_404(request, pk)
    rows = selectors.attendance_rows(session)
    counts = selectors.attendance_counts(rows)
    return JsonResponse(
        {
            "state": session.state,
            "counts": counts,
            "counts_html": render_to_string(
                "dashboard/_live_counts_text.html", {"counts": counts}
            ).strip(),
            "state_display": session.state_label,
            "reviews_html": render_reviews(request, session),
            "rows": [
                {
                    "person": row.person.pk,
                    "status": row.status or "",
                    "status_display": row.record.get_status_display()
                    if row.record
                    else "Not checked in",
                    "note": change_note(row.record),
                }
                for row in rows
            ],
        }
    )


@require_POST
@login_required
def open_session(request, pk: int):
    session = session_or_404(request, pk)
    try:
        services.open_session(session=session)
    except services.SessionStateError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The session is open: students can check in at the kiosk."))
    return redirect("dashboard:session", pk=session.pk)


@require_http_methods(["GET", "POST"])
@login_required
def close_session(request, pk: int):
    session = session_or_404(request, pk)
    if request.method == "GET":
        missing = len([row for row in selectors.attendance_rows(session) if not row.record])
        return confirm_page(
            request,
            heading="Close this session?",
            lines=[
                f"{missing} student{'s' if missing != 1 else ''} without a check-in will be "
                "marked absent, and the kiosk stops taking check-ins.",
                "You can undo this with Reopen.",
            ],
            button="Close session",
            cancel_url=reverse("dashboard:session", args=[session.pk]),
        )
    try:
        absent = services.close_session(session=session, closed_by=request.user)
    except services.SessionStateError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("The session is closed; %(absent)s marked absent.") % {"absent": absent}
        )
    return redirect("dashboard:session", pk=session.pk)


@require_POST
@login_required
def set_status(request, pk: int):
    session = session_or_404(request, pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the statuses."))
        return redirect("dashboard:session", pk=session.pk)
    # Anyone the teacher may see: the writer refuses who is not on the roster, as in the API.
    person = get_object_or_404(people_for(request.user), pk=form.cleaned_data["person"])
    try:
        record = services.set_status(
            session=session,
            person=person,
            status=form.cleaned_data["status"],
            changed_by=request.user,
        )
    except NotOnRoster as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(name)s: %(status)s.")
            % {"name": person.full_name, "status": record.get_status_display()},
        )
    return redirect(reverse("dashboard:session", args=[session.pk]) + f"#person-{person.pk}")


@require_http_methods(["GET", "POST"])
@login_required
def rotate_kiosk_link(request, pk: int):
    session = session_or_404(request, pk)
    if request.method == "GET":
        return confirm_page(
            request,
            heading="Make a new kiosk link?",
            lines=["The kiosk open now stops working until it is opened with the new link."],
            button="Make a new link",
            cancel_url=reverse("dashboard:session", args=[session.pk]),
        )
    services.rotate_kiosk_token(session=session)
    messages.success(request, _("New kiosk link made: the old link no longer works."))
    return redirect("dashboard:session", pk=session.pk)
