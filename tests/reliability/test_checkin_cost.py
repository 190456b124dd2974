"""CPU per check-in is bounded: at most CHECKIN_MAX_FACES faces are
encoded per frame (the largest), and the rate limits count faces encoded, not requests."""

import io

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from recognition import faces
from tests.reliability.crowd import crowd_jpeg


@pytest.fixture(autouse=True)
def _fresh_rate_counters():
    cache.clear()
    yield
    cache.clear()


def frame(count: int):
    image = io.BytesIO(crowd_jpeg(count))
    image.name = "crowd.jpg"
    return image


def test_a_crowded_frame_encodes_only_the_largest_faces(db, teacher_api, open_session, settings):
    settings.CHECKIN_MAX_FACES = 3
    every = faces.find_faces(faces.load_image(crowd_jpeg(8)))
    assert len(every) == 8
    response = teacher_api.post(f"/api/sessions/{open_session.pk}/checkin/", {"image": frame(8)})
    assert response.status_code == 200
    kept = [face["box"]["right"] - face["box"]["left"] for face in response.json()["faces"]]
    assert len(kept) == 3
    left_out = sorted(face.box.width for face in every)[:-3]
    assert min(kept) >= max(left_out)


def test_the_rate_limit_counts_faces_not_requests(db, open_session, settings):
    settings.CHECKIN_MAX_FACES = 3
    settings.CHECKIN_RATE_PER_CREDENTIAL = "6/min"
    kiosk = APIClient()
    kiosk.credentials(HTTP_AUTHORIZATION=f"Kiosk {open_session.kiosk_token}")
    url = f"/api/sessions/{open_session.pk}/checkin/"
    codes = [kiosk.post(url, {"image": frame(8)}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]  # 3 + 3 faces use up 6 a minute
