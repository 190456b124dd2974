"""dlib's trained models, loaded once per process on first use.

From the files that the `face_recognition_models` wheel ships (`recognition.model_files`;
nothing is downloaded). `face_recognition` itself is not imported, so its import-time side
effects (a process-wide Pillow flag, `quit()` when the models are missing) never happen.
"""

import functools
from pathlib import Path

import dlib

from recognition.model_files import model_path

_LOADERS = {
    "landmarks_5": dlib.shape_predictor,
    "landmarks_68": dlib.shape_predictor,
    "encoder": dlib.face_recognition_model_v1,
    "cnn_detector": dlib.cnn_face_detection_model_v1,
}


@functools.cache
def model(name: str):
    """dlib's model `name`, loaded once per process (a few hundred ms, ~100 MB for all)."""
    return _LOADERS[name](str(model_path(name)))


def encoder_from(weights: Path | None = None):
    """dlib's face encoder made from `weights` (a .dat file; default: the installed one,
    shared with `model("encoder")`)."""
    if weights is None or Path(weights) == model_path("encoder"):
        return model("encoder")
    return dlib.face_recognition_model_v1(str(weights))
