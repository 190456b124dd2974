"""Withdrawing a student's consent from the course page (issue 10, point 11): a confirmation
page says what will be deleted; confirming calls the same service as every other path."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from people.consent import withdraw_consent
from people.selectors import courses_for


@require_http_methods(["GET", "POST"])
@login_required
def withdraw(request, pk: int, person_pk: int):
    course = get_object_or_404(courses_for(request.user), pk=pk)
    person = get_object_or_404(course.roster.all(), pk=person_pk)
    if request.method == "POST":
        deleted = withdraw_consent(person=person)
        messages.success(
            request,
            f"Consent of {person.full_name} withdrawn: {deleted} photo(s) and their face "
            "data deleted.",
        )
        return redirect(reverse("dashboard:course", args=[course.pk]) + f"#student-{person.pk}")
    context = {
        "course": course,
        "person": person,
        "photo_count": person.photos.count(),
        "course_count": person.courses.count(),
    }
    return render(request, "dashboard/withdraw_consent.html", context)
