"""The kiosk page: a camera that checks students in, opened by a link carrying the token.

No login: the token in the address is the credential, and the page's script sends it with
each snapshot (`Authorization: Kiosk <token>`). An unknown or rotated token gets a page that
says so, never a hint of which course it was.
"""

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from attendance.kiosk_access import kiosk_session, kiosk_time_zone
from people.languages import kiosk_language


@never_cache
@require_GET
def kiosk(request, token: str):
    session = kiosk_session(token)  # None also once a closed session's grace period is over
    if session is None:
        return render(request, "dashboard/kiosk_invalid.html", status=404)
    context = {
        "session": session,
        "checkin_url": reverse("session-checkin", args=[session.pk]),
        "token": token,
    }
    # The same zone as the check-in answers' times, and the course's language, whoever is
    # logged in on this device.
    language = kiosk_language(session.course, request.GET.get("lang", ""))
    with timezone.override(kiosk_time_zone(session)), translation.override(language):
        return render(request, "dashboard/kiosk.html", context)
