from django.core.management import BaseCommand

from people.models import EnrollmentPhoto
from people.services import reencode_photos


class Command(BaseCommand):
    help = "Queue every photo (or only those with --status) to be encoded again."

    def add_arguments(self, parser):
        parser.add_argument("--status", choices=EnrollmentPhoto.Status.values)

    def handle(self, *args, status: str | None, **options):
        photos = EnrollmentPhoto.objects.all()
        if status:
            photos = photos.filter(status=status)
        count = reencode_photos(photo_ids=list(photos.values_list("pk", flat=True)))
        self.stdout.write(self.style.SUCCESS(f"{count} photos queued for encoding."))
