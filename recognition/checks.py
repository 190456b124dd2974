"""System check: say so when faces are encoded by dlib although the ONNX encoder was asked
for (its build or load failed, or its graph was refused by the self-check)."""

from django.core import checks

from recognition import onnx_encoder
from recognition.config import FaceConfig


@checks.register()
def onnx_encoder_in_use(app_configs=None, **kwargs):
    problem = onnx_encoder.problem(FaceConfig.from_settings())
    if problem is None:
        return []
    return [
        checks.Warning(
            f"The ONNX face encoder is not used, dlib encodes faces instead: {problem}",
            hint="Encoding is ~10x slower meanwhile. Run `python manage.py build_face_encoder` "
            "and read its message, or set FACE_ENCODER_RUNTIME=dlib to silence this.",
            id="recognition.W001",
        )
    ]
