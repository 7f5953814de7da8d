"""The figures app's forms: uploading a file, correcting a figure, writing commentary and an
area's narrative."""

from django import forms

from metrics import calculations as calc
from metrics.models import Direction, Rag, Upload
from scrutiny.editing import FilterForm, GovukForm


class UploadForm(GovukForm):
    kind = forms.ChoiceField(
        label="What is in the file?",
        choices=[
            (Upload.Kind.FIGURES, "Figures for one or more periods"),
            (Upload.Kind.LIBRARY, "Measures, targets and comparators (the measure library)"),
            (Upload.Kind.FINANCE, "Finance: budget, outturn, high-risk budgets and placements"),
        ],
        initial=Upload.Kind.FIGURES,
        required=False,
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label="Upload a file of figures",
        help_text="CSV or XLSX, in the long layout of the template or the wide layout of the "
        "scorecard (one row per measure, one column per period).",
        error_messages={"required": "Choose a CSV or XLSX file to upload."},
    )


class CorrectionForm(GovukForm):
    figure = forms.ChoiceField(
        label="Figure to correct",
        help_text="The measure's figures, latest first, with the value each has now",
        error_messages={"required": "Choose the figure to correct.",
                        "invalid_choice": "Choose one of the measure's figures."},
    )  # fmt: skip
    value = forms.CharField(label="Correct value")
    numerator = forms.CharField(required=False, label="Numerator (optional)")
    denominator = forms.CharField(required=False, label="Denominator (optional)")
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the figure is being corrected."},
    )

    FIGURES_OFFERED = 120

    def __init__(self, *args, measure, **kwargs):
        super().__init__(*args, **kwargs)
        self.measure = measure
        self.figures = {}
        for o in measure.observations.order_by("-period_end", "breakdown")[: self.FIGURES_OFFERED]:
            period = calc.Period(o.period_end, o.period_kind)
            key = f"{period.key}|{o.breakdown}"
            self.figures[key] = (period, o)
        self.fields["figure"].choices = [("", "Choose a figure")] + [
            (key, f"{period.label}, {o.breakdown or 'whole authority'}: "
                  f"{measure.format_value(o.value)} ({'published' if o.published else 'draft'})")
            for key, (period, o) in self.figures.items()
        ]  # fmt: skip

    def clean_figure(self):
        period, observation = self.figures[self.cleaned_data["figure"]]
        return period, observation.breakdown


class CommentaryForm(GovukForm):
    period = forms.ChoiceField(label="Period")
    text = forms.CharField(
        label="Commentary",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Plain text, or Markdown for emphasis and lists. Members see it once the "
        "period is published.",
    )

    def __init__(self, *args, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.periods = {p.key: p for p in periods}
        self.fields["period"].choices = [(p.key, p.label) for p in periods]


class NarrativeForm(CommentaryForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].label = "Narrative"
        self.fields["text"].widget.attrs["rows"] = 20
        self.fields["text"].help_text = (
            "The report's opening narrative for the area: paragraphs separated by a blank line. "
            "Members see it above the scorecard, and in the pack, once the period is published."
        )


class ScorecardFilter(FilterForm):
    """A scorecard's period, filters and order, read from the URL. The period is any the
    council reports (the latest when none is given); a period that cannot be read, or a filter
    that does not exist, is named in ``problem`` and the page shows the rest."""

    period = forms.CharField(label="Period", widget=forms.Select)  # read by __init__
    section = forms.ChoiceField(label="Section")
    rag = forms.ChoiceField(label="Status", choices=[("", "Any status"), *Rag.choices])
    direction = forms.ChoiceField(
        label="Direction", choices=[("", "Any direction"), *Direction.choices]
    )
    breakdown = forms.ChoiceField(label="Area")
    sort = forms.ChoiceField(label="Sort by")

    def __init__(self, data, *, latest, kind, periods, sections, breakdowns, sorts):
        data, self.problems = data.copy(), []
        self.period = latest
        if data.get("period"):
            try:
                self.period = calc.parse_period(data["period"], kind=kind)
            except ValueError as error:
                self.problems.append(f"{str(error).rstrip('.')}. Showing the latest period instead")
        data["period"] = self.period.key if self.period else ""
        super().__init__(data)
        self.fields["period"].widget.choices = [(p.key, p.label) for p in periods]
        self.fields["section"].choices = [("", "All sections"), *((s.pk, s.name) for s in sections)]
        self.fields["breakdown"].choices = [("", "Whole authority"), *((b, b) for b in breakdowns)]
        self.fields["sort"].choices = sorts
        chosen = self.chosen
        for name in ("section", "rag", "direction", "breakdown", "sort"):
            if self.data.get(name) and not chosen[name]:
                value = self.data[name][:40]
                self.problems.append(f"There is no {name} '{value}'. It has been ignored")

    @property
    def problem(self):
        """The first thing in the URL that was not understood, or ""."""
        return self.problems[0] if self.problems else ""

    @property
    def offered(self):
        """The filters to draw: the area (locality) only where the figures have them."""
        return [f for f in self if f.name != "breakdown" or len(f.field.choices) > 1]
