"""The app in each shipped language, in a real browser: the kiosk greets and asks for the
head turn in its course's language (the server's own messages too), a student can switch it,
and the course page in Spanish and Arabic (right to left) fits a desktop and a phone with no
serious accessibility problem."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from attendance import services
from attendance.models import AttendanceSession
from people.languages import set_teacher_language
from tests.browser.conftest import assert_no_sideways_scroll, axe_violations, log_in
from tests.browser.test_kiosk_layout import face
from tests.factories import CourseFactory, PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What a student reads, written out here so that the test checks the shipped catalogs.
KIOSK = {
    "en": (
        "Look at the camera to check in.",
        "Turn your head to your left, then to your right",
        "Ada Lovelace – present, 08:03 CET",
    ),
    "es": (
        "Mira a la cámara para registrar tu asistencia.",
        "Gira la cabeza hacia tu izquierda y luego hacia tu derecha",
        "Ada Lovelace – presente, 08:03 CET",
    ),
    "fr": (
        "Regarde la caméra pour signaler ta présence.",
        "Tourne la tête vers ta gauche, puis vers ta droite",
        "Ada Lovelace – présent, 08:03 CET",
    ),
    "de": (
        "Schau in die Kamera, um dich anzumelden.",
        "Dreh den Kopf nach links, dann nach rechts",
        "Ada Lovelace – anwesend, 08:03 CET",
    ),
    "ar": (
        "انظر إلى الكاميرا لتسجيل حضورك.",
        "أدِر رأسك إلى يسارك، ثم إلى يمينك",
        "Ada Lovelace – حاضر، 08:03 CET",
    ),
}


@pytest.fixture
def course(teacher):
    students = [PersonFactory(full_name=name) for name in ("Ada Lovelace", "Alan Turing")]
    return CourseFactory(name="Ciencias 3B", teachers=[teacher], roster=students)


@pytest.fixture
def open_session(course) -> AttendanceSession:
    now = timezone.now()
    return AttendanceSession.objects.create(
        course=course, starts_at=now, ends_at=now + timedelta(hours=1), opened_at=now
    )


def test_the_kiosk_greets_and_asks_for_the_head_turn_in_each_shipped_language(
    launch_chromium, live_server, open_session, shared_faces, screenshot, axe_script
):
    """The server's answers are played from a script (a challenge, then a check-in); the
    words come from each language's JavaScript catalog."""
    script = {"faces": [face("challenge")]}
    kiosk_url = live_server.url + reverse("dashboard:kiosk", args=[open_session.kiosk_token])
    course = open_session.course
    with launch_chromium(camera=shared_faces / "probe" / "obama-720p.jpg") as browser:
        browser.add_init_script(path=str(axe_script))
        kiosk = browser.new_page()
        kiosk.set_viewport_size({"width": 390, "height": 844})
        kiosk.route(
            "**/checkin/",
            lambda route: route.fulfill(json={"session": course.pk, "faces": script["faces"]}),
        )
        for code, (idle, turn, greeting) in KIOSK.items():
            course.language = code
            course.save(update_fields=["language"])
            script["faces"] = []
            kiosk.goto(kiosk_url)
            assert kiosk.evaluate("[document.documentElement.lang, document.dir]") == [
                code,
                "rtl" if code == "ar" else "ltr",
            ]
            welcome = kiosk.locator("#kiosk-welcome")
            expect(welcome).to_have_text(idle)
            script["faces"] = [face("challenge")]
            expect(welcome).to_have_text(turn, timeout=20_000)
            screenshot(kiosk, f"kiosk-{code}-challenge-390")
            script["faces"] = [face("present", status="present")]
            expect(welcome).to_have_text(greeting)
            assert_no_sideways_scroll(kiosk)
            screenshot(kiosk, f"kiosk-{code}-greeting-390")
        assert axe_violations(kiosk) == []

        # The server's own message follows the kiosk's language too (Accept-Language).
        course.language = "es"
        course.save(update_fields=["language"])
        kiosk.unroute("**/checkin/")
        services.close_session(session=open_session)
        kiosk.goto(kiosk_url)
        expect(kiosk.locator("#kiosk-message")).to_have_text(
            "Esta sesión está cerrada: el registro de asistencia ha terminado.", timeout=20_000
        )


def test_a_student_switches_the_kiosk_language(
    launch_chromium, live_server, open_session, shared_faces
):
    kiosk_url = live_server.url + reverse("dashboard:kiosk", args=[open_session.kiosk_token])
    with launch_chromium(camera=shared_faces / "probe" / "obama-720p.jpg") as browser:
        kiosk = browser.new_page()
        kiosk.route("**/checkin/", lambda route: route.fulfill(json={"faces": []}))
        kiosk.goto(kiosk_url)
        expect(kiosk.locator("#kiosk-welcome")).to_have_text(KIOSK["en"][0])
        kiosk.get_by_role("link", name="Deutsch").click()
        expect(kiosk.locator("#kiosk-welcome")).to_have_text(KIOSK["de"][0])
        expect(kiosk.get_by_role("link", name="Deutsch")).to_have_attribute("aria-current", "true")


RTL_GEOMETRY = """() => {
    const box = (selector) => document.querySelector(selector).getBoundingClientRect();
    const cells = [...document.querySelectorAll(".roster thead th")].map(
        (th) => th.getBoundingClientRect());
    return {brand: box(".brand"), nav: box(".site-nav"), h1: box("h1"),
            firstColumn: cells[0] || null, secondColumn: cells[1] || null, width: innerWidth};
}"""


@pytest.mark.parametrize("code, heading", [("es", "Estudiantes"), ("ar", "الطلاب")])
def test_the_course_page_in_spanish_and_arabic_fits_desktop_and_phone(
    launch_chromium, live_server, teacher, course, open_session, shared_faces, screenshot, code,
    heading, axe_script
):  # fmt: skip
    with launch_chromium(camera=shared_faces / "probe" / "obama-720p.jpg") as browser:
        browser.add_init_script(path=str(axe_script))
        page = browser.new_page()
        log_in(page, live_server.url)
        set_teacher_language(user=teacher, code=code)
        page.goto(live_server.url + reverse("dashboard:course", args=[course.pk]))
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
        assert page.evaluate("[document.documentElement.lang, document.dir]") == [
            code,
            "rtl" if code == "ar" else "ltr",
        ]
        for width, height in ((1280, 860), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_timeout(100)
            assert_no_sideways_scroll(page)
            screenshot(page, f"course-{code}-{width}")
            where = page.evaluate(RTL_GEOMETRY)
            if code == "ar":  # the page reads from the right: brand, title, first column
                assert where["brand"]["right"] > where["width"] * 0.75, where
                assert where["h1"]["right"] > where["width"] * 0.75, where
                if width == 1280:
                    assert where["brand"]["left"] > where["nav"]["left"], where
                    assert where["firstColumn"]["left"] > where["secondColumn"]["left"], where
            else:
                assert where["brand"]["left"] < where["width"] * 0.25, where
            assert axe_violations(page) == [], width
