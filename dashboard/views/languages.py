"""Languages: the JavaScript catalog of one language (the kiosks ask for their course's, not
the browser's) and a course's kiosk language."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import JavaScriptCatalog

from people import languages
from people.selectors import courses_for

catalog_view = JavaScriptCatalog.as_view()


@require_GET
@cache_control(max_age=3600)  # every page loads it; a new deployment's words within the hour
def javascript_catalog(request, language: str):
    if not languages.is_shipped(language):
        raise Http404
    with translation.override(language):
        return catalog_view(request)


@require_POST
@login_required
def set_course_language(request, pk: int):
    course = get_object_or_404(courses_for(request.user), pk=pk)
    try:
        languages.set_course_language(course=course, code=request.POST.get("language", ""))
    except ValidationError:
        messages.error(request, _("Choose one of the languages offered."))
    else:
        messages.success(
            request,
            _("Kiosk language: %(language)s.") % {"language": course.get_language_display()},
        )
    return redirect("dashboard:course", pk=course.pk)
