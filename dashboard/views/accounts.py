"""Accounts: the login page's warning before a lockout, the lockout page, the teacher's own
settings (time zone, password) and inviting teachers (the `auth.add_user` permission)."""

from axes.models import AccessAttempt
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Max
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.client_address import client_address
from people import accounts, time_zones


def failed_logins(request, username: str) -> int:
    ip = client_address(request)  # the address django-axes locks, behind proxies too
    attempts = AccessAttempt.objects.filter(username=username)
    if ip:
        attempts = attempts.filter(ip_address=ip)
    return attempts.aggregate(n=Max("failures_since_start"))["n"] or 0


class LoginView(auth_views.LoginView):
    """Django's login, which also warns from the 3rd failure how many tries are left."""

    def form_invalid(self, form):
        response = super().form_invalid(form)
        username = form.data.get("username", "")[:150]
        failures = failed_logins(self.request, username)
        if failures >= settings.LOGIN_WARNING_AFTER_FAILURES:
            left = max(settings.AXES_FAILURE_LIMIT - failures, 0)
            minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
            response.context_data["lockout_warning"] = (
                f"{failures} failed attempts. After {left} more, logging in as this user "
                f"from here is locked for {minutes} minutes."
            )
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change; a generated password's first change leads on to the
    account page, whose time zone the teacher checks next."""

    def form_valid(self, form):
        required = self.request.session.get(accounts.MUST_CHANGE_PASSWORD)
        response = super().form_valid(form)
        accounts.password_changed(user=self.request.user, session=self.request.session)
        if required:
            messages.success(
                self.request,
                _("Your password is changed. Check your time zone: times are shown in it."),
            )
            return redirect("dashboard:account")
        return response


class TimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(label="Your time zone", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        school = time_zones.school_time_zone()
        choices = [("", f"The school's ({school})")]
        self.fields["time_zone"].choices = choices + [(z, z) for z in time_zones.zone_names()]
        self.fields["time_zone"].widget.attrs["data-school-zone"] = school  # for the suggestion


@require_http_methods(["GET", "POST"])
@login_required
def account_settings(request):
    profile = getattr(request.user, "teacher_profile", None)
    form = TimeZoneForm(request.POST or None, initial={"time_zone": profile and profile.time_zone})
    if request.method == "POST" and form.is_valid():
        time_zones.set_teacher_time_zone(user=request.user, name=form.cleaned_data["time_zone"])
        messages.success(request, "Time zone saved: times are shown and entered in it.")
        return redirect("dashboard:account")
    return render(request, "dashboard/account.html", {"form": form})


class InviteForm(forms.Form):
    full_name = forms.CharField(label="Full name", max_length=150)
    username = forms.CharField(label="Username", max_length=150)
    email = forms.EmailField(label="E-mail", help_text="The invitation goes to this address.")


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("auth.add_user", raise_exception=True)
def invite_teacher(request):
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = accounts.invite_teacher(
                base_url=request.build_absolute_uri("/"),
                invited_by=request.user,
                **form.cleaned_data,
            )
        except accounts.AccountExists as error:
            form.add_error("username", str(error))
        else:
            if accounts.email_delivers():
                messages.success(request, f"{user.username} was invited by e-mail at {user.email}.")
            else:
                messages.warning(
                    request,
                    _(
                        "E-mail is not set up on this server: copy %(name)s's invitation "
                        "link below and pass it on."
                    )
                    % {"name": user.username},
                )
            return redirect("dashboard:teacher-invite")
    context = {"form": form, "pending": pending_with_links(request)}
    return render(request, "dashboard/invite.html", context)


def pending_with_links(request) -> list:
    """Pending invitations; without e-mail delivery, each with its link to copy and pass on."""
    pending = list(accounts.pending_invitations())
    if not accounts.email_delivers():
        base_url = request.build_absolute_uri("/")
        for user in pending:
            user.invitation_link = accounts.invitation_link(user, base_url=base_url)
    return pending


@require_POST
@login_required
@permission_required("auth.add_user", raise_exception=True)
def resend_invitation(request, pk: int):
    user = get_object_or_404(accounts.pending_invitations(), pk=pk)
    accounts.resend_invitation(
        user=user, base_url=request.build_absolute_uri("/"), invited_by=request.user
    )
    messages.success(request, f"A new invitation went to {user.username} at {user.email}.")
    return redirect("dashboard:teacher-invite")
