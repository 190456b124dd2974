"""Per-process cache of course classifiers: loaded once, reloaded when a training stored a
new one."""

import logging
import threading

from recognition import classifier
from recognition.models import CourseClassifier

_models: dict[int, tuple[tuple, classifier.TrainedModel]] = {}
_lock = threading.Lock()
logger = logging.getLogger(__name__)


def current_model(course_id: int) -> tuple[int, classifier.TrainedModel | None]:
    """The course's model and its version (0 and None before the first training).

    Costs one small query per call; the arrays are read and parsed only after a training.
    The stamp includes the training time, so a reused course id never gets a stale model.
    """
    rows = CourseClassifier.objects.filter(course_id=course_id)
    stamp = rows.values_list("version", "trained_at").first()
    if not stamp or not stamp[0]:
        return 0, None
    cached = _models.get(course_id)
    if cached and cached[0] == stamp:
        return (stamp[0] if cached[1] is not None else 0), cached[1]
    with _lock:
        version, trained_at, data = rows.values_list("version", "trained_at", "model_data").get()
        model = _readable_model(course_id, version, data)
        _models[course_id] = ((version, trained_at), model)
        return (version if model is not None else 0), model


def _readable_model(course_id: int, version: int, data) -> classifier.TrainedModel | None:
    """A stored model that cannot be read (corrupt, older format) is "not trained yet": the
    course is retrained and check-in meanwhile answers "unknown" instead of failing."""
    try:
        return classifier.from_bytes(bytes(data))
    except Exception:
        from recognition.training import request_training

        logger.warning(
            "stored model v%s of course %s is unreadable; training it again",
            version,
            course_id,
            exc_info=True,
        )
        request_training([course_id])
        return None
