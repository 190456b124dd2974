from django.apps import AppConfig


class AttendanceConfig(AppConfig):
    name = "attendance"

    def ready(self):
        from attendance import signals  # noqa: F401
        from attendance_site import tokens  # noqa: F401 - revokes tokens on password change
