"""Forms of the improvement plan and the risk register."""

from django import forms

from improvement_plan.models import IMPACTS, LIKELIHOODS, Risk, RiskRegister, Workstream
from metrics.models import Measure

TEXT = {"class": "govuk-input"}
AREA = {"class": "govuk-textarea", "rows": 3}


class RiskForm(forms.ModelForm):
    """A risk as leads and directors add and edit it; the reason for a change is kept."""

    register_name = forms.CharField(
        label="Or a new register",
        required=False,
        max_length=200,
        help_text="For a risk in a register not listed above, e.g. “Strategic Risk 8: Finance”.",
        widget=forms.TextInput(attrs=TEXT),
    )
    reason = forms.CharField(
        label="Why",
        required=False,
        max_length=1000,
        help_text="Kept in the audit trail. Required when changing a risk already recorded.",
        widget=forms.Textarea(attrs=AREA),
    )

    class Meta:
        model = Risk
        fields = [
            "reference",
            "title",
            "description",
            "owner",
            "register",
            "inherent_impact",
            "inherent_likelihood",
            "target_score",
            "measures",
            "workstreams",
            "new_this_quarter",
        ]
        labels = {
            "inherent_impact": "Inherent impact",
            "inherent_likelihood": "Inherent likelihood",
            "target_score": "Target score (1 to 25)",
            "new_this_quarter": "New this quarter",
            "measures": "Measures that show the risk",
            "workstreams": "Workstreams of the plan that mitigate it",
        }
        help_texts = {
            "description": "What could happen and why, if the title does not say it all.",
            "measures": "Hold Ctrl (Cmd on a Mac) to choose more than one. Their statuses are "
            "shown with the risk, and question its rating when they disagree.",
            "workstreams": "Hold Ctrl (Cmd on a Mac) to choose more than one.",
        }
        widgets = {
            "reference": forms.TextInput(attrs={"class": "govuk-input govuk-input--width-10"}),
            "title": forms.Textarea(attrs=AREA),
            "description": forms.Textarea(attrs=AREA),
            "owner": forms.TextInput(attrs=TEXT),
            "register": forms.Select(attrs={"class": "govuk-select"}),
            "inherent_impact": forms.Select(attrs={"class": "govuk-select"}),
            "inherent_likelihood": forms.Select(attrs={"class": "govuk-select"}),
            "target_score": forms.NumberInput(attrs={"class": "govuk-input govuk-input--width-3"}),
            "measures": forms.SelectMultiple(attrs={"class": "govuk-select", "size": 8}),
            "workstreams": forms.SelectMultiple(attrs={"class": "govuk-select", "size": 8}),
            "new_this_quarter": forms.CheckboxInput(attrs={"class": "govuk-checkboxes__input"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["register"].required = False
        self.fields["inherent_impact"].widget.choices = [("", "Not known")] + [
            (n, f"{n} {name}") for n, name in IMPACTS.items()
        ]
        self.fields["inherent_likelihood"].widget.choices = [("", "Not known")] + [
            (n, f"{n} {name}") for n, name in LIKELIHOODS.items()
        ]
        self.fields["measures"].queryset = Measure.objects.filter(active=True).order_by("code")
        self.fields["measures"].label_from_instance = lambda m: f"{m.code} {m.name}"
        self.fields["workstreams"].queryset = Workstream.objects.filter(
            priority__plan__is_current=True
        ).order_by("number")
        self.fields["workstreams"].label_from_instance = lambda w: f"{w.number} {w.title}"

    def clean_target_score(self):
        score = self.cleaned_data.get("target_score")
        if score is not None and not 1 <= score <= 25:
            raise forms.ValidationError("A score is impact × likelihood: from 1 to 25.")
        return score

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("register") and not cleaned.get("register_name", "").strip():
            self.add_error("register", "Choose the register, or name a new one.")
        if (cleaned.get("inherent_impact") is None) != (cleaned.get("inherent_likelihood") is None):
            self.add_error("inherent_likelihood", "Give both impact and likelihood, or neither.")
        if self.instance.pk and self.has_changed() and not cleaned.get("reason", "").strip():
            self.add_error("reason", "Say why the risk is being changed.")
        return cleaned

    def save(self, commit=True):
        name = self.cleaned_data.get("register_name", "").strip()
        if name and not self.cleaned_data.get("register"):
            self.instance.register, _ = RiskRegister.objects.get_or_create(name=name)
        return super().save(commit)


class CloseRiskForm(forms.Form):
    reason = forms.CharField(
        label="Why is the risk closed?",
        max_length=1000,
        widget=forms.Textarea(attrs=AREA),
        error_messages={"required": "Say why the risk is closed: it is kept in the trail."},
    )
