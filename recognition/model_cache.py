"""Per-process cache of course classifiers: loaded once, reloaded when a training stored a
new one."""

import threading

from recognition import classifier
from recognition.models import CourseClassifier

_models: dict[int, tuple[tuple, classifier.TrainedModel]] = {}
_lock = threading.Lock()


def current_model(course_id: int, *, encoder: str) -> tuple[int, classifier.TrainedModel | None]:
    """The course's model and its version (0 and None before the first training).

    A model trained on encodings of another encoder than `encoder` (the FACE_* settings
    changed) is not used: its distances would mean nothing for today's probes. Costs one
    small query per call; the arrays are read and parsed only after a training. The stamp
    includes the training time, so a reused course id never gets a stale model.
    """
    rows = CourseClassifier.objects.filter(course_id=course_id)
    stamp = rows.values_list("version", "trained_at", "encoder").first()
    if not stamp or not stamp[0] or stamp[2] != encoder:
        return 0, None
    cached = _models.get(course_id)
    if cached and cached[0] == stamp:
        return stamp[0], cached[1]
    with _lock:
        *stamp, data = rows.values_list("version", "trained_at", "encoder", "model_data").get()
        model = classifier.from_bytes(bytes(data))
        _models[course_id] = (tuple(stamp), model)
        return stamp[0], model
