from django.core.management import BaseCommand, CommandError

from recognition import onnx_encoder


class Command(BaseCommand):
    help = (
        "Convert dlib's face encoder to ONNX into FACE_MODEL_CACHE_DIR now (otherwise it "
        "happens at the first encoding), checked against dlib on reference chips. Does "
        "nothing when the cached model and its check are current; fails when the converted "
        "graph is refused (the app then encodes with dlib)."
    )

    def handle(self, *args, **options):
        try:
            encoder = onnx_encoder.OnnxFaceEncoder()
        except Exception as exc:
            raise CommandError(
                f"the ONNX face encoder was not built ({exc}); faces are encoded by dlib"
            ) from exc
        state = "built" if encoder.rebuilt else "already current"
        self.stdout.write(
            self.style.SUCCESS(
                f"{encoder.path}: {state}, max difference from dlib {encoder.max_difference:.2g} "
                f"(at most {onnx_encoder.TOLERANCE:g})"
            )
        )
