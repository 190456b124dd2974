"""Activates each request's time zone (people.time_zones) and the teacher's language
(people.languages): pages show times in the zone and words in the language, and
datetime-local inputs are read in the zone. Without a chosen language, LocaleMiddleware's
choice from the browser stays."""

from django.utils import timezone, translation

from people.languages import profile_language
from people.selectors import teacher_profile
from people.time_zones import as_zone, profile_time_zone


class TeacherLocaleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        profile = teacher_profile(getattr(request, "user", None))  # one query for both
        timezone.activate(as_zone(profile_time_zone(profile)))
        language = profile_language(profile)
        # The API's messages follow Accept-Language alone (the pages' scripts send theirs).
        if language and not request.path.startswith("/api/"):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
