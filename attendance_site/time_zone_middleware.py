"""Activates each request's time zone (people.time_zones): pages show times in it, and
datetime-local inputs are read in it."""

from django.utils import timezone

from people.time_zones import as_zone, teacher_time_zone


class TeacherTimeZoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        timezone.activate(as_zone(teacher_time_zone(user)))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
