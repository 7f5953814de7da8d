from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import User

from scrutiny.editing import AREA, CODE, DATE, NUMBER, SELECT, SHORT, TEXT, ReasonMixin
from scrutiny.models import (
    AgendaItem,
    Committee,
    GlossaryTerm,
    Meeting,
    Membership,
    MinuteAction,
    WorkProgrammeItem,
)


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct user name and password. Both are case-sensitive.",
        "inactive": "This account is disabled. Ask an administrator to enable it.",
    }


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label="What is the token for?",
        max_length=100,
        help_text="For example, “Power BI report” or “monthly export script”.",
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-!-width-two-thirds"}),
    )
    expires_in = forms.TypedChoiceField(
        label="When should it stop working?",
        coerce=int,
        choices=[(30, "In 30 days"), (90, "In 90 days"), (365, "In a year"), (0, "Never")],
        initial=90,
        help_text="It also stops working when your password changes, or when you revoke it.",
        widget=forms.Select(attrs=SELECT),
    )


# --------------------------------------------------------------------------------------------
# Committees and meetings, for democratic services
# --------------------------------------------------------------------------------------------

REPORT_TYPES = {
    ".pdf": b"%PDF",
    ".docx": b"PK\x03\x04",
    ".xlsx": b"PK\x03\x04",
}
REPORT_MAX_BYTES = 25 * 1024 * 1024


class CommitteeForm(ReasonMixin, forms.ModelForm):
    class Meta:
        model = Committee
        fields = ["name", "description"]
        widgets = {"name": forms.TextInput(attrs=TEXT), "description": forms.Textarea(attrs=AREA)}

    def save(self, commit=True):
        from django.utils.text import slugify

        if not self.instance.slug:
            base = slugify(self.instance.name)[:50] or "committee"
            slug, number = base, 2
            while type(self.instance).objects.filter(slug=slug).exists():
                slug, number = f"{base}-{number}", number + 1
            self.instance.slug = slug
        return super().save(commit)


