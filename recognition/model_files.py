"""Where dlib's model files are: inside the installed face_recognition_models wheel.

Found without importing that package (its __init__ needs pkg_resources, which setuptools
81 removed) and without dlib, so the ONNX converter can use it too.
"""

import importlib.util
from pathlib import Path

MODEL_FILES = {
    "landmarks_5": "shape_predictor_5_face_landmarks.dat",
    "landmarks_68": "shape_predictor_68_face_landmarks.dat",
    "encoder": "dlib_face_recognition_resnet_model_v1.dat",
    "cnn_detector": "mmod_human_face_detector.dat",
}


def model_path(name: str) -> Path:
    """The file of dlib's model `name` (a key of MODEL_FILES)."""
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("face_recognition_models is not installed: run `make install`")
    path = Path(next(iter(spec.submodule_search_locations))) / "models" / MODEL_FILES[name]
    if not path.is_file():
        raise RuntimeError(f"dlib model file missing: {path}; reinstall face_recognition_models")
    return path
