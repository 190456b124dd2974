"""Bounded memory per request: a 7000x7000 16-bit PNG or RGBA PNG of a
few hundred KB, sent to check-in or enrollment, raises a process's peak resident memory by
less than 300 MB. Each request runs in a fresh process (tests/reliability/memory_probe.py)
that reports how far its peak rose above its resident memory just before the request."""

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import PROJECT_ROOT
from tests.reliability.big_pngs import write_big_png

LIMIT = 300 * 1024 * 1024


@pytest.fixture(scope="module")
def big_png(tmp_path_factory):
    folder = tmp_path_factory.mktemp("big")
    return {kind: write_big_png(folder / f"{kind}.png", kind) for kind in ("gray16", "rgba")}


def probe(target: str, path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    result = subprocess.run(
        [sys.executable, "-m", "tests.reliability.memory_probe", target, str(path)],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


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
