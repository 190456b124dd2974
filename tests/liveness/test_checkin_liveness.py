"""Check-in with the course's liveness check on, across real requests with the kiosk
credential: the clip's head turns pass in the asked order; photos of the same face, and
pictures of him swapped in place (a photo and its mirror image, frontal and turned, the clip
with its turn cut out, three poses in the asked order), never mark anyone."""

from datetime import datetime

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from attendance import liveness
from attendance.models import AttendanceRecord
from bench import liveness_material as material
from bench.liveness_material import in_phone, photo_view
from recognition import faces
from tests.liveness.conftest import TURN_FRAMES_S, jpeg

pytestmark = pytest.mark.django_db

LEFT_RIGHT = ("left", "right")
RIGHT_LEFT = ("right", "left")


def kiosk_client(session) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Kiosk {session.kiosk_token}")
    return client


def send(client, session, frame, clock=None) -> dict:
    """One kiosk frame; with `clock`, a kiosk frame interval after the previous one."""
    if clock is not None:
        clock.tick()
    image = SimpleUploadedFile("snapshot.jpg", jpeg(frame), content_type="image/jpeg")
    response = client.post(
        f"/api/sessions/{session.pk}/checkin/", {"image": image}, format="multipart"
    )
    assert response.status_code == 200, response.content
    found = response.json()["faces"]
    assert len(found) == 1, found
    return found[0]


@pytest.fixture
def asked(monkeypatch):
    """The server's random order, fixed by the test: `asked.order = ("left", "right")`."""

    class Asked:
        order = LEFT_RIGHT

    monkeypatch.setattr(liveness, "random_order", lambda orders: Asked.order)
    return Asked


@pytest.mark.parametrize("mirrored", [False, True])
def test_a_student_who_turns_as_asked_is_marked_at_the_challenge_start(
    performer_course, clip, asked, kiosk_clock, mirrored
):
    """The clip turns to his left, then to his right; its mirror image right, then left."""
    course, person, session = performer_course
    asked.order = RIGHT_LEFT if mirrored else LEFT_RIGHT
    kiosk = kiosk_client(session)
    started = kiosk_clock.now
    answers = [
        send(kiosk, session, clip.at(s, mirrored=mirrored), kiosk_clock) for s in TURN_FRAMES_S
    ]

    first = answers[0]
    assert first["outcome"] == "challenge"
    assert first["person"]["full_name"] == "Lin-Manuel Miranda"
    challenge = first["challenge"]
    assert (challenge["steps"], challenge["step"]) == (list(asked.order), 0)
    assert challenge["turn"] == asked.order[0] and challenge["expires_in"] == 10.0
    assert (first["status"], first["checked_in_at"], first["liveness"]) == (None, None, None)
    marked = [answer for answer in answers if answer["outcome"] == "present"]
    assert len(marked) == 1, [a["outcome"] for a in answers]
    assert marked[0]["liveness"] == "passed"
    pending = answers[: answers.index(marked[0])]
    assert all(answer["outcome"] == "challenge" for answer in pending)
    assert [a["challenge"]["step"] for a in pending][-1] == 1  # both turns were asked for
    assert answers[-1]["outcome"] in ("present", "already_checked_in")
    record = AttendanceRecord.objects.get(session=session, person=person)
    assert (record.status, record.method, record.liveness) == ("present", "face", "passed")
    assert record.recorded_at == datetime.fromisoformat(marked[0]["checked_in_at"])
    assert record.recorded_at > started  # the first frame's time, a tick after the start


def test_the_turns_in_the_other_order_never_mark_and_keep_asking(
    performer_course, clip, asked, kiosk_clock
):
    course, person, session = performer_course
    asked.order = RIGHT_LEFT  # but he turns to his left first, then right, and stops
    kiosk = kiosk_client(session)
    answers = [send(kiosk, session, clip.at(s), kiosk_clock) for s in TURN_FRAMES_S]
    assert all(answer["outcome"] == "challenge" for answer in answers)
    assert not AttendanceRecord.objects.exists()


