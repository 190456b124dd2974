"""The teacher's courses, a course's roster with enrollment photos, and its JSON status."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from attendance.selectors import sessions_for
from dashboard import paging, selectors
from dashboard.forms import ConsentForm, CourseForm, ScheduleForm, SessionForm, StudentForm
from dashboard.views import confirm
from dashboard.views.enroll_kiosk import enroll_kiosk_context
from people import services
from people.selectors import courses_for, enrollment_guidance, people_for, photos_for
from people.serializers import PhotoSerializer
from people.training import pending_since

# At most this many students' rows in one status answer. The page names the students it
# shows (`ids`, one page of the roster), so it never needs more.
STATUS_ROWS = 200


def shown_ids(request) -> list[int]:
    values = request.GET.get("ids", "").split(",")[:STATUS_ROWS]
    return [int(value) for value in values if value.isdigit()]


def wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@require_GET
@login_required
def home(request):
    courses = selectors.courses_with_held_photos(courses_for(request.user))
    return render(request, "dashboard/home.html", {"courses": courses, "form": CourseForm()})


@require_POST
@login_required
def create_course(request):
    form = CourseForm(request.POST)
    if not form.is_valid():
        courses = courses_for(request.user).order_by("name", "pk")
        context = {"courses": courses, "form": form}
        return render(request, "dashboard/home.html", context, status=400)
    course = services.create_course(name=form.cleaned_data["name"], teacher=request.user)
    messages.success(
        request, _("Course “%(name)s” created. Add its students below.") % {"name": course.name}
    )
    return redirect("dashboard:course", pk=course.pk)


def render_course(request, course, status=200, **forms):
    words = request.GET.get("q", "")[:200]
    show = request.GET.get("show", "all")
    show = show if show in selectors.ROSTER_FILTERS else "all"
    page = paging.page_of(request, selectors.roster_matching(course, words=words, show=show))
    roster = selectors.with_look_alike_photos(selectors.with_photos(list(page)))
    classifier = selectors.classifier_of(course)
    training = training_pending(course)
    stamp = selectors.photo_stamp(course)
    context = {
        "course": course,
        "roster": roster,
        "roster_total": course.roster.count(),
        "roster_page": page,
        "roster_query": paging.query_without_page(request),
        "roster_search": words,
        "roster_show": show,
        "roster_filters": selectors.ROSTER_FILTERS,
        "roster_lines": selectors.roster_lines(course, roster),
        "held_total": selectors.held_photos(course).count(),
        "guidance": enrollment_guidance(course),
        "schedules": course.schedules.all(),
        "schedule_form": forms.get("schedule_form") or ScheduleForm(),
        "busy": stamp.busy or training,
        "photo_stamp": stamp,
        "classifier": classifier,
        "sessions": sessions_for(request.user).filter(course=course).order_by("-starts_at"),
        "student_form": forms.get("student_form") or StudentForm(),
        "session_form": forms.get("session_form") or SessionForm(),
        "today": timezone.localdate(),
        **enroll_kiosk_context(request, course),
    }
    return render(request, "dashboard/course.html", context, status=status)


@require_GET
@login_required
def course_detail(request, pk: int):
    return render_course(request, get_object_or_404(courses_for(request.user), pk=pk))


@require_GET
@login_required
def course_status(request, pk: int):
    """What the course page polls while photos are processed: its cost does not grow with the
    roster. The page sends the stamp it last saw (`since`) and the students it shows (`ids`);
    when no photo moved the answer carries no student, otherwise only the shown students whose
    photos changed, and the "Photos to add" guidance again."""
    course = get_object_or_404(courses_for(request.user), pk=pk)
    current = selectors.photo_stamp(course)
    seen = request.GET.get("since", "")
    students, guidance = [], {}
    if seen != current.stamp:
        # a photo moved: who still needs photos may have changed too (one read of the photos)
        guidance["guidance_html"] = render_to_string(
            "dashboard/_enrollment_guidance.html",
            {"guidance": enrollment_guidance(course)},
            request=request,
        )
        changed = selectors.roster_changed_since(course, selectors.changed_since(seen))
        if ids := shown_ids(request):
            changed = changed.filter(pk__in=ids)
        changed = selectors.with_look_alike_photos(list(changed[:STATUS_ROWS]))
        students = [
            student_json(request, course, line.person, line)
            for line in selectors.roster_lines(course, changed)
        ]
    return JsonResponse(
        {
            "stamp": current.stamp,
            "unchanged": seen == current.stamp,
            "busy": current.busy,
            "classifier": classifier_json(
                selectors.classifier_of(course), training_pending(course)
            ),
            "students": students,
            **guidance,
        }
    )


def student_json(request, course, person, line=None) -> dict:
    """The data, and the same markup the page renders, so the script only swaps it in."""
    photos = person.photos.all()
    context = {"photos": photos, "course": course}
    return {
        "id": person.pk,
        "photos": PhotoSerializer(photos, many=True).data,
        "html": render_to_string("dashboard/_photos.html", context, request=request),
        "counts_html": render_to_string("dashboard/_photo_counts.html", {"line": line})
        if line
        else "",
    }


def training_pending(course) -> bool:
    return pending_since(course.pk) is not None


def classifier_json(classifier, training: bool) -> dict:
    return {
        "version": classifier.version if classifier else 0,
        "training": training,
        "html": render_to_string(
            "dashboard/_classifier.html", {"classifier": classifier, "training": training}
        ),
    }


@require_POST
@login_required
def add_student(request, pk: int):
    course = get_object_or_404(courses_for(request.user), pk=pk)
    form = StudentForm(request.POST)
    if not form.is_valid():
        return render_course(request, course, status=400, student_form=form)
    try:
        person = services.add_student(course=course, added_by=request.user, **form.cleaned_data)
    except services.StudentNumberTaken as taken:
        form.add_error("external_id", str(taken))
        return render_course(request, course, status=400, student_form=form)
    messages.success(request, _("%(name)s is on the roster.") % {"name": person.full_name})
    return redirect(reverse("dashboard:course", args=[course.pk]) + f"#student-{person.pk}")


@require_http_methods(["GET", "POST"])
@login_required
def remove_student(request, pk: int, person_pk: int):
    course = get_object_or_404(courses_for(request.user), pk=pk)
    person = get_object_or_404(course.roster.all(), pk=person_pk)
    if request.method == "GET":
        return confirm.confirm_page(
            request,
            heading=f"Remove {person.full_name} from {course.name}?",
            lines=["Their photos and past attendance are kept; you can add them again later."],
            button="Remove from course",
            cancel_url=reverse("dashboard:course", args=[course.pk]),
        )
    services.remove_student(course=course, person=person)
    messages.success(
        request, _("%(name)s was removed from the roster.") % {"name": person.full_name}
    )
    return redirect("dashboard:course", pk=course.pk)


@require_POST
@login_required
def record_consent(request, pk: int, person_pk: int):
    course = get_object_or_404(courses_for(request.user), pk=pk)
    person = get_object_or_404(course.roster.all(), pk=person_pk)
    form = ConsentForm(request.POST)
    if form.is_valid():
        services.record_consent(person=person, **form.cleaned_data)
        messages.success(request, _("Consent of %(name)s recorded.") % {"name": person.full_name})
    else:
        messages.error(request, _("Enter the date on which consent was given."))
    return redirect(reverse("dashboard:course", args=[course.pk]) + f"#student-{person.pk}")


@require_POST
@login_required
def upload_photos(request, pk: int, person_pk: int):
    """The file picker, drag and drop (a normal form post) and the webcam (fetch, JSON)."""
    course = get_object_or_404(courses_for(request.user), pk=pk)
    person = get_object_or_404(people_for(request.user).filter(courses=course), pk=person_pk)
    photos, refusals = services.enroll_photos(
        person=person, uploads=request.FILES.getlist("images")
    )
    if wants_json(request):
        body = {"photos": PhotoSerializer(photos, many=True).data, "errors": refusals}
        return JsonResponse(body, status=400 if refusals and not photos else 202)
    if photos:
        messages.success(
            request,
            ngettext(
                "%(count)s photo of %(name)s added: checking for faces…",
                "%(count)s photos of %(name)s added: checking for faces…",
                len(photos),
            )
            % {"count": len(photos), "name": person.full_name},
        )
    for refusal in refusals:
        messages.error(request, refusal)
    return redirect(reverse("dashboard:course", args=[course.pk]) + f"#student-{person.pk}")


@require_http_methods(["GET", "POST"])
@login_required
def delete_photo(request, pk: int, photo_pk: int):
    """E.g. a rejected photo: its file goes, and the course retrains if it was in use."""
    course = get_object_or_404(courses_for(request.user), pk=pk)
    photo = get_object_or_404(
        photos_for(request.user).filter(person__courses=course).select_related("person"),
        pk=photo_pk,
    )
    if request.method == "GET":
        return confirm.confirm_page(
            request,
            heading=f"Delete this photo of {photo.person.full_name}?",
            lines=["The photo is erased and face recognition is trained again without it."],
            button="Delete photo",
            cancel_url=f"{reverse('dashboard:course', args=[course.pk])}#student-{photo.person_id}",
        )
    services.delete_photo(photo=photo)
    messages.success(
        request, _("A photo of %(name)s was deleted.") % {"name": photo.person.full_name}
    )
    return redirect(reverse("dashboard:course", args=[course.pk]) + f"#student-{photo.person_id}")


@require_POST
@login_required
def record_consent_for_selected(request, pk: int):
    """ "Record consent for the selected students" with one date."""
    course = get_object_or_404(courses_for(request.user), pk=pk)
    form = ConsentForm(request.POST)
    chosen = [value for value in request.POST.getlist("people")[:1000] if value.isdigit()]
    people = course.roster.filter(pk__in=chosen)
    if not form.is_valid():
        messages.error(request, _("Enter the date on which consent was given."))
    elif not people:
        messages.error(request, _("Select the students whose consent was given."))
    else:
        count = services.record_consent_for(people=people, **form.cleaned_data)
        messages.success(
            request,
            ngettext(
                "Consent recorded for %(count)s student.",
                "Consent recorded for %(count)s students.",
                count,
            )
            % {"count": count},
        )
    return redirect("dashboard:course", pk=course.pk)


@require_POST
@login_required
def add_co_teacher(request, pk: int):
    course = get_object_or_404(courses_for(request.user), pk=pk)
    try:
        teacher = services.add_co_teacher(
            course=course,
            name_or_email=request.POST.get("teacher", "")[:254],
            added_by=request.user,
        )
    except services.NoSuchTeacher as error:
        messages.error(request, str(error))
    else:
        name = teacher.get_full_name() or teacher.username
        messages.success(
            request,
            _("%(name)s teaches %(course)s too now.") % {"name": name, "course": course.name},
        )
    return redirect(reverse("dashboard:course", args=[course.pk]) + "#teachers")
