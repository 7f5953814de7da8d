"""Forms of the committee's work (meetings, agenda items, minute actions and their updates, the
work programme, questions and answers), of accounts and roles, and of the glossary."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import User

from improvement_plan.models import Plan, Risk, Workstream
from metrics.models import Measure
from scrutiny import notifications
from scrutiny.editing import (
    CODE,
    DATE,
    NUMBER,
    SHORT,
    GovukForm,
    ReasonMixin,
)
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


class ApiTokenForm(GovukForm):
    name = forms.CharField(
        label="What is the token for?",
        max_length=100,
        help_text="For example, “Power BI report” or “monthly export script”.",
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-!-width-two-thirds"}),
        error_messages={"required": "Say what the token is for, so that you know which to revoke."},
    )
    expires_in = forms.TypedChoiceField(
        label="When should it stop working?",
        coerce=int,
        choices=[(30, "In 30 days"), (90, "In 90 days"), (365, "In a year"), (0, "Never")],
        initial=90,
        help_text="It also stops working when your password changes, or when you revoke it.",
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
            "date": forms.DateInput(attrs=DATE),
            "time": forms.TimeInput(attrs={**SHORT, "type": "time"}),
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
            "report": forms.ClearableFileInput(attrs={"class": "govuk-file-upload"}),
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
            "owner_users": forms.SelectMultiple(attrs={"size": 5}),
            "due_date": forms.DateInput(attrs=DATE),
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

    def __init__(self, *args, committee, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.committee = committee
        self.fields["meeting"].queryset = committee.meetings.all()


class GlossaryTermForm(ReasonMixin, forms.ModelForm):
    class Meta:
        model = GlossaryTerm
        fields = ["term", "expansion", "also", "definition", "source"]

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


class QuestionForm(GovukForm):
    about = forms.ChoiceField(
        label="What is your question about?",
        error_messages={"required": "Choose what the question is about."},
    )
    text = forms.CharField(
        label="Your question",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Officers answer in writing before the meeting; a director approves each answer.",
        error_messages={
            "required": "Write your question.",
            "max_length": "Keep the question under 4,000 characters.",
        },
    )

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        plan = Plan.objects.current()
        choices = [("", "Choose…"), ("meeting", "The meeting in general")]
        choices += [(f"item:{i.pk}", f"Agenda item {i}") for i in meeting.items.all()]
        choices += [
            (f"measure:{m.code}", f"Measure: {m.name} ({m.code})")
            for m in Measure.objects.filter(active=True).order_by("area__order", "order")
        ]
        if plan:
            choices += [
                (f"workstream:{w.pk}", f"Workstream {w}")
                for w in Workstream.objects.filter(priority__plan=plan)
            ]
        choices += [
            (f"risk:{r.reference}", f"Risk {r.reference}")
            for r in Risk.objects.filter(closed_at__isnull=True)
        ]
        self.fields["about"].choices = choices

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError("Write your question.")
        return text

    def subject(self):
        """The model fields for what the question is about."""
        kind, _, key = self.cleaned_data["about"].partition(":")
        if kind == "item":
            return {"agenda_item": self.meeting.items.get(pk=key)}
        if kind == "measure":
            return {"measure": Measure.objects.get(code=key)}
        if kind == "workstream":
            return {"workstream": Workstream.objects.get(pk=key)}
        if kind == "risk":
            return {"risk": Risk.objects.get(reference=key)}
        return {}


class AnswerForm(GovukForm):
    answer = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": "Write the answer."},
    )

    def clean_answer(self):
        answer = self.cleaned_data["answer"].strip()
        if not answer:
            raise forms.ValidationError("Write the answer.")
        return answer


class AssignForm(GovukForm):
    officer = forms.ModelChoiceField(
        queryset=None,
        label="Officer responsible for the answer",
        error_messages={"required": "Choose an officer.", "invalid_choice": "Choose an officer."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = notifications.answerers().order_by("username")
        self.fields["officer"].label_from_instance = lambda u: u.get_full_name() or u.username


class ActionUpdateForm(GovukForm):
    status = forms.ChoiceField(choices=MinuteAction.Status.choices, widget=forms.RadioSelect)
    text = forms.CharField(
        label="Update",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what has been done."},
    )


class InviteForm(GovukForm):
    name = forms.CharField(label="Full name", max_length=150)
    email = forms.EmailField(
        label="E-mail address",
        max_length=150,
        help_text="They sign in with it, and receive a link to set their password.",
        widget=forms.EmailInput(attrs={"class": "govuk-input", "autocomplete": "off"}),
    )
    role = forms.ChoiceField(label="Role")

    def __init__(self, *args, grantable, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r, r) for r in grantable]

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(username__iexact=email).exists():
            raise forms.ValidationError("Someone already signs in with this e-mail address.")
        return email


class RoleForm(GovukForm):
    role = forms.ChoiceField(label="Role")
    reason = forms.CharField(
        label="Why",
        max_length=500,
        help_text="Kept in the audit trail with the old and new role.",
    )

    def __init__(self, *args, grantable, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", "No role (cannot see anything)")] + [
            (r, r) for r in grantable
        ]
