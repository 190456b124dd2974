"""The kiosk page: opened by its link alone, refused for a wrong or replaced link."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_kiosk_opens_without_logging_in_and_carries_its_credential(client, session):
    response = client.get(reverse("dashboard:kiosk", args=[session.kiosk_token]))
    page = response.content.decode()
    assert response.status_code == 200
    assert f'data-checkin-url="/api/sessions/{session.pk}/checkin/"' in page
    assert f'data-token="{session.kiosk_token}"' in page
    assert "js/kiosk.js" in page
    assert "no-cache" in response["Cache-Control"]


def test_a_wrong_kiosk_link_says_it_is_not_valid(client, session):
    response = client.get(reverse("dashboard:kiosk", args=["not-the-token"]))
    assert response.status_code == 404
    assert "kiosk link is not valid" in response.content.decode()
    assert session.course.name not in response.content.decode()
