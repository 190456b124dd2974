"""Headless Chromium whose camera shows a photo, against the live test server.

Chromium reads its fake camera from a file fixed at launch, so a test launches one browser
(a persistent context with a fresh profile) per camera image. The camera file is a .y4m
written here from a sample photo with Pillow: nothing is committed or downloaded. A test
that shows many faces launches one browser without a camera file and adds FAKE_CAMERA, a
stand-in whose pictures it changes at will (fake_camera.js, `show_camera`).
"""

import os
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connections
from PIL import Image, ImageOps

from tests.conftest import PASSWORD, PROJECT_ROOT

SCREENSHOTS = PROJECT_ROOT / "artifacts" / "screenshots"
FAKE_CAMERA = Path(__file__).with_name("fake_camera.js")
CAMERA_SIZE = (1280, 720)  # larger than the kiosk's 640 px snapshots, as real webcams are
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
]


def chromium_path() -> Path:
    return Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))


def write_y4m(photo: Path, target: Path, size=CAMERA_SIZE) -> Path:
    """One 4:2:0 frame (Chromium loops it) of the photo, fitted into the frame."""
    frame = ImageOps.pad(Image.open(photo).convert("RGB"), size, color=(40, 40, 40))
    luma, blue, red = frame.convert("YCbCr").split()
    half = (size[0] // 2, size[1] // 2)
    planes = luma.tobytes() + blue.resize(half).tobytes() + red.resize(half).tobytes()
    header = f"YUV4MPEG2 W{size[0]} H{size[1]} F15:1 Ip A1:1 C420jpeg XCOLORRANGE=FULL\n"
    target.write_bytes(header.encode() + b"FRAME\n" + planes)
    return target


def wait_for_server_requests(live_server, timeout: float = 10) -> None:
    """Let check-ins still running on the server finish before the database is flushed.

    The live server's request threads are tracked by socketserver in `_threads` (a list, or
    an empty stand-in that cannot be iterated before the first request).
    """
    threads = getattr(live_server.thread.httpd, "_threads", None)
    for thread in list(threads) if isinstance(threads, list) else []:
        thread.join(timeout)


@pytest.fixture
def launch_chromium(tmp_path, monkeypatch, live_server):
    """`with launch_chromium(camera=photo) as context:` a browser whose webcam shows the photo
    (no camera: Chromium's own test pattern, or FAKE_CAMERA once added as an init script)."""
    executable = chromium_path()
    if not executable.exists():
        pytest.skip(f"no Chromium at {executable} (set CHROMIUM_PATH)")
    from playwright.sync_api import sync_playwright

    # The test thread queries the database while Playwright's event loop is running.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    @contextmanager
    def launch(camera: Path | None = None):
        args, profile = list(CHROMIUM_FLAGS), "profile-no-camera"
        if camera is not None:
            video = (
                camera
                if camera.suffix == ".y4m"
                else write_y4m(camera, tmp_path / f"{camera.stem}.y4m")
            )
            args.append(f"--use-file-for-fake-video-capture={video}")
            profile = f"profile-{camera.stem}"
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                user_data_dir=tmp_path / profile,
                executable_path=str(executable),
                headless=True,
                args=args,
                viewport={"width": 1280, "height": 860},
                accept_downloads=True,
            )
            context.set_default_timeout(10_000)
            try:
                yield context
            finally:
                for page in context.pages:
                    page.goto("about:blank")  # stops the kiosk's loop
                context.close()
                wait_for_server_requests(live_server)
                # Queries made while Playwright runs use their own connection: close it too.
                connections.close_all()

    return launch


def show_camera(page, frames, *, motion: str = "", frame_ms: int = 33) -> None:
    """What FAKE_CAMERA shows from now on: pictures (data: URLs) played in turn, moving a
    little ("turn", "shift") or not ("")."""
    page.evaluate(
        "([frames, options]) => window.fakeCamera.show(frames, options)",
        [list(frames), {"motion": motion, "frameMs": frame_ms}],
    )


class TeacherActions:
    """What the teacher does, counted by kind: clicks, typed fields, files chosen, links
    opened on another device. `actions("click")`, `actions("typed field", 2)`."""

    def __init__(self):
        self.counts: dict[str, int] = {}

    def __call__(self, what: str, count: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + count

    def total(self) -> int:
        return sum(self.counts.values())

    def __str__(self) -> str:
        return f"{self.total()} ({', '.join(f'{k}: {v}' for k, v in self.counts.items())})"


@pytest.fixture
def teacher_actions() -> TeacherActions:
    return TeacherActions()


@pytest.fixture
def screenshot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def save(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=path, full_page=True)
        return path

    return save


def log_in(page, base_url: str, username: str = "teacher") -> None:
    page.goto(f"{base_url}/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Your courses").wait_for()


AXE_SCRIPT = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")


@pytest.fixture(scope="session")
def axe_script() -> Path:
    """axe-core from npm (pinned in package.json/package-lock.json), installed into the
    git-ignored node_modules/ on first use; never committed."""
    if not AXE_SCRIPT.exists():
        import subprocess

        result = subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0 or not AXE_SCRIPT.exists():
            pytest.fail(f"could not install axe-core with npm: {result.stderr[-500:]}")
    return AXE_SCRIPT


def axe_violations(page) -> list[str]:
    """Serious and critical axe-core violations of the page as it is now, one line each."""
    results = page.evaluate("async () => await axe.run(document)")
    return [
        f"{page.url} [{violation['impact']}] {violation['id']}: {violation['help']} "
        f"({len(violation['nodes'])}×, e.g. {violation['nodes'][0]['target']})"
        for violation in results["violations"]
        if violation["impact"] in SERIOUS
    ]


OVERFLOWING = """() => [...document.querySelectorAll("body *")]
    .filter((el) => el.getBoundingClientRect().right > innerWidth + 1)
    .slice(0, 8)
    .map((el) => `${el.tagName.toLowerCase()}.${el.className}`
        + ` right=${Math.round(el.getBoundingClientRect().right)}`)"""


def sideways_scroll(page) -> str:
    """What makes the page wider than the viewport: its widths and the elements sticking out."""
    widths = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    return f"{page.url} scrolls sideways {widths}: {page.evaluate(OVERFLOWING)}"


def assert_no_sideways_scroll(page) -> None:
    """The page fits the viewport's width; on failure, name the elements that stick out."""
    if page.evaluate("document.documentElement.scrollWidth > innerWidth"):
        raise AssertionError(sideways_scroll(page))


WIDTHS = {"desktop": (1280, 860), "phone": (390, 844)}


def audit_widths(page, screenshot, name: str, selectors: list[str]) -> list[str]:
    """At 1280 and 390 px: a screenshot `name-desktop`/`name-phone`, every element of the
    selectors inside the viewport's width, no sideways scroll; returns axe-core's serious
    and critical findings. The viewport is 1280 px wide again afterwards."""
    found = []
    for label, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(100)
        screenshot(page, f"{name}-{label}")
        for selector in selectors:
            for box in [element.bounding_box() for element in page.locator(selector).all()]:
                inside = box and box["x"] >= 0 and box["x"] + box["width"] <= width + 1
                assert inside, (name, label, selector, box)
        assert_no_sideways_scroll(page)
        found += axe_violations(page)
    page.set_viewport_size({"width": 1280, "height": 860})
    return found
