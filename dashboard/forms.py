from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from attendance.models import WEEKDAYS, AttendanceRecord, AttendanceSession, CourseSchedule
from attendance.validation import YEARS_AROUND_TODAY
from people.models import Course
from people.validation import check_consent_date

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=DATETIME_LOCAL)


class CourseForm(forms.ModelForm):
    class Meta:
        model = Course
        fields = ["name"]
        labels = {"name": "Course name"}


class LivenessForm(forms.ModelForm):
    class Meta:
        model = Course
        fields = ["liveness"]
        labels = {"liveness": "Liveness check"}


class StudentForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    external_id = forms.CharField(label=_("Student number"), max_length=64)
    consent_recorded_on = forms.DateField(
        label=_("Consent recorded on"),
        required=False,
        widget=DateInput(),
        validators=[check_consent_date],
        help_text=_("Photos can be added once consent to face recognition is recorded."),
    )


class ConsentForm(forms.Form):
    consent_recorded_on = forms.DateField(
        label=_("Consent recorded on"), widget=DateInput(), validators=[check_consent_date]
    )


class SessionForm(forms.ModelForm):
    class Meta:
        model = AttendanceSession
        fields = ["title", "starts_at", "ends_at", "late_after_minutes"]
        labels = {
            "starts_at": _("Starts"),
            "ends_at": _("Ends"),
            "late_after_minutes": _("Late after (minutes)"),
        }
        widgets = {"starts_at": DateTimeLocalInput(), "ends_at": DateTimeLocalInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            start = timezone.localtime().replace(second=0, microsecond=0)
            self.initial.setdefault("starts_at", start)
            self.initial.setdefault("ends_at", start + timedelta(hours=1))
        self.fields["title"].required = False
        # "ends after it starts" is the model's constraint, checked by the form's full_clean


class StatusForm(forms.Form):
    person = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(choices=AttendanceRecord.Status.choices)


class ScheduleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Days"),
        choices=WEEKDAYS,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    start_time = forms.TimeField(
        label=_("Starts at"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    duration_minutes = forms.IntegerField(
        label=_("Length (minutes)"), min_value=5, max_value=600, initial=60
    )
    late_after_minutes = forms.IntegerField(
        label=_("Late after (minutes)"), min_value=0, max_value=600, initial=10
    )
    auto_open_close = forms.BooleanField(
        label=_("Open and close the sessions automatically"), required=False
    )

    def clean(self):
        data = super().clean()
        fields = ("duration_minutes", "late_after_minutes")
        if all(data.get(name) is not None for name in fields):
            try:
                CourseSchedule(**{name: data[name] for name in fields}).clean()
            except forms.ValidationError as error:
                for field, messages in error.message_dict.items():
                    self.add_error(field, messages)
        return data


class ReportRangeForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=DateInput())
    end = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def clean_start(self):
        return _within_session_dates(self.cleaned_data.get("start"))

    def clean_end(self):
        return _within_session_dates(self.cleaned_data.get("end"))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError(_("The end of the range is before its start."))
        return data


def _within_session_dates(day):
    """Sessions exist only within YEARS_AROUND_TODAY years of today (a year's slack for
    reports of old sessions): a date beyond (9999-12-31) is a form error, never a 500."""
    if day is None:
        return day
    today = timezone.localdate()
    years = YEARS_AROUND_TODAY + 1
    if abs((day - today).days) > 366 * years:
        raise forms.ValidationError(
            _("Use a date within %(years)s years of today.") % {"years": years}
        )
    return day
