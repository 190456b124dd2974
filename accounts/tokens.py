"""API tokens that expire and are revoked.

- A token older than API_TOKEN_MAX_AGE_HOURS is refused (and deleted); asking
  `POST /api/auth/token/` again gives a new one.
- Changing a user's password deletes their tokens (a leaked token dies with the password).
- `POST /api/auth/token/revoke/` deletes the caller's own tokens; staff delete anyone's in
  the admin (Auth Token).
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token


def is_expired(token: Token) -> bool:
    return token.created < timezone.now() - timedelta(hours=settings.API_TOKEN_MAX_AGE_HOURS)


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if is_expired(token):
            token.delete()
            raise exceptions.AuthenticationFailed(
                _("This token has expired. Ask for a new one at /api/auth/token/.")
            )
        return user, token


def revoke_tokens(*, user) -> int:
    deleted, _counts = Token.objects.filter(user=user).delete()
    return deleted


@receiver(pre_save, sender=get_user_model(), dispatch_uid="revoke-tokens-on-password-change")
def _revoke_tokens_on_password_change(sender, instance, update_fields=None, **kwargs):
    if instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    stored = sender.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    if stored is not None and stored != instance.password:
        revoke_tokens(user=instance)
