"""Creating, opening and closing sessions, and the live session page with its one poll."""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from attendance import marks, services
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
    """How the status was set (the method's one label), when, and by which teacher."""
    if record is None:
        return ""
    when = record.updated_at if record.method == AttendanceRecord.Method.MANUAL else None
    note = _("%(method)s, %(time)s") % {
        "method": record.get_method_display(),
        "time": local_time(when or record.recorded_at),
    }
    if record.liveness == AttendanceRecord.Liveness.PASSED:
        note += _(", liveness check passed")
    teacher = record.changed_by
    if teacher and record.method != AttendanceRecord.Method.FACE:
        note += f" ({teacher.get_full_name() or teacher.get_username()})"
    return note


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


def live_context(request, session: AttendanceSession) -> dict:
    """What the live page and its poll render: the rows, the counters and the reviews."""
    rows = selectors.attendance_rows(session)
    return {
        "session": session,
        "rows": [(row, change_note(row.record)) for row in rows],
        "counts": selectors.attendance_counts(rows),
        "statuses": AttendanceRecord.Status.choices,
        "reviews_html": render_reviews(request, session),
    }


@require_GET
@login_required
def session_detail(request, pk: int):
    session = session_or_404(request, pk)
    kiosk_url = request.build_absolute_uri(reverse("dashboard:kiosk", args=[session.kiosk_token]))
    context = live_context(request, session) | {
        "stamp": selectors.live_stamp(session),
        "kiosk_url": kiosk_url,
        "kiosk_qr": qr_svg(kiosk_url, title=_("QR code of the kiosk link")),
    }
    return render(request, "dashboard/session.html", context)


@require_GET
@login_required
def session_status(request, pk: int):
    """The live page's one poll, as the course page's: the page sends the stamp it holds
    (`since`). An unchanged session is answered with the stamp alone after one query;
    otherwise the counters, the rows and the reviews come rendered, so the page's script
    counts nothing and re-downloads nothing."""
    session = session_or_404(request, pk)
    stamp = selectors.live_stamp(session)
    answer = {"stamp": stamp, "unchanged": request.GET.get("since") == stamp}
    if not answer["unchanged"]:
        context = live_context(request, session)
        render_part = partial(render_to_string, context=context, request=request)
        answer |= {
            "state": session.state,
            "state_display": session.state_label,
            "counts": context["counts"],
            "counts_html": render_part("dashboard/_live_counts_text.html").strip(),
            "rows_html": render_part("dashboard/_attendance_rows.html"),
            "reviews_html": context["reviews_html"],
        }
    return JsonResponse(answer)


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
        if wants_json(request):
            return JsonResponse({"detail": str(error)}, status=400)
        messages.error(request, str(error))
    else:
        if wants_json(request):  # the page's one-tap buttons: the next poll shows the change
            return HttpResponse(status=204)
        messages.success(
            request,
            _("%(name)s: %(status)s.")
            % {"name": person.full_name, "status": record.get_status_display()},
        )
    return redirect(reverse("dashboard:session", args=[session.pk]) + f"#person-{person.pk}")


def wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


REMAINING = {
    "present": _("Mark every student not checked in yet present?"),
    "absent": _("Mark every student not checked in yet absent?"),
}


@require_http_methods(["GET", "POST"])
@login_required
def mark_remaining(request, pk: int, status: str):
    session = session_or_404(request, pk)
    if status not in REMAINING:
        raise Http404(_("Only present or absent can be given to everyone remaining."))
    label = AttendanceRecord.Status(status).label
    if request.method == "GET":
        missing = selectors.attendance_counts(selectors.attendance_rows(session))["missing"]
        return confirm_page(
            request,
            heading=REMAINING[status],
            lines=[
                ngettext(
                    "%(count)d student without a check-in will be marked %(status)s.",
                    "%(count)d students without a check-in will be marked %(status)s.",
                    missing,
                )
                % {"count": missing, "status": label.lower()},
                _("Each can still be changed one by one afterwards."),
            ],
            button=_("Mark them %(status)s") % {"status": label.lower()},
            button_class="button--primary",
            cancel_url=reverse("dashboard:session", args=[session.pk]),
        )
    marked = marks.mark_remaining(session=session, status=status, by=request.user)
    messages.success(
        request,
        ngettext(
            "%(count)d student marked %(status)s.", "%(count)d students marked %(status)s.", marked
        )
        % {"count": marked, "status": label.lower()},
    )
    return redirect("dashboard:session", pk=session.pk)


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
