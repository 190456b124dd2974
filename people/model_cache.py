"""Per-process cache of course classifiers: loaded once, reloaded when a training stored a
new one."""

import logging
import threading
from collections.abc import Callable

from people.models import CourseClassifier
from recognition import classifier

logger = logging.getLogger(__name__)

_models: dict[int, tuple[tuple, classifier.TrainedModel | None]] = {}
_lock = threading.Lock()


def current_model(
    course_id: int, *, encoder: str, on_unreadable: Callable[[int], None] | None = None
) -> tuple[int, classifier.TrainedModel | None]:
    """The course's model and its version (0 and None before the first training).

    A model trained on encodings of another encoder than `encoder` (the FACE_* settings
    changed) is not used: its distances would mean nothing for today's probes. A stored
    model that cannot be read (corrupt, an older format) is "not trained yet" too: it is
    logged, marked for a full retraining, and `on_unreadable(course_id)` is called once
    (to request that training). Costs one small query per call; the arrays are read and
    parsed only after a training. The stamp includes the training time, so a reused
    course id never gets a stale model.
    """
    rows = CourseClassifier.objects.filter(course_id=course_id)
    stamp = rows.values_list("version", "trained_at", "encoder").first()
    if not stamp or not stamp[0] or stamp[2] != encoder:
        return 0, None
    cached = _models.get(course_id)
    if not (cached and cached[0] == stamp):
        with _lock:
            *fresh, data = rows.values_list("version", "trained_at", "encoder", "model_data").get()
            cached = (tuple(fresh), _readable(course_id, fresh[0], data, on_unreadable))
            _models[course_id] = cached
    stamp, model = cached
    return (stamp[0] if model is not None else 0), model


def _readable(course_id, version, data, on_unreadable) -> classifier.TrainedModel | None:
    try:
        return classifier.from_bytes(bytes(data))
    except Exception:
        logger.warning(
            "stored model v%s of course %s is unreadable; training it again",
            version,
            course_id,
            exc_info=True,
        )
        # The input digest describes the unreadable model: clear it so training rebuilds.
        CourseClassifier.objects.filter(course_id=course_id).update(input_digest="")
        if on_unreadable is not None:
            on_unreadable(course_id)
        return None
