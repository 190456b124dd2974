"""Brings every shipped language's catalogs up to date with the marked strings; then
translate what is new (docs/languages.md) and run `make messages`."""

from django.conf import settings
from django.core.management.base import BaseCommand

from dashboard.catalogs import problems, translated_languages, update_catalogs


class Command(BaseCommand):
    help = "Update locale/*/LC_MESSAGES/django.po and djangojs.po from the marked strings."

    def handle(self, *args, **options):
        update_catalogs(verbosity=options["verbosity"])
        for code in translated_languages():
            for po_file in sorted((settings.LOCALE_PATHS[0] / code).rglob("*.po")):
                for problem in problems(po_file):
                    self.stdout.write(problem)
