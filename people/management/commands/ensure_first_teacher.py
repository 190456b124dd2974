"""Create the first teacher account on a fresh installation, so a newcomer can log in."""

import os
import secrets
import sys

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import BaseCommand, CommandError, call_command

from people import accounts, time_zones


class Command(BaseCommand):
    help = (
        "If no user exists yet, create a first teacher (staff and superuser). Asks for the "
        "details when a terminal is attached; otherwise creates 'teacher' with a random "
        "password and prints it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="teacher")
        parser.add_argument(
            "--no-input", action="store_true", help="Never prompt, even on a terminal."
        )
        parser.add_argument(
            "--time-zone",
            help="The school's time zone (e.g. Europe/Berlin); default: the TIME_ZONE setting.",
        )

    def handle(self, *args, username, no_input, time_zone=None, **options):
        users = get_user_model().objects
        if users.exists():
            self.stdout.write(f"{users.count()} account(s) exist; log in at /accounts/login/.")
            return
        interactive = sys.stdin.isatty() and not no_input
        self.choose_school_time_zone(time_zone, interactive)
        if interactive:
            self.stdout.write("No account yet: create the first teacher (also an administrator).")
            call_command("createsuperuser", interactive=True)
            return
        password = secrets.token_urlsafe(12)
        user = users.create_superuser(username=username, email="", password=password)
        accounts.require_password_change(user)  # a printed password is not kept
        self.stdout.write(
            self.style.SUCCESS(
                "Created the first teacher account.\n"
                f"  username: {username}\n"
                f"  password: {password}\n"
                f"Log in at http://{login_address()}/accounts/login/ (admin: /admin/). "
                "You choose your own password at the first login."
            )
        )

    def choose_school_time_zone(self, given: str | None, interactive: bool) -> None:
        """Times are shown and entered in the school's zone: ask once, at first run."""
        name = given
        while name is None and interactive:
            answer = input(f"The school's time zone [{settings.TIME_ZONE}]: ").strip()
            try:
                name = time_zones.check_zone(answer or settings.TIME_ZONE)
            except time_zones.UnknownTimeZone as error:
                self.stdout.write(str(error))
        try:
            zone = time_zones.set_school_time_zone(name or settings.TIME_ZONE)
        except time_zones.UnknownTimeZone as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"School time zone: {zone} (teachers may choose their own).")


def login_address() -> str:
    """Where `make run` serves, as this machine's own browser reaches it."""
    host, _, port = os.environ.get("RUN_ADDRESS", "127.0.0.1:8000").rpartition(":")
    return f"{'127.0.0.1' if host in ('0.0.0.0', '::', '') else host}:{port}"
