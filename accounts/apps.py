from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Teachers' credentials: expiring API tokens, the client address every per-address
    limit uses, throttled password resets. It knows no other app of the project."""

    name = "accounts"

    def ready(self):
        from accounts import tokens  # noqa: F401 - revokes tokens on password change