class MembershipForm(ReasonMixin, forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["name", "role", "user", "started_on", "ended_on"]
        labels = {"user": "Their account (for questions and e-mails)"}
        widgets = {
            "name": forms.TextInput(attrs=TEXT),
            "role": forms.Select(attrs=SELECT),
            "user": forms.Select(attrs=SELECT),
            "started_on": forms.DateInput(attrs=DATE),
            "ended_on": forms.DateInput(attrs=DATE),
        }

    def __init__(self, *args, committee, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.committee = committee
        self.fields["user"].queryset = User.objects.filter(is_active=True).order_by("username")

    def clean(self):
        cleaned = super().clean()
        started, ended = cleaned.get("started_on"), cleaned.get("ended_on")
        if started and ended and ended < started:
            self.add_error("ended_on", "The membership ends before it starts.")
        return cleaned


class MeetingForm(ReasonMixin, forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["committee", "date", "time", "place", "status"]
        widgets = {
            "committee": forms.Select(attrs=SELECT),
            "date": forms.DateInput(attrs=DATE),
            "time": forms.TimeInput(
                attrs={"class": "govuk-input govuk-input--width-5", "type": "time"}
            ),
            "place": forms.TextInput(attrs=TEXT),
            "status": forms.Select(attrs=SELECT),
        }


class AgendaItemForm(ReasonMixin, forms.ModelForm):
    class Meta:
        model = AgendaItem
        fields = [
            "number",
            "title",
            "presenting_officer",
            "covers",
            "report",
            "summary",
            "recommendations",
            "decisions",
            "order",
        ]
        help_texts = {
            "report": "PDF, Word (.docx) or Excel (.xlsx), at most 25 MB. Only those who may read "
            "the meeting can open it.",
            "order": "Where it comes on the agenda: 1 first.",
        }
        widgets = {
            "number": forms.TextInput(attrs=SHORT),
            "title": forms.TextInput(attrs=TEXT),
            "presenting_officer": forms.TextInput(attrs=TEXT),
            "covers": forms.Select(attrs=SELECT),
            "report": forms.ClearableFileInput(attrs={"class": "govuk-file-upload"}),
            "summary": forms.Textarea(attrs=AREA),
            "recommendations": forms.Textarea(attrs=AREA),
            "decisions": forms.Textarea(attrs=AREA),
            "order": forms.NumberInput(attrs=NUMBER),
        }

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.meeting = meeting

    def clean_report(self):
        report = self.cleaned_data.get("report")
        if not report or not hasattr(report, "content_type"):
            return report  # none, or the one already attached
        name = report.name.lower()
        kind = next((k for k in REPORT_TYPES if name.endswith(k)), None)
        if kind is None:
            raise forms.ValidationError(f"“{report.name[:80]}” is not a PDF, .docx or .xlsx file.")
        if report.size > REPORT_MAX_BYTES:
            raise forms.ValidationError("The report is larger than 25 MB.")
        start = report.read(8)
        report.seek(0)
        if not start.startswith(REPORT_TYPES[kind]):
            raise forms.ValidationError(f"“{report.name[:80]}” is not really a {kind} file.")
        return report


class MinuteActionForm(ReasonMixin, forms.ModelForm):
    class Meta:
        model = MinuteAction
        fields = ["reference", "minute", "text", "owners", "owner_users", "due_date", "due_meeting"]
        labels = {"owner_users": "Owners' accounts", "text": "The action, as minuted"}
        widgets = {
            "reference": forms.TextInput(attrs=CODE),
            "minute": forms.TextInput(attrs=SHORT),
            "text": forms.Textarea(attrs=AREA),
            "owners": forms.TextInput(attrs=TEXT),
            "owner_users": forms.SelectMultiple(attrs={**SELECT, "size": 5}),
            "due_date": forms.DateInput(attrs=DATE),
            "due_meeting": forms.Select(attrs=SELECT),
        }

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.meeting = meeting
        self.instance.committee = meeting.committee
        self.fields["owner_users"].queryset = User.objects.filter(is_active=True).order_by(
            "username"
        )
        self.fields["due_meeting"].queryset = meeting.committee.meetings.filter(
            date__gt=meeting.date
        )


class WorkProgrammeItemForm(ReasonMixin, forms.ModelForm):
    class Meta:
        model = WorkProgrammeItem
        fields = ["title", "meeting", "state", "requested_by", "note"]
        widgets = {
            "title": forms.TextInput(attrs=TEXT),
            "meeting": forms.Select(attrs=SELECT),
            "state": forms.Select(attrs=SELECT),
            "requested_by": forms.TextInput(attrs=TEXT),
            "note": forms.Textarea(attrs=AREA),
        }

    def __init__(self, *args, committee, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.committee = committee
        self.fields["meeting"].queryset = committee.meetings.all()


class GlossaryTermForm(ReasonMixin, forms.ModelForm):
    class Meta:
        model = GlossaryTerm
        fields = ["term", "expansion", "also", "definition", "source"]
        widgets = {
            "term": forms.TextInput(attrs=TEXT),
            "expansion": forms.TextInput(attrs=TEXT),
            "also": forms.TextInput(attrs=TEXT),
            "definition": forms.Textarea(attrs=AREA),
            "source": forms.TextInput(attrs=TEXT),
        }

    def clean_term(self):
        from django.utils.text import slugify

        term = " ".join(self.cleaned_data["term"].split())
        if not slugify(term):
            raise forms.ValidationError("Give the term in letters or digits.")
        clash = GlossaryTerm.objects.filter(slug=slugify(term)[:80]).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(f"The glossary already has {clash.first().term}.")
        return term

    def save(self, commit=True):
        from django.utils.text import slugify

        self.instance.slug = slugify(self.instance.term)[:80]
        return super().save(commit)
