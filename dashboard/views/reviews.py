"""The teacher's decisions on faces and photos the model was unsure of (dashboard forms)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from attendance import reviews
from attendance.errors import AlreadyDecided, NotOnRoster, ReviewRefused
from attendance.models import PendingReview
from attendance.selectors import sessions_for
from dashboard.selectors import held_photos
from dashboard.views.confirm import confirm_page
from people import services
from people.selectors import courses_for, photos_for


def review_or_404(request, pk: int) -> PendingReview:
    visible = PendingReview.objects.filter(session__in=sessions_for(request.user))
    return get_object_or_404(visible.select_related("candidate", "session"), pk=pk)


def already_decided(request, pk: int):
    """A late second click on a decided review: the session page says so (else 404)."""
    trace = reviews.visible_decided_review(pk, sessions_for(request.user))
    if trace is None:
        raise Http404
    messages.error(request, reviews.ALREADY_DECIDED)
    return redirect("dashboard:session", pk=trace.session_id)


@require_POST
@login_required
def confirm_review(request, pk: int):
    try:
        review = review_or_404(request, pk)
    except Http404:
        return already_decided(request, pk)
    person, session = review.candidate, review.session
    try:
        record = reviews.confirm_review(
            review=review,
            confirmed_by=request.user,
            use_photo=request.POST.get("use_photo") == "on",
        )
    except (ReviewRefused, AlreadyDecided, NotOnRoster) as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            _("%(name)s: %(status)s.")
            % {"name": person.full_name, "status": record.get_status_display()},
        )
    return redirect(reverse("dashboard:session", args=[session.pk]) + f"#person-{person.pk}")


@require_POST
@login_required
def reject_review(request, pk: int):
    try:
        review = review_or_404(request, pk)
        reviews.reject_review(review=review)
    except (Http404, AlreadyDecided):
        return already_decided(request, pk)
    messages.success(request, _("Discarded: nobody was marked."))
    return redirect("dashboard:session", pk=review.session_id)


@require_POST
@login_required
def keep_photo(request, pk: int, photo_pk: int):
    course = get_object_or_404(courses_for(request.user), pk=pk)
    photo = get_object_or_404(
        photos_for(request.user).filter(person__courses=course).select_related("person"),
        pk=photo_pk,
    )
    try:
        services.keep_photo(photo=photo, kept_by=request.user)
    except services.PhotoNotInReview as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("The photo of %(name)s is kept.") % {"name": photo.person.full_name}
        )
    return redirect(reverse("dashboard:course", args=[course.pk]) + f"#student-{photo.person_id}")


@require_http_methods(["GET", "POST"])
@login_required
def keep_all_photos(request, pk: int):
    """ "Keep all": every photo of the course held for review is kept, after a confirmation."""
    course = get_object_or_404(courses_for(request.user), pk=pk)
    held = held_photos(course).filter(pk__in=photos_for(request.user).values("pk"))
    course_url = reverse("dashboard:course", args=[course.pk])
    if request.method == "GET":
        count = held.count()
        return confirm_page(
            request,
            heading=_("Keep every photo waiting for your decision?"),
            lines=[
                ngettext(
                    "%(count)d photo of %(course)s will be used for recognition as it is.",
                    "%(count)d photos of %(course)s will be used for recognition as they are.",
                    count,
                )
                % {"count": count, "course": course.name},
                _(
                    "A photo that looks like another student may be of the wrong person: "
                    "to check them one by one, show the photos to decide instead."
                ),
            ],
            button=_("Keep all"),
            button_class="button--primary",
            cancel_url=f"{course_url}?show=needs-review",
        )
    kept = services.keep_photos(photos=held, kept_by=request.user)
    messages.success(
        request,
        ngettext("%(count)d photo kept.", "%(count)d photos kept.", kept) % {"count": kept},
    )
    return redirect(course_url)
