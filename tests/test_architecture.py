"""The project's apps depend on each other in one direction only, read from the source.

accounts (credentials: tokens, client address, password resets) and recognition (the
face pipeline and the stored classifier) know no other app; people
(students, courses, photos, training) builds on it; attendance on both; the dashboard and
the project package sit on top. A cycle would mean two apps are one component, or a
function lives in the wrong home.
"""

import ast

from tests.conftest import PROJECT_ROOT

LAYERS = [
    "telemetry",
    "jobs",
    "accounts",
    "recognition",
    "people",
    "attendance",
    "dashboard",
    "attendance_site",
]


def imported_apps(app: str) -> dict[str, set[str]]:
    """For each other app that `app` imports: the files that import it."""
    found: dict[str, set[str]] = {}
    for path in sorted((PROJECT_ROOT / app).rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in LAYERS and top != app:
                    found.setdefault(top, set()).add(str(path.relative_to(PROJECT_ROOT)))
    return found


def test_each_app_imports_only_the_apps_below_it():
    upward = {
        (app, other): sorted(files)
        for level, app in enumerate(LAYERS)
        for other, files in imported_apps(app).items()
        if LAYERS.index(other) > level
    }
    assert upward == {}, f"imports against the layering {LAYERS}: {upward}"


def test_the_check_reads_real_imports():
    """The checker itself: it sees the imports that do exist (so it can fail)."""
    assert "recognition" in imported_apps("people")
    assert {"people", "recognition"} <= imported_apps("attendance").keys()


def test_only_the_face_seam_imports_dlib():
    importers = set()
    for app in [*LAYERS, "bench"]:
        for path in (PROJECT_ROOT / app).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0:
                    names = [node.module or ""]
                if any(name.split(".")[0] == "dlib" for name in names):
                    importers.add(str(path.relative_to(PROJECT_ROOT)))
    assert importers == {"recognition/faces.py"}, importers
