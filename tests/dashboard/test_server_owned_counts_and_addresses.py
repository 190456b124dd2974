"""The server owns what the live page shows and where the scripts send requests: the poll
brings the counters computed and rendered by the server, and no template or script holds an
/api/ address of its own (they are reversed on the server and handed over in data- attributes
or in the API's answers)."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from attendance.models import AttendanceRecord, ClassPhoto

pytestmark = pytest.mark.django_db
PROJECT = Path(__file__).resolve().parents[2]


def test_the_poll_brings_the_counters_computed_and_rendered_by_the_server(
    teacher_client, session, ada
):
    AttendanceRecord.objects.create(session=session, person=ada, status="late", method="face")
    status = teacher_client.get(reverse("dashboard:session-status", args=[session.pk])).json()
    assert status["counts"] == {
        "total": 2,
        "in": 1,
        "late": 1,
        "absent": 0,
        "excused": 0,
        "missing": 1,
    }
    page = teacher_client.get(reverse("dashboard:session", args=[session.pk])).content.decode()
    shown = re.search(r'<p id="live-counts"[^>]*>(.*?)</p>', page, re.S).group(1)
    assert status["counts_html"] == shown.strip()


def test_the_live_page_script_counts_nothing_itself():
    script = (PROJECT / "static" / "js" / "session_live.js").read_text()
    assert "counts_html" in script
    assert not re.search(r'"(present|late|absent|excused)"', script)  # no status tallies


def test_no_template_or_script_writes_an_api_address():
    sources = [*PROJECT.glob("templates/**/*.html"), *PROJECT.glob("static/js/**/*.js")]
    assert sources
    hard_coded = [str(p.relative_to(PROJECT)) for p in sources if "/api/" in p.read_text()]
    assert hard_coded == []


def test_the_session_page_hands_the_class_photo_address_to_its_script(teacher_client, session):
    page = teacher_client.get(reverse("dashboard:session", args=[session.pk])).content.decode()
    assert f'data-url="{reverse("session-class-photos", args=[session.pk])}"' in page


def test_each_class_photo_answer_carries_its_own_addresses(teacher_client, session):
    photo = ClassPhoto.objects.create(session=session, status=ClassPhoto.Status.DONE)
    url = reverse("session-class-photo", args=[session.pk, photo.pk])
    answer = teacher_client.get(url).json()
    assert answer["url"] == url
    assert answer["assign_url"] == reverse(
        "session-assign-class-photo-face", args=[session.pk, photo.pk]
    )
