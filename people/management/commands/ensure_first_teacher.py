"""Create the first teacher account on a fresh installation, so a newcomer can log in."""

import secrets
import sys

from django.contrib.auth import get_user_model
from django.core.management import BaseCommand, call_command


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

    def handle(self, *args, username, no_input, **options):
        users = get_user_model().objects
        if users.exists():
            self.stdout.write(f"{users.count()} account(s) exist; log in at /accounts/login/.")
            return
        if sys.stdin.isatty() and not no_input:
            self.stdout.write("No account yet: create the first teacher (also an administrator).")
            call_command("createsuperuser", interactive=True)
            return
        password = secrets.token_urlsafe(12)
        users.create_superuser(username=username, email="", password=password)
        self.stdout.write(
            self.style.SUCCESS(
                "Created the first teacher account.\n"
                f"  username: {username}\n"
                f"  password: {password}\n"
                "Log in at http://127.0.0.1:8000/accounts/login/ (admin: /admin/). "
                "Change the password after logging in."
            )
        )
