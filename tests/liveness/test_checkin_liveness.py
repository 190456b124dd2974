"""Check-in with the course's liveness check on, across real requests with the kiosk
credential: the clip's head turn passes; photos of the same face never mark anyone."""

from datetime import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from attendance import liveness
from attendance.models import AttendanceRecord
from bench.liveness_material import in_phone, photo_view
from tests.liveness.conftest import TURN_FRAMES_S, jpeg

pytestmark = pytest.mark.django_db


def kiosk_client(session) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Kiosk {session.kiosk_token}")
    return client


def send(client, session, frame) -> dict:
    image = SimpleUploadedFile("snapshot.jpg", jpeg(frame), content_type="image/jpeg")
    response = client.post(
        f"/api/sessions/{session.pk}/checkin/", {"image": image}, format="multipart"
    )
    assert response.status_code == 200, response.content
    faces = response.json()["faces"]
    assert len(faces) == 1, faces
    return faces[0]


@pytest.fixture
def asked(monkeypatch):
    """The server's random direction, fixed by the test: `asked.turn = "left"`."""

    class Asked:
        turn = "right"

    monkeypatch.setattr(liveness, "random_turn", lambda turns: Asked.turn)
    return Asked


@pytest.mark.parametrize("turn", ["right", "left"])
def test_a_student_who_turns_as_asked_is_marked_at_the_challenge_start(
    performer_course, clip, asked, turn
):
    """The clip turns to his right; its mirror image is the same turn to his left."""
    course, person, session = performer_course
    asked.turn = turn
    kiosk = kiosk_client(session)
    answers = [send(kiosk, session, clip.at(s, mirrored=turn == "left")) for s in TURN_FRAMES_S]

    first = answers[0]
    assert first["outcome"] == "challenge"
    assert first["person"]["full_name"] == "Lin-Manuel Miranda"
    assert first["challenge"]["turn"] == turn and first["challenge"]["expires_in"] == 10.0
    assert (first["status"], first["checked_in_at"], first["liveness"]) == (None, None, None)
    marked = [answer for answer in answers if answer["outcome"] == "present"]
    assert len(marked) == 1, [a["outcome"] for a in answers]
    assert marked[0]["liveness"] == "passed"
    pending = answers[: answers.index(marked[0])]
    assert all(answer["outcome"] == "challenge" for answer in pending)
    assert answers[-1]["outcome"] in ("present", "already_checked_in")
    record = AttendanceRecord.objects.get(session=session, person=person)
    assert (record.status, record.method, record.liveness) == ("present", "face", "passed")
    assert record.recorded_at == datetime.fromisoformat(marked[0]["checked_in_at"])


def test_the_wrong_way_never_marks_and_asks_again(performer_course, clip, asked):
    course, person, session = performer_course
    asked.turn = "left"  # but he turns to his right
    kiosk = kiosk_client(session)
    answers = [send(kiosk, session, clip.at(s)) for s in TURN_FRAMES_S]
    assert all(answer["outcome"] == "challenge" for answer in answers)
    assert not AttendanceRecord.objects.exists()


def test_a_still_photo_held_up_never_checks_in(performer_course, frontal, asked):
    course, person, session = performer_course
    kiosk = kiosk_client(session)
    for turn in ("left", "right"):
        asked.turn = turn
        for _ in range(6):
            answer = send(kiosk, session, frontal)
            assert answer["outcome"] == "challenge" and answer["challenge"]["turn"] in (
                "left",
                "right",
            )
    assert not AttendanceRecord.objects.exists()


@pytest.mark.parametrize("angle", [-40, -25, 25, 40])
def test_a_photo_or_phone_turned_about_its_vertical_axis_never_checks_in(
    performer_course, frontal, asked, angle
):
    course, person, session = performer_course
    kiosk = kiosk_client(session)
    for turn in ("left", "right"):
        asked.turn = turn
        for picture in (frontal, in_phone(frontal)):
            for step in range(5):
                view = photo_view(
                    picture, yaw=angle * step / 4, pitch=5 * step, scale=1 + step / 20
                )
                assert send(kiosk, session, view)["outcome"] == "challenge"
    assert not AttendanceRecord.objects.exists()


def test_with_liveness_off_a_recognised_face_is_marked_at_once(performer_course, frontal):
    course, person, session = performer_course
    course.liveness = "off"
    course.save()
    answer = send(kiosk_client(session), session, frontal)
    assert (answer["outcome"], answer["liveness"], answer["challenge"]) == ("present", "", None)
    assert AttendanceRecord.objects.get(session=session).liveness == ""


def test_a_student_already_marked_is_not_challenged(performer_course, frontal, teacher):
    course, person, session = performer_course
    from attendance import services

    services.set_status(session=session, person=person, status="present", changed_by=teacher)
    answer = send(kiosk_client(session), session, frontal)
    assert answer["outcome"] == "already_checked_in" and answer["challenge"] is None


def test_a_challenge_started_on_one_kiosk_link_does_not_carry_over_to_another(
    performer_course, clip, asked
):
    """Rotating the kiosk link gives a new credential: its frames start a new challenge."""
    from attendance import services

    course, person, session = performer_course
    first = kiosk_client(session)
    for seconds in TURN_FRAMES_S[:2]:
        assert send(first, session, clip.at(seconds))["outcome"] == "challenge"
    services.rotate_kiosk_token(session=session)
    second = kiosk_client(session)
    answer = send(second, session, clip.at(TURN_FRAMES_S[-1]))
    assert answer["outcome"] == "challenge" and answer["challenge"]["expires_in"] == 10.0
