"""CPU seconds and peak-RSS rise of the costly requests of the hardening pass, each sent in a
fresh process by tests/reliability/memory_probe.py (real dlib, SQLite, tasks in-process).

    python -m tests.reliability.measure_costs [ROW ...]

Prints a Markdown table (the one in docs/limits.md). Rows, as first reproduced:
1 a flat 2000x2000 JPEG check-in asking for 20 px faces; 3 a 4000x4000 class photo tiled
with 2,500 faces of 80 px; 4 a ZIP of 300,000 junk entries; 5 a ZIP of 20 real JPEGs each
padded with a 15 MB trailer; 10 a 1x45,000,000 PNG enrollment, a 1x16,000,000 class photo
and a 1x4,000,000 PNG check-in (refused from the header), then 7000x7000 PNGs (16-bit grey,
RGBA) enrolled: decoded and converted to 8-bit RGB in bands of rows.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from PIL import Image

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SHARED_FACES = (PROJECT_ROOT / ".." / "shared" / "faces").resolve()


def write_strip_png(path: Path, width: int, height: int) -> Path:
    from tests.reliability.big_pngs import write_strip_png

    return write_strip_png(path, width, height)


def write_big_png(path: Path, kind: str) -> Path:
    from tests.reliability.big_pngs import write_big_png

    return write_big_png(path, kind)


def flat_frame(folder: Path) -> Path:
    path = folder / "flat.jpg"
    Image.new("RGB", (2000, 2000), (128, 128, 128)).save(path, quality=90)
    return path


def tiled_class_photo(folder: Path) -> Path:
    from tests.reliability.crowd import _face_tile

    tile = _face_tile().resize((80, 80))
    canvas = Image.new("RGB", (4000, 4000), (200, 200, 200))
    for y in range(0, 4000, 80):
        for x in range(0, 4000, 80):
            canvas.paste(tile, (x, y))
    path = folder / "tiles.jpg"
    canvas.save(path, quality=90)
    return path


def junk_archive(folder: Path) -> Path:
    path = folder / "junk.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("S1.jpg", (SHARED_FACES / "enroll" / "biden" / "biden.jpg").read_bytes())
        for n in range(300_000):
            archive.writestr(f"__MACOSX/{n}", b"")
    return path


def padded_archive(folder: Path, trailer_mb: int = 15) -> Path:
    """20 real JPEGs, each followed by a trailer that deflates about 29:1 (a random 512 bytes
    in every 14.5 KB)."""
    photos = sorted(SHARED_FACES.glob("enroll/*/*.jpg"))
    blocks = trailer_mb * 2**20 // (512 + 14_336)
    path = folder / f"padded-{trailer_mb}mb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for n in range(20):
            trailer = b"".join(os.urandom(512) + bytes(14_336) for _ in range(blocks))
            # named for the probe's one student (the factory's first number)
            name = f"S00000_{n}.jpg"
            archive.writestr(name, photos[n % len(photos)].read_bytes() + trailer)
    return path


CASES = {
    "1": [("checkin", flat_frame, ("min_face_px=20",))],
    "3": [("classphoto", tiled_class_photo, ())],
    "4": [("import", junk_archive, ())],
    "5": [
        ("import", padded_archive, ()),
        ("import", lambda f: padded_archive(f, trailer_mb=10), ()),  # each under 15 MB
    ],
    "10": [
        ("enroll", lambda f: write_strip_png(f / "e.png", 45_000_000, 1), ()),
        ("classphoto", lambda f: write_strip_png(f / "c.png", 1, 16_000_000), ()),
        ("checkin", lambda f: write_strip_png(f / "k.png", 1, 4_000_000), ()),
        # what is converted in bands: a 7000x7000 16-bit and an RGBA PNG with a face
        ("enroll", lambda f: write_big_png(f / "gray16.png", "gray16"), ()),
        ("enroll", lambda f: write_big_png(f / "rgba.png", "rgba"), ()),
    ],
}


def probe(target: str, path: Path, fields) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "tests.reliability.memory_probe", target, str(path), *fields],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode:
        raise RuntimeError(result.stderr[-2000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def _reason(answer: str) -> str:
    """The start of a refusal's message (the answer is cut at 500 characters)."""
    found = re.search(r'"detail":\s*"((?:[^"\\]|\\.){0,90})', answer)
    return f"“{found.group(1)}…”" if found else answer[:60]


def main(rows: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "attendance_site.settings")
    os.environ["DATABASE_URL"] = "sqlite:///:memory:"
    os.environ["REDIS_URL"] = ""
    import django

    django.setup()  # the face tile is cut with the app's own detector
    print("| # | request | answer | CPU-s | peak RSS rise |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for row in rows or list(CASES):
            for target, make, fields in CASES[row]:
                path = make(Path(folder))
                size = path.stat().st_size / 2**20
                measured = probe(target, path, fields)
                answer = f"{measured['status']} " + (
                    f"({measured['photo'] or 'searched'})"
                    if measured["status"] < 300
                    else _reason(measured["answer"])
                )
                print(
                    f"| {row} | {target} {path.name} ({size:.1f} MB) {' '.join(fields)} | "
                    f"{answer} | {measured['cpu']:.2f} | {measured['rise'] / 2**20:.0f} MB |",
                    flush=True,
                )
                path.unlink()


if __name__ == "__main__":
    main(sys.argv[1:])
