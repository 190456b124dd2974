import pytest

from tests.api.conftest import open_session_of
from tests.api.test_kiosk_credential import kiosk_client
from tests.factories import CourseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_counters():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def post_empty_frames(client, session, count):
    return [
        client.post(f"/api/sessions/{session.pk}/checkin/", {}, format="multipart").status_code
        for _ in range(count)
    ]


def test_check_in_is_rate_limited_per_kiosk_credential(settings):
    settings.CHECKIN_RATE_PER_CREDENTIAL = "3/min"
    session = open_session_of(CourseFactory())
    codes = post_empty_frames(kiosk_client(session), session, 5)
    assert codes == [400, 400, 400, 429, 429]
    other = open_session_of(CourseFactory())
    assert post_empty_frames(kiosk_client(other), other, 1) == [400]


def test_check_in_is_rate_limited_per_client_address(settings):
    settings.CHECKIN_RATE_PER_ADDRESS = "4/min"
    sessions = [open_session_of(CourseFactory()) for _ in range(3)]
    codes = [code for s in sessions for code in post_empty_frames(kiosk_client(s), s, 2)]
    assert codes == [400, 400, 400, 400, 429, 429]


def test_a_limited_kiosk_is_told_when_to_retry(settings):
    settings.CHECKIN_RATE_PER_CREDENTIAL = "1/min"
    session = open_session_of(CourseFactory())
    client = kiosk_client(session)
    post_empty_frames(client, session, 1)
    response = client.post(f"/api/sessions/{session.pk}/checkin/", {}, format="multipart")
    assert response.status_code == 429
    assert "Retry-After" in response.headers


def test_requests_refused_for_one_kiosk_do_not_use_up_the_shared_address_limit(settings):
    settings.CHECKIN_RATE_PER_CREDENTIAL = "3/min"
    settings.CHECKIN_RATE_PER_ADDRESS = "6/min"
    flooding = open_session_of(CourseFactory())
    assert post_empty_frames(kiosk_client(flooding), flooding, 20) == [400] * 3 + [429] * 17
    real = open_session_of(CourseFactory())
    assert post_empty_frames(kiosk_client(real), real, 4) == [400, 400, 400, 429]


def test_a_request_refused_by_the_address_limit_does_not_count_for_its_kiosk(settings):
    settings.CHECKIN_RATE_PER_CREDENTIAL = "3/min"
    settings.CHECKIN_RATE_PER_ADDRESS = "2/min"
    first, second = (open_session_of(CourseFactory()) for _ in range(2))
    assert post_empty_frames(kiosk_client(first), first, 2) == [400, 400]
    assert post_empty_frames(kiosk_client(second), second, 3) == [429, 429, 429]
    settings.CHECKIN_RATE_PER_ADDRESS = ""
    assert post_empty_frames(kiosk_client(second), second, 4) == [400, 400, 400, 429]


def test_the_default_address_limit_holds_ten_kiosks_at_their_own_limit():
    from rest_framework.throttling import SimpleRateThrottle

    from attendance_site import settings as defaults

    def per_second(rate):
        count, seconds = SimpleRateThrottle.parse_rate(None, rate)
        return count / seconds

    address = per_second(defaults.CHECKIN_RATE_PER_ADDRESS)
    assert address >= 10 * per_second(defaults.CHECKIN_RATE_PER_CREDENTIAL)
