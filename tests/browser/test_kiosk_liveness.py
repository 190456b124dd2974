"""The kiosk with the course's liveness check on, in headless Chromium: a still photo as the
camera gets the head-turn challenge and never a greeting; the clip's real head turns, as
sent and mirrored, pass in the order the clip turns (the tests fix the server's order)."""

import pytest
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect

from attendance import liveness
from attendance.models import AttendanceRecord
from tests.liveness import conftest as liveness_fixtures

# The liveness tests' fixtures, shared: the clip, its frontal frame, the performer's course.
clip = liveness_fixtures.clip
frontal = liveness_fixtures.frontal
frontal_photo = liveness_fixtures.frontal_photo
performer_course = liveness_fixtures.performer_course

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def write_clip_y4m(clip, target, start_s: float, end_s: float, *, mirrored=False, fps=15):
    """The clip's frames from start_s to end_s and back again (a head that turns back), as
    a 4:2:0 .y4m that Chromium loops without a jump."""
    forward = [
        clip.at(start_s + k / fps, mirrored=mirrored) for k in range(round((end_s - start_s) * fps))
    ]
    frames = forward + forward[-2:0:-1]
    height, width = frames[0].shape[:2]
    header = f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg XCOLORRANGE=FULL\n"
    with target.open("wb") as out:
        out.write(header.encode())
        for frame in frames:
            luma, blue, red = Image.fromarray(frame).convert("YCbCr").split()
            half = (width // 2, height // 2)
            out.write(b"FRAME\n" + luma.tobytes())
            out.write(blue.resize(half).tobytes() + red.resize(half).tobytes())
    return target


def kiosk_url(live_server, session) -> str:
    return live_server.url + reverse("dashboard:kiosk", args=[session.kiosk_token])


def test_a_still_photo_gets_the_challenge_and_never_a_greeting(
    launch_chromium,
    live_server,
    performer_course,
    frontal_photo,
    monkeypatch,
    screenshot,
):
    course, person, session = performer_course
    monkeypatch.setattr(liveness, "random_order", lambda orders: ("left", "right"))
    with launch_chromium(camera=frontal_photo) as browser:
        kiosk = browser.new_page()
        answers = []
        kiosk.on("response", lambda r: answers.append(r) if "/checkin/" in r.url else None)
        kiosk.goto(kiosk_url(live_server, session))
        welcome = kiosk.locator("#kiosk-welcome")
        asked = "Turn your head to your left, then to your right"
        expect(welcome).to_have_text(asked, timeout=20_000)
        expect(welcome).to_have_attribute("aria-live", "assertive")
        expect(kiosk.locator("#kiosk-arrow")).to_have_text("←")
        expect(kiosk.locator("#kiosk-progress")).to_be_visible()
        screenshot(kiosk, "kiosk-liveness-challenge")
        kiosk.wait_for_timeout(6_000)
        expect(welcome).to_have_text(asked)
        outcomes = [face["outcome"] for r in list(answers) for face in r.json()["faces"]]
    assert len(outcomes) >= 12, outcomes  # frames every 0.15 s (+ the answer) in a challenge
    assert set(outcomes) == {"challenge"}
    assert not AttendanceRecord.objects.exists()


@pytest.mark.parametrize("mirrored", [False, True])
def test_the_clip_of_real_head_turns_passes_and_is_greeted(
    launch_chromium,
    live_server,
    performer_course,
    clip,
    monkeypatch,
    tmp_path,
    screenshot,
    mirrored,
):
    """The clip turns to his left, then to his right (mirrored: right, then left)."""
    course, person, session = performer_course
    order = ("right", "left") if mirrored else ("left", "right")
    monkeypatch.setattr(liveness, "random_order", lambda orders: order)
    video = write_clip_y4m(clip, tmp_path / "turns.y4m", 5.45, 7.7, mirrored=mirrored)
    with launch_chromium(camera=video) as browser:
        kiosk = browser.new_page()
        answers = []
        kiosk.on("response", lambda r: answers.append(r) if "/checkin/" in r.url else None)
        kiosk.goto(kiosk_url(live_server, session))
        welcome = kiosk.locator("#kiosk-welcome")
        expect(welcome).to_contain_text("Lin-Manuel Miranda – present", timeout=60_000)
        expect(kiosk.locator("#kiosk-challenge")).to_be_hidden()
        screenshot(kiosk, f"kiosk-liveness-passed{'-mirrored' if mirrored else ''}")
        faces = [face for r in list(answers) if r.ok for face in r.json()["faces"]]
    record = AttendanceRecord.objects.get(session=session, person=person)
    assert (record.status, record.liveness) == ("present", "passed")
    steps = {face["challenge"]["step"] for face in faces if face["challenge"]}
    assert steps == {0, 1}  # both turns were asked for before the greeting
