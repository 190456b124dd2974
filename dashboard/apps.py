from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """The teachers' pages and the kiosk page: HTML over the people and attendance services."""

    name = "dashboard"
    verbose_name = "Teacher dashboard"
