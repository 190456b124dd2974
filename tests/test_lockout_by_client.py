"""Login lockout per (username, real client address): behind the proxy,
one client's failures must not lock the teacher out for everyone; without a proxy, a forged
X-Forwarded-For must not let a client escape its lockout."""

import pytest
from django.test import RequestFactory

from accounts.client_address import client_address
from attendance.throttles import CheckInPerAddressThrottle

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"


def login(client, password, *, via_proxy_for=None, forged=None):
    headers = {"REMOTE_ADDR": "127.0.0.1" if via_proxy_for else "198.51.100.20"}
    chain = [address for address in (forged, via_proxy_for) if address]
    if chain:
        headers["HTTP_X_FORWARDED_FOR"] = ", ".join(chain)
    data = {"username": "teacher", "password": password}
    return client.post("/api/auth/token/", data, **headers)


def locked_out(response) -> bool:
    """The right password gets no token: the token endpoint answers 400, as for a wrong one."""
    return response.status_code == 400 and "token" not in response.json()


def test_behind_one_proxy_failures_lock_only_that_client(client, teacher, settings):
    settings.NUM_PROXIES = 1
    attacker = "203.0.113.5"
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        login(client, f"guess-{attempt}", via_proxy_for=attacker, forged=f"10.0.0.{attempt}")
    assert locked_out(login(client, PASSWORD, via_proxy_for=attacker))
    teacher_at_school = login(client, PASSWORD, via_proxy_for="198.51.100.7")
    assert teacher_at_school.status_code == 200, teacher_at_school.content


def test_without_a_proxy_a_forged_forwarded_for_does_not_escape_the_lockout(
    client, teacher, settings
):
    settings.NUM_PROXIES = 0
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        login(client, f"guess-{attempt}", forged=f"10.0.0.{attempt}")
    assert locked_out(login(client, PASSWORD, forged="10.9.9.9"))


@pytest.mark.parametrize("proxies", [0, 1])
def test_check_in_limits_and_lockout_use_the_same_client_address(settings, proxies):
    settings.NUM_PROXIES = proxies
    request = RequestFactory().get(
        "/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.1.1.1, 203.0.113.5"
    )
    expected = "203.0.113.5" if proxies else "127.0.0.1"
    assert client_address(request) == expected
    assert CheckInPerAddressThrottle().get_ident(request) == expected
    from axes.helpers import get_client_ip_address

    assert get_client_ip_address(request) == expected
