from pathlib import Path

from django.core.management import BaseCommand, CommandError

from people.importing import import_folder
from people.models import Course


class Command(BaseCommand):
    help = (
        "Import people and photos from FOLDER/<student number>/*.jpg; photos are encoded in "
        "the background. With --course, the people are added to that course's roster."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path)
        parser.add_argument("--course", help="Name of an existing course (created if missing).")

    def handle(self, *args, folder: Path, course: str | None, **options):
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder.")
        target = Course.objects.get_or_create(name=course)[0] if course else None
        report = import_folder(root=folder, course=target)
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.people_created} people created, {report.people_found} already known, "
                f"{report.photos_queued} photos queued for encoding."
            )
        )
        for path in report.skipped:
            self.stdout.write(f"skipped (not an image file name): {path}")
