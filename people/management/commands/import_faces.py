from datetime import date
from pathlib import Path

from django.core.management import BaseCommand, CommandError

from people.importing import import_folder
from people.models import Course
from people.services import create_course


class Command(BaseCommand):
    help = (
        "Import people and photos from FOLDER/<student number>/*.jpg; photos are encoded in "
        "the background. With --course, the people are added to that course's roster. "
        "--consent-recorded-on states when their consent to face recognition was recorded."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path)
        parser.add_argument(
            "--course", help="Name of the course to add them to; created if no course has it."
        )
        parser.add_argument(
            "--consent-recorded-on",
            type=date.fromisoformat,
            required=True,
            metavar="YYYY-MM-DD",
            help="Date on which these people's consent to face recognition was recorded.",
        )
        parser.add_argument(
            "--record-consent-for-existing",
            action="store_true",
            help="Also record that date for people who exist already without consent (e.g. "
            "withdrawn); without it their folders are skipped.",
        )

    def handle(self, *args, folder: Path, course: str | None, consent_recorded_on, **options):
        record_for_existing = options.get("record_consent_for_existing", False)
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder.")
        target = None
        if course:
            target = Course.objects.filter(name=course).first() or create_course(name=course)
        report = import_folder(
            root=folder,
            course=target,
            consent_recorded_on=consent_recorded_on,
            record_consent_for_existing=record_for_existing,
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.people_created} people created, {report.people_found} already known, "
                f"{report.photos_queued} photos queued for encoding."
            )
        )
        for path in report.skipped:
            self.stdout.write(f"skipped: {path}")
