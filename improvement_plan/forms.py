"""Forms of the improvement plan and the risk register."""

import copy

from django import forms
from django.db import transaction

from improvement_plan.models import (
    IMPACTS,
    LIKELIHOODS,
    KeyAction,
    Milestone,
    Owner,
    Plan,
    PlanMetric,
    Priority,
    PriorityStatus,
    ProgressStatus,
    ProgressUpdate,
    Risk,
    RiskRegister,
    Workstream,
    WorkstreamItem,
)
from metrics.models import Measure
from scrutiny import clock
from scrutiny.audit import AuditEntry
from scrutiny.editing import (
    CODE,
    DATE,
    MONTH,
    NUMBER,
    SHORT,
    FilterForm,
    GovukForm,
    ReasonMixin,
)


class RiskForm(GovukForm, forms.ModelForm):
    """A risk as leads and directors add and edit it; the reason for a change is kept."""

    register_name = forms.CharField(
        label="Or a new register",
        required=False,
        max_length=200,
        help_text="For a risk in a register not listed above, e.g. “Strategic Risk 8: Finance”.",
    )
    reason = forms.CharField(
        label="Why",
        required=False,
        max_length=1000,
        help_text="Kept in the audit trail. Required when changing a risk already recorded.",
        widget=forms.Textarea,
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
            "reference": forms.TextInput(attrs=CODE),
            "inherent_impact": forms.Select,  # a number from 1 to 5, offered with its name
            "inherent_likelihood": forms.Select,
            "target_score": forms.NumberInput(attrs=NUMBER),
            "measures": forms.SelectMultiple(attrs={"size": 8}),
            "workstreams": forms.SelectMultiple(attrs={"size": 8}),
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

    # The links are kept in the trail as sets of codes and numbers, apart from the fields.
    TRAIL_FIELDS = [f for f in Meta.fields if f not in ("measures", "workstreams")]

    def save_with_trail(self, by):
        """Save the risk and its links to measures and workstreams in one transaction, each
        change kept in the audit trail with the reason."""

        def linked(risk):
            return [m.code for m in risk.measures.all()], [w.number for w in risk.workstreams.all()]

        found = self.instance if self.instance.pk else None
        before = copy.copy(Risk.objects.get(pk=found.pk)) if found else None
        old_measures, old_workstreams = linked(before) if found else ([], [])
        reason = self.cleaned_data["reason"].strip()
        context = "risk changed" if found else "risk added"
        with transaction.atomic():
            saved = self.save()
            AuditEntry.record_changes(
                saved, before, user=by, reason=reason, context=context, fields=self.TRAIL_FIELDS
            )
            measures, workstreams = linked(saved)
            for field, old, new in (
                ("measures", old_measures, measures),
                ("workstreams", old_workstreams, workstreams),
            ):
                AuditEntry.record_set(
                    saved, field, old, new, user=by, reason=reason, context=context
                )
        return saved


class ReviewForm(GovukForm):
    impact = forms.TypedChoiceField(
        coerce=int,
        widget=forms.RadioSelect,
        choices=[(n, f"{n} {name}") for n, name in IMPACTS.items()],
        error_messages={"required": "Choose the impact, from 1 (insignificant) to 5 (critical)."},
    )
    likelihood = forms.TypedChoiceField(
        coerce=int,
        widget=forms.RadioSelect,
        choices=[(n, f"{n} {name}") for n, name in LIKELIHOODS.items()],
        error_messages={"required": "Choose the likelihood, from 1 (rare) to 5 (almost certain)."},
    )
    rationale = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Required when the rating changes: what in the figures or the service "
        "changed it.",
    )

    mitigations = forms.CharField(
        label="Mitigating actions",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="As they stand after this review. Earlier versions are kept on the risk's page.",
    )

    def __init__(self, *args, previous=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.previous = previous

    def clean(self):
        cleaned = super().clean()
        impact, likelihood = cleaned.get("impact"), cleaned.get("likelihood")
        if impact and likelihood and self.previous and self.previous.score is not None:
            if (
                impact * likelihood != self.previous.score
                and not cleaned.get("rationale", "").strip()
            ):
                self.add_error(
                    "rationale",
                    f"Say why the rating changes from {self.previous.band} {self.previous.score}.",
                )
        return cleaned


class RiskFilter(FilterForm):
    band = forms.ChoiceField(label="Current rating")
    owner = forms.ChoiceField(label="Owner")
    questioned = forms.ChoiceField(
        label="Rating questioned by the figures",
        choices=[("", "All risks"), ("yes", "Only those questioned")],
    )
    sort = forms.ChoiceField(label="Sort by")

    def __init__(self, data, *, bands, owners, sorts):
        super().__init__(data)
        self.fields["band"].choices = [("", "Any rating"), *((b, b) for b in bands)]
        self.fields["owner"].choices = [("", "Any owner"), *((o, o) for o in owners)]
        self.fields["sort"].choices = sorts

    def apply(self, risks):
        """The risks the filters let through, in the chosen order."""
        chosen = self.chosen
        return [
            r
            for r in risks
            if (not chosen["band"] or (r.current and r.current.band == chosen["band"]))
            and (not chosen["owner"] or r.owner == chosen["owner"])
            and (not chosen["questioned"] or r.questioned)
        ]


class ActionFilter(FilterForm):
    STATES = {
        "overdue": "Overdue",
        "due-soon": "Due in the next 30 days",
        "open": "Open",
        "completed": "Completed",
    }

    state = forms.ChoiceField(label="Which actions", choices=[("", "All"), *STATES.items()])
    owner = forms.ChoiceField(label="Owner")

    def __init__(self, data, *, owners):
        super().__init__(data)
        self.fields["owner"].choices = [("", "Anyone"), *((o, o) for o in owners)]

    def apply(self, actions, today):
        """The key actions the filters let through, as at ``today``."""
        from improvement_plan.models import KeyAction

        state, owner = self.chosen["state"], self.chosen["owner"]
        actions = {
            "overdue": lambda: actions.overdue(today),
            "due-soon": lambda: actions.due_soon(today),
            "open": lambda: actions.open(),
            "completed": lambda: actions.filter(status=KeyAction.Status.COMPLETED),
        }.get(state, lambda: actions)()
        return actions.filter(owners__name=owner) if owner else actions


class CloseRiskForm(GovukForm):
    reason = forms.CharField(
        label="Why is the risk closed?",
        max_length=1000,
        widget=forms.Textarea,
        error_messages={"required": "Say why the risk is closed: it is kept in the trail."},
    )


# --------------------------------------------------------------------------------------------
# The plan's structure, as leads and directors write it
# --------------------------------------------------------------------------------------------


class MonthField(forms.DateField):
    """A month, typed as 2022-09 (or picked), kept as its first day."""

    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def prepare_value(self, value):
        return value.strftime("%Y-%m") if hasattr(value, "strftime") else value

    def to_python(self, value):
        day = super().to_python(value)
        return day.replace(day=1) if day else day


class PlanForm(ReasonMixin, forms.ModelForm):
    class Meta:
        model = Plan
        fields = ["title", "version", "heading", "aim", "vision", "overseen_by", "reports_to"]
        widgets = {
            "version": forms.TextInput(attrs=SHORT),
        }


class PriorityForm(ReasonMixin, forms.ModelForm):
    class Meta:
        model = Priority
        fields = ["number", "title"]
        widgets = {
            "number": forms.NumberInput(attrs=NUMBER),
        }

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.plan = plan


LINE_KINDS = {
    "rationale": WorkstreamItem.Kind.LOCAL,
    "objectives": WorkstreamItem.Kind.OBJECTIVE,
    "deliverables": WorkstreamItem.Kind.DELIVERABLE,
}


def _lines(text):
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class WorkstreamForm(ReasonMixin, forms.ModelForm):
    """A workstream, with its rationale, objectives and deliverables as lines of text."""

    rationale = forms.CharField(
        required=False,
        help_text="Why the workstream exists: one point a line.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    objectives = forms.CharField(
        required=False, help_text="One a line.", widget=forms.Textarea(attrs={"rows": 5})
    )
    deliverables = forms.CharField(
        required=False, help_text="One a line.", widget=forms.Textarea(attrs={"rows": 5})
    )

    class Meta:
        model = Workstream
        fields = ["priority", "number", "title", "lead"]
        widgets = {
            "number": forms.TextInput(attrs=SHORT),
        }

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priority"].queryset = plan.priorities.order_by("number")
        if self.instance.pk:
            for name, kind in LINE_KINDS.items():
                self.initial[name] = "\n".join(
                    i.text for i in self.instance.items.filter(kind=kind).order_by("order")
                )

    def record_trail(self, saved, *, user, reason, context):
        """The rationale, objectives and deliverables as they were and are, one a line."""
        for name in LINE_KINDS:
            AuditEntry.record_set(
                saved,
                name,
                _lines(self.initial.get(name, "")),
                _lines(self.cleaned_data[name]),
                user=user,
                reason=reason,
                context=context,
                ordered=True,
            )

    def save(self, commit=True):
        saved = super().save(commit)
        for name, kind in LINE_KINDS.items():
            lines = _lines(self.cleaned_data[name])
            if [i.text for i in saved.items.filter(kind=kind).order_by("order")] != lines:
                saved.items.filter(kind=kind).delete()
                WorkstreamItem.objects.bulk_create(
                    WorkstreamItem(workstream=saved, kind=kind, text=text, order=n)
                    for n, text in enumerate(lines, start=1)
                )
        return saved


class _OfAWorkstream(ReasonMixin, forms.ModelForm):
    """A key action, milestone or metric of one workstream, with its reference and its place in
    the workstream's list."""

    class Meta:
        widgets = {
            "reference": forms.TextInput(attrs=CODE),
            "order": forms.NumberInput(attrs=NUMBER),
        }

    def __init__(self, *args, workstream, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.workstream = workstream


class KeyActionForm(_OfAWorkstream):
    due_month = MonthField(
        label="Due by (month)",
        required=False,
        widget=forms.DateInput(attrs=MONTH),
        help_text="For example, 2022-09.",
    )

    class Meta(_OfAWorkstream.Meta):
        model = KeyAction
        fields = ["reference", "text", "owners", "due_month", "order"]
        labels = {"text": "The action", "owners": "Owners (people or teams)"}
        help_texts = {"owners": "Hold Ctrl (Cmd on a Mac) to choose more than one."}
        widgets = {**_OfAWorkstream.Meta.widgets, "owners": forms.SelectMultiple(attrs={"size": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owners"].queryset = Owner.objects.order_by("name")


class MilestoneForm(_OfAWorkstream):
    month = MonthField(label="Month", required=False, widget=forms.DateInput(attrs=MONTH))

    class Meta(_OfAWorkstream.Meta):
        model = Milestone
        fields = ["reference", "name", "month", "order"]


class PlanMetricForm(_OfAWorkstream):
    class Meta(_OfAWorkstream.Meta):
        model = PlanMetric
        fields = ["reference", "name", "measure", "printed_values", "order"]
        labels = {"measure": "The measure it follows", "printed_values": "Or the figures, typed"}
        help_texts = {
            "measure": "Linked, the plan shows the measure's own figures, target and status.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure"].queryset = Measure.objects.filter(active=True).order_by("code")
        self.fields["measure"].label_from_instance = lambda m: f"{m.code} {m.name}"

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("measure") and not cleaned.get("printed_values", "").strip():
            self.add_error("measure", "Link the measure, or type the figures.")
        return cleaned


class UpdateForm(GovukForm, forms.ModelForm):
    class Meta:
        model = ProgressUpdate
        fields = ["actions_status", "impact_status", "comment", "progress_made", "actions_next"]
        widgets = {
            "actions_status": forms.RadioSelect,
            "impact_status": forms.RadioSelect,
            "comment": forms.Textarea(attrs={"rows": 4}),
            "progress_made": forms.Textarea(attrs={"rows": 6}),
            "actions_next": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "actions_status": "Are the workstream's key actions being delivered on time?",
            "impact_status": "Are they making the difference for children that was intended?",
            "progress_made": "One point a line.",
            "actions_next": "One point a line.",
        }
        error_messages = {
            "actions_status": {"required": "Choose the status of the actions."},
            "impact_status": {"required": "Choose the status of the impact."},
            "comment": {"required": "Say in a sentence or two how the workstream stands overall."},
            "progress_made": {"required": "Say what progress was made this period."},
        }

    def __init__(self, *args, open_actions=0, replacing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.open_actions = open_actions
        for name in ("actions_status", "impact_status"):
            self.fields[name].choices = ProgressStatus.choices
        if replacing is not None:
            self.fields["reason"] = forms.CharField(
                label="Why it is being replaced",
                widget=forms.Textarea(attrs={"rows": 3, "class": "govuk-textarea"}),
                help_text="The signed-off update stays on record; say what was wrong with it.",
                error_messages={"required": "Say why the signed-off update is being replaced."},
            )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("actions_status") == ProgressStatus.COMPLETED and self.open_actions:
            self.add_error(
                "actions_status",
                f"The actions cannot be Completed while {self.open_actions} of them are still "
                "open: mark them complete first.",
            )
        if (
            cleaned.get("impact_status") == ProgressStatus.COMPLETED
            and cleaned.get("actions_status") != ProgressStatus.COMPLETED
        ):
            self.add_error(
                "impact_status", "The impact can only be Completed once the actions are."
            )
        for name in ("comment", "progress_made", "actions_next"):
            if name in cleaned:
                cleaned[name] = cleaned[name].strip()
        return cleaned


class ActionForm(GovukForm, forms.ModelForm):
    owners = forms.ModelMultipleChoiceField(
        queryset=Owner.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Owners",
        help_text="Chosen from the list of people and teams, so one owner is never two names.",
    )
    reason = forms.CharField(
        label="What changed",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept with the change in the action's history.",
    )

    class Meta:
        model = KeyAction
        fields = ["status", "completed_on", "evidence"]
        widgets = {
            "status": forms.RadioSelect,
            "completed_on": forms.DateInput(attrs=DATE),
            "evidence": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"completed_on": "Only for a completed action. For example, 27 3 2023."}

    def clean(self):
        cleaned = super().clean()
        status, done = cleaned.get("status"), cleaned.get("completed_on")
        if status == KeyAction.Status.COMPLETED:
            if not done:
                self.add_error("completed_on", "Give the date the action was completed.")
            elif done > clock.today():
                self.add_error("completed_on", "The completion date cannot be in the future.")
            if not cleaned.get("evidence", "").strip():
                self.add_error("evidence", "Say what shows the action is complete.")
        elif done:
            self.add_error("completed_on", "Only a completed action has a completion date.")
        return cleaned


class MilestoneProgressForm(GovukForm, forms.ModelForm):
    month = forms.DateField(
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs=MONTH, format="%Y-%m"),
        help_text="Leave empty while the month is not known. For example, 2023-03.",
        error_messages={"invalid": "Enter the month as year and month, for example 2023-03."},
    )
    reason = forms.CharField(
        label="What changed",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    class Meta:
        model = Milestone
        fields = Milestone.PROGRESS_FIELDS
        widgets = {"done_on": forms.DateInput(attrs=DATE)}
        labels = {"done": "Reached"}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("done") and not cleaned.get("done_on"):
            self.add_error("done_on", "Give the date the milestone was reached.")
        if not cleaned.get("done") and cleaned.get("done_on"):
            self.add_error("done_on", "Only a reached milestone has a date reached.")
        return cleaned


class PriorityStatusForm(GovukForm, forms.ModelForm):
    class Meta:
        model = PriorityStatus
        fields = ["actions_status", "impact_status", "note"]
        widgets = {
            "actions_status": forms.RadioSelect,
            "impact_status": forms.RadioSelect,
            "note": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"note": "Why"}
        error_messages = {
            "actions_status": {"required": "Choose the status of the priority's actions."},
            "impact_status": {"required": "Choose the status of the priority's impact."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("actions_status", "impact_status"):
            self.fields[name].choices = ProgressStatus.choices


class VersionForm(GovukForm):
    version = forms.CharField(
        max_length=40,
        help_text="As the new plan will be labelled, for example v3.0.",
        error_messages={"required": "Give the new version a label."},
    )

    def clean_version(self):
        version = self.cleaned_data["version"].strip()
        if Plan.objects.filter(version__iexact=version).exists():
            raise forms.ValidationError(f"There is already a plan {version}.")
        return version
