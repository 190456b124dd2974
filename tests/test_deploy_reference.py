"""The reference deployment in deploy/: the balancer refuses exactly the bodies the app
refuses, path by path, and the process definitions are the ones the cluster test runs."""

import re
from pathlib import Path

import pytest

from attendance_site.body_limits import body_limit
from deploy.cluster.hosts import procfile, procfile_argv, render

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
TEMPLATE = (DEPLOY / "nginx.conf.template").read_text()
UNITS = {"k": 1024, "m": 1024 * 1024, "g": 1024 * 1024 * 1024}


def _bytes(size: str) -> int:
    return int(size[:-1]) * UNITS[size[-1].lower()] if size[-1].isalpha() else int(size)


def nginx_limit(path: str) -> int:
    """The client_max_body_size nginx applies to `path`: the first matching regex location,
    else the server's own (the template has no other prefix location than /)."""
    server = TEMPLATE[TEMPLATE.index("server {") :]
    default = re.search(r"^        client_max_body_size (\w+);", server, re.M).group(1)
    for pattern, block in re.findall(r"location ~ (\S+) \{(.*?)\n        \}", server, re.S):
        if re.search(pattern, path):
            own = re.search(r"client_max_body_size (\w+);", block)
            return _bytes(own.group(1) if own else default)
    return _bytes(default)


@pytest.mark.parametrize(
    "path",
    [
        "/api/sessions/7/checkin/",
        "/api/people/7/photos/",
        "/courses/7/students/8/photos/",
        "/admin/people/person/7/change/",
        "/api/sessions/7/class-photos/",
        "/api/courses/7/photo-import/",
        "/courses/7/photo-import/",
        "/courses/7/import/",
        "/api/courses/7/roster-import/",
        "/api/courses/7/",
        "/accounts/login/",
        "/api/sessions/7/checkin/extra/",
    ],
)
def test_the_balancer_limits_each_path_as_the_app_does(path):
    assert nginx_limit(path) == body_limit(path)


def test_the_template_renders_every_field_and_refuses_unknown_ones():
    config = render(TEMPLATE, run_dir="/run/x", upstream_servers="server a:1;", listen="80")
    assert not re.search(r"\{\{ \w+ \}\}", config)
    with pytest.raises(KeyError):
        render("{{ nowhere }}")


def test_the_procfile_defines_web_worker_and_one_beat():
    processes = procfile()
    assert set(processes) == {"web", "worker", "beat"}
    argv = procfile_argv("web", BIND_ADDRESS="10.0.0.1:8000")
    assert argv[0].endswith(".venv/bin/gunicorn") and "10.0.0.1:8000" in argv
    assert "--beat" not in processes["worker"]  # beat runs once, apart from the workers
