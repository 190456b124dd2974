"""Withdrawing a student's consent from the course page: a confirmation page says what will be
deleted; confirming calls the same service as the API and the admin, so a student shared with
another teacher's course is refused (403) here as there."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from people.access import SharedWithOthers, check_may_change
from people.consent import withdraw_consent
from people.selectors import courses_for


@require_http_methods(["GET", "POST"])
@login_required
def withdraw(request, pk: int, person_pk: int):
    course = get_object_or_404(courses_for(request.user), pk=pk)
    person = get_object_or_404(course.roster.all(), pk=person_pk)
    try:
        if request.method != "POST":
            check_may_change(person=person, user=request.user)
        else:
            deleted = withdraw_consent(person=person, by=request.user)
            messages.success(
                request,
                _(
                    "Consent of %(name)s withdrawn: %(deleted)s photo(s) and their face "
                    "data deleted."
                )
                % {"name": person.full_name, "deleted": deleted},
            )
            back = reverse("dashboard:course", args=[course.pk]) + f"#student-{person.pk}"
            return redirect(back)
    except SharedWithOthers as refusal:
        refused, status = str(refusal), 403
    else:
        refused, status = "", 200
    context = {
        "course": course,
        "person": person,
        "photo_count": person.photos.count(),
        "course_count": person.courses.count(),
        "refused": refused,
    }
    return render(request, "dashboard/withdraw_consent.html", context, status=status)
