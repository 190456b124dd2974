"""Where the check-in kiosk's words are on screen: the head-turn instruction and the greeting
(both lines of a long one) lie inside the viewport at five screen sizes, the camera shrinking
to make room; each state has its own colour and sign; times are in the session's zone; a
challenge that keeps starting over gets a hint."""

from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from attendance import liveness
from attendance.models import AttendanceRecord
from people.time_zones import set_teacher_time_zone
from tests.browser import test_kiosk_messages
from tests.browser.conftest import assert_no_sideways_scroll, axe_violations
from tests.liveness import conftest as liveness_fixtures

clip = liveness_fixtures.clip
frontal = liveness_fixtures.frontal
frontal_photo = liveness_fixtures.frontal_photo
performer_course = liveness_fixtures.performer_course
open_session = test_kiosk_messages.open_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = [(1280, 800), (1366, 768), (1024, 768), (800, 1280), (390, 844)]
LONG_NAME = "Barack Hussein Obama Alexander-Montgomery of Honolulu"
HINT = "Move closer and turn your whole head slowly"

BOXES = """(ids) => ids.map((id) => {
    const box = document.getElementById(id).getBoundingClientRect();
    const line = parseFloat(getComputedStyle(document.getElementById(id)).lineHeight);
    return {id, top: box.top, bottom: box.bottom, left: box.left, right: box.right,
            lines: Math.round(box.height / line), width: innerWidth, height: innerHeight};
})"""

STATE = """() => {
    const welcome = document.getElementById("kiosk-welcome");
    return {kind: welcome.className, color: getComputedStyle(welcome).color,
            sign: getComputedStyle(welcome, "::before").content};
}"""


def kiosk_url(live_server, session) -> str:
    return live_server.url + reverse("dashboard:kiosk", args=[session.kiosk_token])


def next_answer(page) -> None:
    """Wait for one more check-in answer, so the page has laid out at its new size."""
    with page.expect_response(lambda response: "/checkin/" in response.url, timeout=20_000):
        pass
    page.wait_for_timeout(100)


def assert_inside_viewport(page, ids) -> list[dict]:
    boxes = page.evaluate(BOXES, ids)
    for box in boxes:
        assert box["bottom"] > box["top"], box  # shown, not collapsed
        assert box["top"] >= 0 and box["bottom"] <= box["height"], box
        assert box["left"] >= 0 and box["right"] <= box["width"], box
    assert_no_sideways_scroll(page)
    return boxes


def test_the_greeting_both_lines_and_the_time_in_the_session_zone_fit_every_screen(
    launch_chromium, live_server, open_session, teacher, shared_faces, screenshot, axe_script
):
    # The school's zone is the default (UTC); the course's teacher works in Kathmandu.
    set_teacher_time_zone(user=teacher, name="Asia/Kathmandu")
    person = open_session.course.roster.get()
    person.full_name = LONG_NAME
    person.save()
    with launch_chromium(camera=shared_faces / "probe" / "obama-720p.jpg") as browser:
        browser.add_init_script(path=str(axe_script))
        kiosk = browser.new_page()
        kiosk.set_viewport_size({"width": 1280, "height": 800})
        kiosk.goto(kiosk_url(live_server, open_session))
        welcome = kiosk.locator("#kiosk-welcome")
        expect(welcome).to_contain_text(f"{LONG_NAME} – present", timeout=20_000)
        record = AttendanceRecord.objects.get(session=open_session)
        shown = timezone.localtime(record.recorded_at, ZoneInfo("Asia/Kathmandu"))
        expect(welcome).to_contain_text(shown.strftime("present, %H:%M +0545"))
        expect(kiosk.locator(".kiosk__sub")).to_contain_text("+0545")
        assert kiosk.evaluate(STATE)["kind"] == "kiosk__welcome kiosk__welcome--success"
        assert axe_violations(kiosk) == []
        lines = {}
        for width, height in SIZES:
            kiosk.set_viewport_size({"width": width, "height": height})
            next_answer(kiosk)
            expect(welcome).to_contain_text(f"{LONG_NAME} – present")
            (box,) = assert_inside_viewport(kiosk, ["kiosk-welcome"])
            lines[width, height] = box["lines"]
            screenshot(kiosk, f"kiosk-greeting-{width}x{height}")
    assert lines[390, 844] >= 2, lines  # the long greeting's second line is on screen too


