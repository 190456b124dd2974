from django.core.management import BaseCommand

from recognition import onnx_encoder


class Command(BaseCommand):
    help = (
        "Convert dlib's face encoder to ONNX into FACE_MODEL_CACHE_DIR now (otherwise it "
        "happens at the first encoding). Does nothing when the cached model is current."
    )

    def handle(self, *args, **options):
        encoder = onnx_encoder.OnnxFaceEncoder()
        state = "built" if encoder.rebuilt else "already current"
        self.stdout.write(self.style.SUCCESS(f"{encoder.path}: {state}"))
