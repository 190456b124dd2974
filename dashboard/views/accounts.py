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
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.client_address import client_address
from people import accounts, languages, time_zones
from people.models import TeacherProfile


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
            response.context_data["lockout_warning"] = _(
                "%(failures)s failed attempts. After %(left)s more, logging in as this user "
                "from here is locked for %(minutes)s minutes."
            ) % {"failures": failures, "left": left, "minutes": minutes}
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
    time_zone = forms.ChoiceField(label=_("Your time zone"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        school = time_zones.school_time_zone()
        choices = [("", _("The school's (%(zone)s)") % {"zone": school})]
        self.fields["time_zone"].choices = choices + [(z, z) for z in time_zones.zone_names()]
        self.fields["time_zone"].widget.attrs["data-school-zone"] = school  # for the suggestion


class LanguageForm(forms.ModelForm):
    class Meta:
        model = TeacherProfile
        fields = ["language"]
        labels = {"language": _("Your language")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", _("The browser’s"))] + settings.LANGUAGES


@require_http_methods(["GET", "POST"])
@login_required
def account_settings(request):
    """Two forms on one page, each with its own button: the time zone and the language."""
    profile = getattr(request.user, "teacher_profile", None)
    data = request.POST or None
    posted_language = data is not None and "language" in data
    form = TimeZoneForm(
        None if posted_language else data, initial={"time_zone": profile and profile.time_zone}
    )
    language_form = LanguageForm(
        data if posted_language else None, initial={"language": profile and profile.language}
    )
    if posted_language and language_form.is_valid():
        code = languages.set_teacher_language(
            user=request.user, code=language_form.cleaned_data["language"]
        )
        with translation.override(code or translation.get_language_from_request(request)):
            messages.success(request, str(_("Language saved: your pages are shown in it.")))
        return redirect("dashboard:account")
    if request.method == "POST" and not posted_language and form.is_valid():
        time_zones.set_teacher_time_zone(user=request.user, name=form.cleaned_data["time_zone"])
        messages.success(request, _("Time zone saved: times are shown and entered in it."))
        return redirect("dashboard:account")
    context = {"form": form, "language_form": language_form}
    return render(request, "dashboard/account.html", context)


class InviteForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    username = forms.CharField(label=_("Username"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), help_text=_("The invitation goes to this address."))


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
                messages.success(
                    request,
                    _("%(username)s was invited by e-mail at %(email)s.")
                    % {"username": user.username, "email": user.email},
                )
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
    messages.success(
        request,
        _("A new invitation went to %(username)s at %(email)s.")
        % {"username": user.username, "email": user.email},
    )
    return redirect("dashboard:teacher-invite")
