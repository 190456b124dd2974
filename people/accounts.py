"""Teacher accounts added by users holding `auth.add_user`: created without a password,
invited by e-mail to set one."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from people.models import TeacherProfile

# In the session from login on, so that checking it costs no query per request.
MUST_CHANGE_PASSWORD = "must-change-password"


class AccountExists(ValueError):
    pass


@transaction.atomic
def invite_teacher(*, username: str, email: str, full_name: str, base_url: str, invited_by):
    """The new teacher sets their password from the link (Django's password-reset token:
    valid for PASSWORD_RESET_TIMEOUT, and only until a password is set)."""
    users = get_user_model().objects
    if users.filter(username__iexact=username).exists():
        raise AccountExists(_("The username %(username)s is taken.") % {"username": username})
    first, _space, last = full_name.strip().partition(" ")
    user = users.create_user(username=username, email=email, first_name=first, last_name=last)
    user.set_unusable_password()
    user.save(update_fields=["password"])
    _send_invitation(user, base_url=base_url, invited_by=invited_by)
    return user


def pending_invitations():
    """Invited accounts whose password is not set yet (the link not used), newest first."""
    invited = get_user_model().objects.filter(is_active=True, password__startswith="!")
    return invited.order_by("-date_joined")


class NotPending(ValueError):
    """The account has a password already: it needs a password reset, not an invitation."""


def resend_invitation(*, user, base_url: str, invited_by) -> None:
    """A new link for an invitation that was lost (or expired); the old link stays valid
    only until a password is set."""
    if user.has_usable_password() or not user.is_active:
        raise NotPending(
            _("%(username)s has set a password already.") % {"username": user.username}
        )
    _send_invitation(user, base_url=base_url, invited_by=invited_by)


def invitation_link(user, *, base_url: str) -> str:
    """The set-password link of an invitation (Django's password-reset token)."""
    path = reverse(
        "password_reset_confirm",
        args=[
            urlsafe_base64_encode(force_bytes(user.pk)),
            default_token_generator.make_token(user),
        ],
    )
    return base_url.rstrip("/") + path


# Backends that deliver nothing: with one of them the inviter passes the link on by hand.
UNDELIVERED_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
}


def email_delivers() -> bool:
    return settings.EMAIL_BACKEND not in UNDELIVERED_BACKENDS


def _send_invitation(user, *, base_url: str, invited_by) -> None:
    link = invitation_link(user, base_url=base_url)
    context = {"user": user, "link": link, "invited_by": invited_by}
    body = render_to_string("registration/invitation_email.txt", context)
    subject = _("Your face attendance account")
    email = user.email
    transaction.on_commit(lambda: send_mail(subject, body, None, [email], fail_silently=False))


def require_password_change(user) -> None:
    """The password was generated for the teacher (first run): they set their own at login."""
    TeacherProfile.objects.update_or_create(user=user, defaults={"must_change_password": True})


def password_changed(*, user, session=None) -> None:
    TeacherProfile.objects.filter(user=user).update(must_change_password=False)
    if session is not None:
        session.pop(MUST_CHANGE_PASSWORD, None)


def remember_at_login(*, user, session) -> None:
    """Called at each login (people.signals)."""
    if TeacherProfile.objects.filter(user=user, must_change_password=True).exists():
        session[MUST_CHANGE_PASSWORD] = True