def test_a_still_photo_held_up_never_checks_in(performer_course, frontal, asked, kiosk_clock):
    course, person, session = performer_course
    kiosk = kiosk_client(session)
    for order in (LEFT_RIGHT, RIGHT_LEFT):
        asked.order = order
        for _ in range(6):
            answer = send(kiosk, session, frontal, kiosk_clock)
            assert answer["outcome"] == "challenge"
    assert not AttendanceRecord.objects.exists()


@pytest.mark.parametrize("angle", [-40, -25, 25, 40])
def test_a_photo_or_phone_turned_about_its_vertical_axis_never_checks_in(
    performer_course, frontal, asked, kiosk_clock, angle
):
    course, person, session = performer_course
    kiosk = kiosk_client(session)
    for order in (LEFT_RIGHT, RIGHT_LEFT):
        asked.order = order
        for picture in (frontal, in_phone(frontal)):
            for step in range(5):
                view = photo_view(
                    picture, yaw=angle * step / 4, pitch=5 * step, scale=1 + step / 20
                )
                assert send(kiosk, session, view, kiosk_clock)["outcome"] == "challenge"
    assert not AttendanceRecord.objects.exists()


@pytest.fixture(scope="module")
def swap_pictures(clip) -> dict[str, np.ndarray]:
    """Pictures of the performer, each placed with his face in the same spot and size (a
    cheater holding them in one place): his frontal clip frame, his photo (head turned to
    his left) and clip frames turned either way, each also mirrored."""
    raw = {
        "frontal": clip.at(material.CLIP_FRONTAL_S),
        "photo": faces.load_image(material.PHOTO),
        "clip 6.17 s": clip.at(6.17),
        "clip 7.64 s": clip.at(7.64),
    }
    pictures = {}
    for name, image in raw.items():
        for suffix, view in (("", image), (" mirrored", material.mirrored(image))):
            (face,) = faces.find_faces(view, faces.FaceConfig())
            pictures[name + suffix] = material.placed(view, face.box)
    return pictures


SWAPS = {
    "photo <-> its mirror image": (LEFT_RIGHT, ["photo", "photo mirrored"]),
    "frontal <-> its mirror image": (RIGHT_LEFT, ["frontal", "frontal mirrored"]),
    "frontal <-> clip frame turned": (RIGHT_LEFT, ["frontal", "clip 7.64 s"]),
    "two clip frames, the turn cut out": (LEFT_RIGHT, ["clip 6.17 s", "clip 7.64 s"]),
    "frontal, left, right in the asked order": (
        LEFT_RIGHT,
        ["frontal", "photo", "photo mirrored"],
    ),
    "frontal, right, left in the asked order": (
        RIGHT_LEFT,
        ["frontal", "clip 7.64 s", "clip 7.64 s mirrored"],
    ),
}


@pytest.mark.parametrize("medium", ["paper", "phone"])
@pytest.mark.parametrize("swap", list(SWAPS))
def test_pictures_swapped_in_place_never_check_in(
    performer_course, swap_pictures, asked, kiosk_clock, swap, medium
):
    """Each picture shown for one or two frames, then the next, in the same place; the
    server asks for the order the pictures would answer if a jump counted as a turn."""
    course, person, session = performer_course
    asked.order, names = SWAPS[swap]
    shown = [material.MEDIA[medium](swap_pictures[name]) for name in names]
    kiosk = kiosk_client(session)
    for hold in (1, 2):
        sequence = [picture for picture in shown for _ in range(hold)] * 2
        for picture in sequence:
            answer = send(kiosk, session, picture, kiosk_clock)
            assert answer["person"]["full_name"] == "Lin-Manuel Miranda"
            assert answer["outcome"] == "challenge", answer
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
    performer_course, clip, asked, kiosk_clock
):
    """Rotating the kiosk link gives a new credential: its frames start a new challenge."""
    from attendance import services

    course, person, session = performer_course
    first = kiosk_client(session)
    for seconds in TURN_FRAMES_S[:6]:  # his turn to the left: the first of two turns
        assert send(first, session, clip.at(seconds), kiosk_clock)["outcome"] == "challenge"
    services.rotate_kiosk_token(session=session)
    second = kiosk_client(session)
    answer = send(second, session, clip.at(TURN_FRAMES_S[6]), kiosk_clock)
    assert answer["outcome"] == "challenge" and answer["challenge"]["expires_in"] == 10.0