def test_the_head_turn_instruction_fits_every_screen(
    launch_chromium,
    live_server,
    performer_course,
    frontal_photo,
    monkeypatch,
    screenshot,
    axe_script,
):
    course, person, session = performer_course
    monkeypatch.setattr(liveness, "random_order", lambda orders: ("left", "right"))
    with launch_chromium(camera=frontal_photo) as browser:
        browser.add_init_script(path=str(axe_script))
        kiosk = browser.new_page()
        kiosk.set_viewport_size({"width": 1280, "height": 800})
        kiosk.goto(kiosk_url(live_server, session))
        welcome = kiosk.locator("#kiosk-welcome")
        asked = "Turn your head to your left, then to your right"
        expect(welcome).to_have_text(asked, timeout=20_000)
        assert kiosk.evaluate(STATE)["kind"] == "kiosk__welcome kiosk__welcome--waiting"
        assert axe_violations(kiosk) == []
        for width, height in SIZES:
            kiosk.set_viewport_size({"width": width, "height": height})
            next_answer(kiosk)
            expect(welcome).to_have_text(asked)
            assert_inside_viewport(kiosk, ["kiosk-welcome", "kiosk-challenge", "kiosk-stage"])
            screenshot(kiosk, f"kiosk-challenge-{width}x{height}")
    assert not AttendanceRecord.objects.exists()


def face(outcome, *, progress=0.0, status=None, person=True):
    challenge = (
        {"turn": "left", "steps": ["left", "right"], "step": 0, "expires_in": 9.0,
         "progress": progress}
        if outcome == "challenge"
        else None
    )  # fmt: skip
    return {
        "box": {"top": 120, "right": 420, "bottom": 360, "left": 220},
        "person": {"id": 1, "full_name": "Ada Lovelace", "external_id": "A1"} if person else None,
        "outcome": outcome,
        "challenge": challenge,
        "liveness": None,
        "status": status,
        "checked_in_at": "2026-12-04T07:03:00Z" if status else None,
        "checked_in_at_display": "08:03 CET" if status else None,
        "distance": None,
    }


def test_each_state_has_its_colour_and_sign_and_a_challenge_that_keeps_restarting_gets_a_hint(
    launch_chromium, live_server, open_session, shared_faces, screenshot
):
    """The server's answers are played from a script: three restarts of a challenge, then a
    check-in, then a stranger."""
    restarting = [face("challenge", progress=p) for p in (0.3, 0.0, 0.4, 0.1, 0.35, 0.0)]
    script = {"answers": restarting}

    def answer(route):
        faces = script["answers"].pop(0) if len(script["answers"]) > 1 else script["answers"][0]
        route.fulfill(json={"session": open_session.pk, "faces": [faces]})

    with launch_chromium(camera=shared_faces / "probe" / "obama-720p.jpg") as browser:
        kiosk = browser.new_page()
        kiosk.set_viewport_size({"width": 1280, "height": 800})
        kiosk.route("**/checkin/", answer)
        kiosk.goto(kiosk_url(live_server, open_session))
        hint = kiosk.locator("#kiosk-hint")
        expect(kiosk.locator("#kiosk-welcome")).to_contain_text("Turn your head", timeout=20_000)
        expect(hint).to_have_text(HINT, timeout=10_000)
        assert_inside_viewport(kiosk, ["kiosk-welcome", "kiosk-challenge", "kiosk-hint"])
        waiting = kiosk.evaluate(STATE)
        screenshot(kiosk, "kiosk-challenge-hint")

        script["answers"] = [face("present", status="present")]
        expect(kiosk.locator("#kiosk-welcome")).to_have_text("Ada Lovelace – present, 08:03 CET")
        expect(hint).to_be_hidden()
        success = kiosk.evaluate(STATE)

        script["answers"] = [face("unknown", person=False)]
        expect(kiosk.locator("#kiosk-welcome")).to_have_text(
            "Not recognised, please look at the camera"
        )
        failure = kiosk.evaluate(STATE)
        screenshot(kiosk, "kiosk-failure")
    states = [waiting, success, failure]
    assert [state["kind"].split("--")[-1] for state in states] == ["waiting", "success", "failure"]
    assert len({state["color"] for state in states}) == 3, states
    assert len({state["sign"] for state in states}) == 3, states  # not colour alone
    assert all(state["sign"] not in ("none", "normal", "") for state in states), states
