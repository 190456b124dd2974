"""The project's apps depend on each other in one direction only, read from the source,
from the models' relations and from the migrations.

accounts (credentials: tokens, client address, password resets) and recognition (the
face pipeline, no models) know no other app; people (students, courses, photos, the stored
classifiers, training) builds on them; attendance on both; the dashboard and the project
package sit on top. A cycle would mean two apps are one component, or a function lives in
the wrong home.
"""

import ast

from django.apps import apps
from django.db.migrations.loader import MigrationLoader

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


# Dependencies that are history: recognition's first migration created the classifier
# (with its foreign key to people's courses) before the model moved to people. Migrations
# are never rewritten, so these stay; any other upward dependency is a new one.
HISTORICAL_MIGRATION_DEPENDENCIES = {(("recognition", "0001_initial"), ("people", "0001_initial"))}


def upward(app: str, other: str) -> bool:
    """`app` depending on `other` goes against the layering (apps outside it are ignored)."""
    return app in LAYERS and other in LAYERS and LAYERS.index(other) > LAYERS.index(app)


def model_relations() -> set[tuple[str, str]]:
    """(model, related model) for every relation declared by an installed model (foreign
    keys, one-to-one, many-to-many and their through tables), as app_label.ModelName."""
    found = set()
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.get_fields():
            if field.is_relation and not field.auto_created and field.related_model:
                found.add((model._meta.label, field.related_model._meta.label))
    return found


def migration_dependencies() -> set[tuple[tuple[str, str], tuple[str, str]]]:
    """(migration, migration it depends on) for every migration on disk."""
    graph = MigrationLoader(None, ignore_no_migrations=True).graph  # no database needed
    return {(key, parent.key) for key, node in graph.node_map.items() for parent in node.parents}


def test_no_model_points_at_a_model_of_a_higher_app():
    against = sorted(
        (model, target)
        for model, target in model_relations()
        if upward(model.split(".")[0], target.split(".")[0])
    )
    assert against == [], f"relations against the layering {LAYERS}: {against}"


def test_no_migration_depends_on_a_higher_app():
    against = sorted(
        (child, parent)
        for child, parent in migration_dependencies() - HISTORICAL_MIGRATION_DEPENDENCIES
        if upward(child[0], parent[0])
    )
    assert against == [], f"migration dependencies against the layering {LAYERS}: {against}"


def test_the_model_and_migration_checks_read_real_relations():
    """The checkers themselves see what exists (so they can fail)."""
    assert ("people.CourseClassifier", "people.Course") in model_relations()
    assert ("attendance.AttendanceRecord", "people.Person") in model_relations()
    dependencies = migration_dependencies()
    assert (
        ("people", "0009_course_classifier_from_recognition"),
        ("recognition", "0003_course_classifier_to_people"),
    ) in dependencies
    assert dependencies >= HISTORICAL_MIGRATION_DEPENDENCIES  # the allowance is still needed
    assert upward("recognition", "people") and not upward("people", "recognition")


def test_the_face_pipeline_has_no_models():
    assert list(apps.get_app_config("recognition").get_models()) == []


FACE_PIPELINE_DLIB_MODULES = {
    "recognition/dlib_models.py",  # loads dlib's trained models
    "recognition/detection.py",  # dlib's HOG detector and rectangles
    "recognition/encoding.py",  # landmarks, chips and dlib's encoder
}


def importers_of(package: str, apps_: list[str]) -> set[str]:
    importers = set()
    for app in apps_:
        for path in (PROJECT_ROOT / app).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0:
                    names = [node.module or ""]
                if any(name.split(".")[0] == package for name in names):
                    importers.add(str(path.relative_to(PROJECT_ROOT)))
    return importers


def test_only_the_face_pipeline_imports_dlib():
    assert importers_of("dlib", [*LAYERS, "bench"]) == FACE_PIPELINE_DLIB_MODULES


def test_face_recognition_is_a_development_tool_only():
    """The plain recipe (bench's baseline) is installed by `make install-dev` only."""
    assert importers_of("face_recognition", LAYERS) == set()
    assert importers_of("face_recognition", ["bench"]) == {"bench/recipe.py"}
    runtime = (PROJECT_ROOT / "requirements.txt").read_text().lower()
    assert "face_recognition==" not in runtime and "face-recognition==" not in runtime
