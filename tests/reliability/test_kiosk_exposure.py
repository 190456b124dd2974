"""What a kiosk learns: no match distance in its answers, and nothing of
a closed session once the grace period is over."""

import io
from datetime import timedelta

from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from tests.reliability.odd_files import jpeg


def frame():
    image = io.BytesIO(jpeg())
    image.name = "frame.jpg"
    return image


def test_the_kiosk_answer_has_no_distance_but_the_teacher_api_keeps_it(
    db, teacher_api, open_session
):
    kiosk = APIClient()
    kiosk.credentials(HTTP_AUTHORIZATION=f"Kiosk {open_session.kiosk_token}")
    url = f"/api/sessions/{open_session.pk}/checkin/"
    kiosk_faces = kiosk.post(url, {"image": frame()}).json()["faces"]
    assert kiosk_faces[0]["person"]["full_name"] == "Obama"
    assert kiosk_faces[0]["distance"] is None
    teacher_faces = teacher_api.post(url, {"image": frame()}).json()["faces"]
    assert 0 < teacher_faces[0]["distance"] < 0.6


def test_a_closed_sessions_kiosk_link_says_closed_then_reveals_nothing(db, open_session, settings):
    settings.KIOSK_CLOSED_GRACE_MINUTES = 15
    page = f"/kiosk/{open_session.kiosk_token}/"
    open_session.closed_at = timezone.now() - timedelta(minutes=5)
    open_session.save()
    assert Client().get(page).status_code == 200  # within the grace period: "closed"

    open_session.closed_at = timezone.now() - timedelta(minutes=16)
    open_session.save()
    response = Client().get(page)
    assert response.status_code == 404
    assert open_session.course.name not in response.content.decode()
    kiosk = APIClient()
    kiosk.credentials(HTTP_AUTHORIZATION=f"Kiosk {open_session.kiosk_token}")
    answer = kiosk.post(f"/api/sessions/{open_session.pk}/checkin/", {"image": frame()})
    assert answer.status_code == 401
