"""Bounded memory per request: a 7000x7000 16-bit PNG or RGBA PNG of a few hundred KB, sent
to check-in or enrollment, raises a process's peak resident memory by less than 300 MB; a
check-in frame (however large, however small the faces it asks for) and a picture of an
absurd shape by less than 100 MB. Each request runs in a fresh process
(tests/reliability/memory_probe.py) that reports how far its peak rose above its resident
memory just before the request, and the CPU seconds it took (printed, not asserted)."""

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import PROJECT_ROOT
from tests.reliability.big_pngs import write_big_png, write_strip_png

LIMIT = 300 * 1024 * 1024
SMALL_LIMIT = 100 * 1024 * 1024


@pytest.fixture(scope="module")
def big_png(tmp_path_factory):
    folder = tmp_path_factory.mktemp("big")
    return {kind: write_big_png(folder / f"{kind}.png", kind) for kind in ("gray16", "rgba")}


def probe(target: str, path, *fields: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    result = subprocess.run(
        [sys.executable, "-m", "tests.reliability.memory_probe", target, str(path), *fields],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    measured = json.loads(result.stdout.strip().splitlines()[-1])
    rise, cpu = measured["rise"] / 2**20, measured["cpu"]
    print(f"{target} {path.name} {fields}: +{rise:.0f} MB, {cpu:.2f} CPU-s")
    return measured


@pytest.mark.parametrize("kind", ["gray16", "rgba"])
def test_a_huge_frame_is_refused_at_check_in_within_the_memory_bound(big_png, kind):
    measured = probe("checkin", big_png[kind])
    assert measured["status"] == 400  # over CHECKIN_MAX_IMAGE_PIXELS, from the header
    assert measured["rise"] < LIMIT, f"peak RSS rose {measured['rise'] / 2**20:.0f} MB"


@pytest.mark.parametrize("kind", ["gray16", "rgba"])
def test_a_huge_enrollment_photo_is_encoded_within_the_memory_bound(big_png, kind):
    measured = probe("enroll", big_png[kind])
    assert measured["status"] == 202
    assert measured["photo"] in ("ready", "rejected")
    assert measured["rise"] < LIMIT, f"peak RSS rose {measured['rise'] / 2**20:.0f} MB"


@pytest.fixture(scope="module")
def flat_frame(tmp_path_factory):
    """A flat 2000x2000 JPEG of ~60 KB: 4 megapixels with nothing to find."""
    from PIL import Image

    path = tmp_path_factory.mktemp("flat") / "flat.jpg"
    Image.new("RGB", (2000, 2000), (128, 128, 128)).save(path, quality=90)
    return path


def test_a_big_frame_asking_for_tiny_faces_is_searched_within_the_memory_bound(flat_frame):
    measured = probe("checkin", flat_frame, "min_face_px=20")
    assert measured["status"] == 200  # searched, for faces as small as the budget allows
    assert measured["rise"] < SMALL_LIMIT, f"peak RSS rose {measured['rise'] / 2**20:.0f} MB"


@pytest.mark.parametrize(
    ("target", "width", "height"),
    [("enroll", 45_000_000, 1), ("checkin", 1, 4_000_000)],
    ids=["enroll-1x45M", "checkin-1x4M"],
)
def test_a_picture_of_an_absurd_shape_is_refused_from_its_header(tmp_path, target, width, height):
    measured = probe(target, write_strip_png(tmp_path / "strip.png", width, height))
    assert measured["status"] == 400
    assert measured["rise"] < SMALL_LIMIT, f"peak RSS rose {measured['rise'] / 2**20:.0f} MB"


@pytest.fixture(scope="module")
def junk_archive(tmp_path_factory):
    """One photo and 100,000 empty __MACOSX entries: ~11 MB whose central directory alone
    would cost Python's zipfile seconds of CPU and ~100 MB to read."""
    import zipfile

    from tests.reliability.odd_files import jpeg

    path = tmp_path_factory.mktemp("zip") / "junk.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("S1.jpg", jpeg())
        for n in range(100_000):
            archive.writestr(f"__MACOSX/{n}", b"")
    return path


def test_an_archive_of_junk_entries_is_refused_before_its_directory_is_read(junk_archive):
    measured = probe("import", junk_archive)
    assert measured["status"] == 400
    assert "too many entries (100001" in measured["answer"]
    # the request's own body (the test client copies the 11 MB upload) is most of the rise
    assert measured["rise"] < 50 * 1024 * 1024, f"peak RSS rose {measured['rise'] / 2**20:.0f} MB"


@pytest.fixture(scope="module")
def tiled_class_photo(tmp_path_factory):
    """A 1600x1600 class photo tiled with 400 faces of 80 px."""
    from PIL import Image

    from tests.reliability.crowd import _face_tile

    tile = _face_tile().resize((80, 80))
    canvas = Image.new("RGB", (1600, 1600), (200, 200, 200))
    for y in range(0, 1600, 80):
        for x in range(0, 1600, 80):
            canvas.paste(tile, (x, y))
    path = tmp_path_factory.mktemp("tiles") / "tiles.jpg"
    canvas.save(path, quality=90)
    return path


def test_a_class_photo_of_hundreds_of_faces_is_identified_within_the_memory_bound(
    tiled_class_photo,
):
    measured = probe("classphoto", tiled_class_photo)
    assert measured["status"] == 202
    assert measured["photo"] == "done: 100 faces"  # CLASS_PHOTO_MAX_FACES, the largest
    assert measured["rise"] < 250 * 1024 * 1024, f"peak RSS rose {measured['rise'] / 2**20:.0f} MB"
