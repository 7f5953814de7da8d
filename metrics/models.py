import bisect
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F
from django.db.models.functions import Abs, Cast, RowNumber
from django.urls import reverse

from metrics import calculations as calc
from metrics import charts
from scrutiny.roles import drafts_flag


class Polarity(models.TextChoices):
    BIGGER = calc.BIGGER, "Bigger is Better"
    SMALLER = calc.SMALLER, "Smaller is Better"
    PLAN = calc.PLAN, "Plan is best"


class ReportingBasis(models.TextChoices):
    YEAR_TO_DATE = "ytd", "Year to Date"
    ROLLING_YEAR = "rolling", "Rolling Year"
    ANNUAL = "annual", "Annual"
    LATEST_QUARTER = "quarter", "Latest Quarter"
    SNAPSHOT = "snapshot", "Snapshot"
    FORECAST = "forecast", "Forecast"
    NOT_STATED = "", "Not stated"


class Frequency(models.TextChoices):
    MONTHLY = calc.MONTH, "Monthly"
    QUARTERLY = calc.QUARTER, "Quarterly"
    ANNUAL = calc.YEAR, "Annual"


class Unit(models.TextChoices):
    PERCENT = "percent", "Percentage"
    COUNT = "count", "Count"
    RATE_10K = "rate_10k", "Rate per 10,000 children"
    DAYS_PER_FTE = "days_fte", "Days per FTE"
    DAYS = "days", "Days"
    NUMBER = "number", "Number"


class ToleranceKind(models.TextChoices):
    RELATIVE = calc.RELATIVE, "% of the target"
    ABSOLUTE = calc.ABSOLUTE, "In the measure's units"


class Rag(models.TextChoices):
    GREEN = "green", "Better than or on target"
    AMBER = "amber", "Worse than target, within tolerance"
    RED = "red", "Significantly worse than target"
    NO_VALUE = "no_value", "No value"
    MISSING_TARGET = "missing_target", "Missing target"
    NOT_JUDGED = "not_judged", "Not judged"


class Direction(models.TextChoices):
    IMPROVING = "improving", "Improving"
    DECLINING = "declining", "Declining"
    NO_CHANGE = "no_change", "No significant change"
    NOT_COMPARABLE = "not_comparable", "Not comparable"


class Variation(models.TextChoices):
    COMMON = "common_cause", "Common cause variation"
    IMPROVEMENT = "special_cause_improvement", "Special cause: improvement"
    CONCERN = "special_cause_concern", "Special cause: concern"
    NEUTRAL = "special_cause_neutral", "Special cause: neither better nor worse"
    NOT_ENOUGH = "not_enough_data", "Not enough data"


class Assurance(models.TextChoices):
    PASS = "consistently_pass", "Target consistently met"
    FAIL = "consistently_fail", "Target consistently missed"
    HIT_AND_MISS = "hit_and_miss", "Target hit and miss"
    NO_TARGET = "no_target", "No target"
    NOT_ENOUGH = "not_enough_data", "Not enough data"


class QaRole(models.TextChoices):
    """What a measure of the quality-assurance report stands for, so that its page can draw
    the audits against their targets, the grade mix and the moderation from ordinary measures."""

    NONE = "", "None"
    AUDITS = "audits", "Audits completed"
    COMPLETION = "completion", "Audit completion rate"
    GOOD = "good", "Share graded Good or better"
    REQUIRES_IMPROVEMENT = "ri", "Share graded Requires improvement"
    INADEQUATE = "inadequate", "Share graded Inadequate"
    MODERATED_UP = "moderated_up", "Share graded up by moderators"
    MODERATED_DOWN = "moderated_down", "Share graded down by moderators"
    FOLLOW_UP = "follow_up", "Audit actions followed up in time"


class ServiceAreaQuerySet(models.QuerySet):
    def list_with_headlines(self, drafts, ending=None):
        """Each area with its latest reporting period (or the one ending in the month
        ``ending``), the headline share for it and for the period before, and the counts by
        RAG, from the engine's roll-up (AreaRagCount): three small queries whatever the
        number of measures or years. Committee members' counts are of the published view.
        The one definition of the headline: pages, API, packs and exports all read it here."""
        drafts = drafts_flag(drafts)
        areas = list(self)
        field = "total" if drafts else "published"
        counted = AreaRagCount.objects.filter(area__in=areas, **{f"{field}__gt": 0})
        if ending is not None:
            counted = counted.filter(period_end=ending)
        latest = {
            row["area_id"]: row["latest"]
            for row in counted.values("area_id").annotate(latest=models.Max("period_end"))
        }
        kinds = {}
        for area_id, kind in (
            counted.filter(period_end__in=set(latest.values()))
            .order_by("period_kind")
            .values_list("area_id", "period_kind")
        ):
            kinds.setdefault(area_id, kind)  # the shortest period when two end together
        wanted = models.Q(pk__in=[])
        for area in areas:
            end = latest.get(area.pk)
            area.period = calc.Period(end, kinds[area.pk]) if end else None
            if area.period:
                area.previous_period = area.period.previous()
                for period in (area.period, area.previous_period):
                    wanted |= models.Q(area=area, period_kind=period.kind, period_end=period.end)
        counts = {}
        for area_id, kind, end, rag, number in AreaRagCount.objects.filter(wanted).values_list(
            "area_id", "period_kind", "period_end", "rag", field
        ):
            if number:
                counts.setdefault((area_id, kind, end), {})[rag] = number
        for area in areas:
            area.headline = area.previous_headline = None
            area.rag_counts = {}
            if area.period:
                area.rag_counts = counts.get((area.pk, area.period.kind, area.period.end), {})
                area.headline = _headline(area.rag_counts)
                previous = counts.get(
                    (area.pk, area.previous_period.kind, area.previous_period.end)
                )
                area.previous_headline = _headline(previous) if previous else None
        return areas


def _real(name):
    return Cast(F(name), models.FloatField())


def _top(statuses, order, count):
    """The first ``count`` statuses of each area in this order, ranked by the database."""
    ranked = statuses.annotate(
        place=models.Window(RowNumber(), partition_by=[F("measure__area_id")], order_by=order)
    ).filter(place__lte=count)
    return list(
        ranked.select_related("measure")
        .only(
            "measure_id",
            "period_kind",
            "period_end",
            "published",
            "value",
            "target",
            "previous_value",
            "rag",
            "direction",
            "spc_variation",
            "measure__code",
            "measure__name",
            "measure__area_id",
            "measure__polarity",
            "measure__unit",
            "measure__precision",
        )
        .order_by("measure__area_id", "place")
    )


def _headline(counts):
    return calc.headline_from_counts(
        counts.get("green", 0), counts.get("amber", 0), counts.get("red", 0)
    )


class ServiceArea(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)
    headline_note = models.TextField(
        blank=True,
        help_text="How the council's own papers give the headline share, where that differs "
        "from the product's count (which judges only measures with a target in force); shown "
        "under the headline",
    )
    quality_assurance = models.BooleanField(
        "Holds the quality-assurance report",
        default=False,
        help_text="The area's measures are the case-file audits, shown on the Quality "
        "assurance page as well as the scorecard",
    )
    public_scorecard = models.BooleanField(
        "Publish the scorecard on the public pages",
        default=False,
        help_text="Anyone, without signing in, may then read this area's published scorecard "
        "at /public/; never drafts",
    )
    figures_version = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Goes up whenever the area's statuses or commentary change: pages cached "
        "under an older number are never shown again",
    )

    objects = ServiceAreaQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("metrics:scorecard", args=[self.slug])

    def published_in(self, period):
        """Whether any of the area's figures for the period are published."""
        return Observation.objects.filter(
            measure__area=self, period_kind=period.kind, period_end=period.end, published=True
        ).exists()


class Section(models.Model):
    area = models.ForeignKey(ServiceArea, on_delete=models.CASCADE, related_name="sections")
    name = models.CharField(max_length=200)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["area", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="unique_section_name_in_area")
        ]

    def __str__(self):
        return f"{self.area} / {self.name}"


class MeasureQuerySet(models.QuerySet):
    def recompute_statuses(self):
        """Judge every value of these measures and replace their statuses, in one transaction.

        Idempotent: it rebuilds the statuses from the figures, so running it twice, or again
        after a worker died halfway (the transaction rolled back), gives the same statuses.
        Returns the number of statuses written.
        """
        from metrics.engine import recompute

        return recompute(self)

    def request_recompute(self):
        """Record, in the current transaction, that these measures' statuses are wanted, and
        queue the recompute once it commits. If the broker cannot take it, the record stays
        and the sweeper queues it again."""
        from django.utils import timezone

        from metrics.tasks import recompute_in_background
        from scrutiny.queue import enqueue

        ids = sorted(int(pk) for pk in self.values_list("pk", flat=True))
        Measure.objects.filter(pk__in=ids).update(recompute_wanted_at=timezone.now())
        enqueue(recompute_in_background, ids)
        return ids

    def for_scorecard(self, area, period, drafts, columns=5, breakdown=""):
        """The area's active measures as scorecard rows for ``period``: the last ``columns``
        periods' values, the status (value, target, RAG, directions) in ``period``, comparators,
        the period's commentary and any revision of a published figure. Five queries whatever
        the number of measures."""
        drafts = drafts_flag(drafts)
        periods = [period]
        while len(periods) < columns:
            periods.insert(0, periods[0].previous())
        measures = list(
            self.filter(area=area, active=True)
            .select_related("section")
            .prefetch_related("comparators")
        )
        statuses = MeasureStatus.objects.in_view(drafts).filter(
            measure__in=measures,
            breakdown=breakdown,
            period_kind=period.kind,
            period_end__in=[p.end for p in periods],
        )
        by_key = {(s.measure_id, s.period_end): s for s in statuses}
        notes = {
            c.measure_id: c
            for c in Commentary.objects.in_view(drafts)
            .filter(measure__in=measures, period_kind=period.kind, period_end=period.end)
            .order_by("written_at")
        }
        ObservationChange.objects.attach_revisions(by_key.values())
        for measure in measures:
            measure.history = [by_key.get((measure.pk, p.end)) for p in periods]
            measure.status = measure.history[-1]
            measure.comment = notes.get(measure.pk)
            measure.shown_comparators = measure.comparators_at(period.end)
            measure.sparkline = charts.sparkline(
                [calc.as_float(s.value) if s else None for s in measure.history]
            )
        return periods, measures


class Measure(models.Model):
    code = models.SlugField(max_length=40, unique=True, help_text="Short, stable identifier")
    name = models.CharField(max_length=300)
    area = models.ForeignKey(ServiceArea, on_delete=models.PROTECT, related_name="measures")
    section = models.ForeignKey(
        Section, on_delete=models.PROTECT, related_name="measures", null=True, blank=True
    )
    definition = models.TextField(blank=True)
    source = models.TextField(
        blank=True, help_text="Where the figures come from (system, report, paper and lines)"
    )
    owner = models.CharField(max_length=200, blank=True)
    unit = models.CharField(max_length=20, choices=Unit.choices, default=Unit.PERCENT)
    precision = models.PositiveSmallIntegerField(default=1, help_text="Decimal places to show")
    polarity = models.CharField(max_length=10, choices=Polarity.choices)
    reporting_basis = models.CharField(
        max_length=10, choices=ReportingBasis.choices, blank=True, default=""
    )
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    tolerance_kind = models.CharField(
        max_length=10, choices=ToleranceKind.choices, default=ToleranceKind.RELATIVE
    )
    tolerance = models.DecimalField(
        max_digits=10,
        decimal_places=4,
        default=calc.DEFAULT_TOLERANCE_PERCENT,
        help_text="Worse than target by no more than this is amber (default 5% of the target)",
    )
    deadband_kind = models.CharField(
        "direction-of-travel dead-band kind",
        max_length=10,
        choices=ToleranceKind.choices,
        default=ToleranceKind.RELATIVE,
    )
    deadband = models.DecimalField(
        "direction-of-travel dead-band",
        max_digits=10,
        decimal_places=4,
        default=calc.DEFAULT_DEADBAND_PERCENT,
        help_text="A change smaller than this is 'no significant change' (default 1%)",
    )
    judged = models.BooleanField(
        default=True, help_text="Off for measures reported for information only"
    )
    # The SPC settings, in SpcSettings's order: read by the engine, loaded from the library.
    SPC_FIELDS = (
        "spc_min_points",
        "spc_run_length",
        "spc_trend_length",
        "spc_screen_ranges",
        "spc_two_of_three_counts_beyond",
        "spc_baseline_points",
    )
    spc_min_points = models.PositiveSmallIntegerField("SPC: points needed", default=12)
    spc_run_length = models.PositiveSmallIntegerField("SPC: run length", default=7)
    spc_trend_length = models.PositiveSmallIntegerField("SPC: trend length", default=7)
    spc_screen_ranges = models.BooleanField("SPC: screen moving ranges", default=True)
    spc_two_of_three_counts_beyond = models.BooleanField(
        "SPC: two-of-three counts points beyond the limits", default=False
    )
    spc_baseline_points = models.PositiveSmallIntegerField(
        "SPC: fix limits from the first n points", null=True, blank=True
    )
    active = models.BooleanField(default=True)
    order = models.PositiveIntegerField(default=0)
    national_measure = models.ForeignKey(
        "NationalMeasure",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measures",
        help_text="The DfE's published measure this one is compared with",
    )
    national_note = models.CharField(
        max_length=500,
        blank=True,
        help_text="Where the council's definition differs from the DfE's (quarterly against "
        "annual, rolling year…)",
    )
    qa_role = models.CharField(
        "Part in the quality-assurance report",
        max_length=16,
        choices=QaRole.choices,
        blank=True,
        default="",
        help_text="Only for the measures of case-file audits: how the quality-assurance page "
        "draws them (grades by legal status, team or area of practice are the measure's "
        "breakdowns, e.g. 'Legal status: Children in care')",
    )
    figures_revision = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Goes up with every committed change to the measure's figures: a file "
        "checked against an older revision is checked again before it is loaded",
    )
    recompute_wanted_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="Set with a change that needs the statuses recomputed, cleared by the "
        "recompute: the sweeper queues the recompute again while it stays set",
    )

    objects = MeasureQuerySet.as_manager()

    class Meta:
        ordering = ["area", "section__order", "order", "code"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("metrics:measure", args=[self.code])

    def clean(self):
        if self.section_id and self.area_id and self.section.area_id != self.area_id:
            raise ValidationError({"section": "The section belongs to another service area."})
        national = self.national_measure
        if national and national.polarity and self.polarity != national.polarity:
            raise ValidationError(
                {
                    "national_measure": f"The DfE counts {national.get_polarity_display().lower()}"
                    f" for {national.name}, but this measure is "
                    f"{self.get_polarity_display().lower()}: they cannot be compared."
                }
            )
        if self.unit == Unit.PERCENT and self.tolerance_kind == ToleranceKind.ABSOLUTE:
            if self.tolerance is not None and self.tolerance > 100:
                raise ValidationError({"tolerance": "A tolerance above 100 points is never met."})
        try:
            self.spc_settings()
        except ValueError as error:
            raise ValidationError(str(error)) from None

    def spc_settings(self):
        return calc.SpcSettings(
            min_points=self.spc_min_points,
            run_length=self.spc_run_length,
            trend_length=self.spc_trend_length,
            screen_ranges=self.spc_screen_ranges,
            two_of_three_counts_beyond=self.spc_two_of_three_counts_beyond,
            baseline_points=self.spc_baseline_points,
        )

    def format_value(self, value):
        if value is None:
            return "No value"
        text = f"{value:,.{self.precision}f}"
        return f"{text}%" if self.unit == Unit.PERCENT else text

    def comparators_at(self, day=None):
        """The comparators to show beside the figure for a period ending on ``day``. A measure
        linked to a national one shows those computed from the published statistics: for each
        kind, the latest year ending on or before ``day`` (the latest published when no day).
        Otherwise, or before the first published year, those typed in. Reads the prefetched
        comparators."""
        every = list(self.comparators.all())
        latest = {}
        for comparator in every:
            if not comparator.national or (day is not None and comparator.as_at > day):
                continue
            kept = latest.get(comparator.kind)
            if kept is None or comparator.as_at > kept.as_at:
                latest[comparator.kind] = comparator
        if latest:
            order = [
                Comparator.Kind.STATISTICAL_NEIGHBOURS,
                Comparator.Kind.REGION,
                Comparator.Kind.ENGLAND,
            ]
            return sorted(latest.values(), key=lambda c: order.index(c.kind))
        return [c for c in every if not c.national]


def validate_period_start(day):
    if day and day.day != 1:
        raise ValidationError("A period is named by the first day of the month it ends in.")


class Target(models.Model):
    class Kind(models.TextChoices):
        STANDARD = "standard", "Standard"
        STRETCH = "stretch", "Stretch"
        SHORT_TERM = "short_term", "Short-term"
        BASELINE = "baseline", "Baseline"

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="targets")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.STANDARD)
    value = models.DecimalField(max_digits=14, decimal_places=4)
    effective_from = models.DateField(
        validators=[validate_period_start],
        help_text="First day of the first month (or period-end month) the target applies to",
    )
    effective_to = models.DateField(
        null=True,
        blank=True,
        validators=[validate_period_start],
        help_text="Last month it applies to; empty while in force",
    )
    source = models.TextField(blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["measure", "effective_from"]

    def __str__(self):
        kind = self.get_kind_display()
        return f"{self.measure.code} {kind} {self.value} from {self.effective_from:%b %Y}"

    def clean(self):
        if self.effective_to and self.effective_from and self.effective_to < self.effective_from:
            raise ValidationError({"effective_to": "The target ends before it starts."})
        if not self.measure_id or not self.effective_from:
            return
        measure = self.measure
        if measure.unit == Unit.PERCENT and self.value is not None and not 0 <= self.value <= 100:
            raise ValidationError({"value": "A percentage target must be between 0 and 100."})
        if measure.frequency == Frequency.QUARTERLY and self.effective_from.month not in (
            3,
            6,
            9,
            12,
        ):
            raise ValidationError(
                {
                    "effective_from": f"{measure.code} is reported quarterly: a target starts at a "
                    "quarter's end month (March, June, September or December)."
                }
            )
        if measure.frequency == Frequency.ANNUAL and self.effective_from.month != 3:
            raise ValidationError(
                {
                    "effective_from": f"{measure.code} is reported for financial years: a target "
                    "starts in March."
                }
            )
        far_future = date(9999, 12, 1)
        overlapping = (
            Target.objects.filter(measure=measure)
            .exclude(pk=self.pk)
            .filter(
                effective_from__lte=self.effective_to or far_future,
            )
            .filter(
                models.Q(effective_to__isnull=True)
                | models.Q(effective_to__gte=self.effective_from)
            )
        )
        clash = overlapping.first()
        if clash:
            raise ValidationError(
                f"This target's months overlap another target of {measure.code} ({clash.value} "
                f"from {clash.effective_from:%b %Y}"
                f"{' to ' + format(clash.effective_to, '%b %Y') if clash.effective_to else ''}). "
                "End that one first."
            )


class Comparator(models.Model):
    class Kind(models.TextChoices):
        STATISTICAL_NEIGHBOURS = "stat_neighbours", "Statistical neighbours"
        ENGLAND = "england", "England"
        REGION = "region", "Region"
        PEER_GROUP = "peer_group", "Peer group"
        OTHER = "other", "Other"

    class Availability(models.TextChoices):
        VALUE = "value", "Value"
        NOT_AVAILABLE = "not_available", "Not available"
        UNKNOWN = "unknown", "Unknown"

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="comparators")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    label = models.CharField(max_length=200, blank=True)
    availability = models.CharField(
        max_length=15, choices=Availability.choices, default=Availability.VALUE
    )
    value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    as_at = models.DateField(null=True, blank=True, help_text="The date the comparator describes")
    period_label = models.CharField(max_length=40, blank=True, help_text="e.g. 2020/21")
    source = models.TextField(blank=True)
    national = models.BooleanField(
        default=False,
        editable=False,
        help_text="Computed from the DfE's published statistics, never typed",
    )

    class Meta:
        ordering = ["measure", "kind", "-as_at"]

    def __str__(self):
        return f"{self.measure.code} {self.get_kind_display()}"

    def clean(self):
        if self.availability == self.Availability.VALUE and self.value is None:
            raise ValidationError(
                {"value": "Give the value, or say it is not available or unknown."}
            )
        if self.availability != self.Availability.VALUE and self.value is not None:
            raise ValidationError({"value": "A comparator that is not available has no value."})
        if (
            self.value is not None
            and self.measure_id
            and self.measure.unit == Unit.PERCENT
            and not 0 <= self.value <= 100
        ):
            raise ValidationError({"value": "A percentage must be between 0 and 100."})

    @property
    def as_text(self):
        if self.availability == self.Availability.VALUE:
            return self.measure.format_value(self.value)
        return self.get_availability_display()

    @property
    def name(self):
        return self.label or self.get_kind_display()

    @property
    def period_note(self):
        return f" ({self.period_label})" if self.period_label else ""

    @property
    def summary(self):
        """As the scorecard, export and pack print it: "England: 21.5% (2021/22)"."""
        return f"{self.name}: {self.as_text}{self.period_note}"

    @property
    def title(self):
        """As a chart's legend names it: "England (2021/22)"."""
        return f"{self.name}{self.period_note}"


class PublishedQuerySet(models.QuerySet):
    """For figures, statuses and commentary: what a reader may see."""

    def in_view(self, drafts):
        """Published rows only for a reader; drafts too for those who may see them."""
        return self if drafts_flag(drafts) else self.filter(published=True)


class ObservationQuerySet(PublishedQuerySet):
    def whole_authority(self):
        return self.filter(breakdown="")


class Observation(models.Model):
    class Quality(models.TextChoices):
        NONE = "", "—"
        PROVISIONAL = "provisional", "Provisional"
        REVISED = "revised", "Revised"
        SUPPRESSED = "suppressed", "Suppressed (small numbers)"

    # Indexed by the unique constraint below, which starts with the measure.
    measure = models.ForeignKey(
        Measure, on_delete=models.CASCADE, related_name="observations", db_index=False
    )
    period_kind = models.CharField(max_length=10, choices=Frequency.choices)
    period_end = models.DateField(validators=[validate_period_start])
    breakdown = models.CharField(
        max_length=120,
        blank=True,
        default="",
        help_text="Locality, team or group; empty for the whole authority",
    )
    value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    numerator = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    denominator = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    quality = models.CharField(max_length=12, choices=Quality.choices, blank=True, default="")
    note = models.TextField(blank=True)
    source = models.TextField(blank=True)
    published = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)
    # No database constraint: a month's load writes a million rows, and a constraint trigger
    # per row doubles the time; users are never deleted (they are deactivated).
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )

    objects = ObservationQuerySet.as_manager()

    class Meta:
        ordering = ["measure", "breakdown", "period_kind", "period_end"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "period_kind", "period_end", "breakdown"],
                name="one_value_per_measure_period_breakdown",
            )
        ]

    def __str__(self):
        return f"{self.measure.code} {self.period} {self.breakdown or 'whole authority'}"

    @property
    def period(self):
        return calc.Period(self.period_end, self.period_kind)

    def clean(self):
        if not self.measure_id:
            return
        if self.period_kind and self.period_end:
            try:
                self.period  # noqa: B018 - validates the month against the period kind
            except ValueError as error:
                raise ValidationError({"period_end": str(error)}) from None
            if self.period_kind != self.measure.frequency:
                raise ValidationError(
                    {
                        "period_kind": f"{self.measure.code} is reported "
                        f"{self.measure.get_frequency_display().lower()}."
                    }
                )
        if (
            self.measure.unit == Unit.PERCENT
            and self.value is not None
            and not 0 <= self.value <= 100
        ):
            raise ValidationError({"value": "A percentage must be between 0 and 100."})
        if self.numerator is not None and self.denominator is not None:
            if self.numerator > self.denominator and self.measure.unit == Unit.PERCENT:
                raise ValidationError(
                    {"numerator": "The numerator is larger than the denominator."}
                )


class MeasureStatusQuerySet(models.QuerySet):
    def in_view(self, drafts):
        """The published view, computed from published figures alone, for a reader; the
        working view, drafts included, for those who may see drafts."""
        if drafts_flag(drafts):
            return self.filter(in_working_view=True)
        return self.filter(working=False)

    def whole_authority(self):
        return self.filter(breakdown="", measure__active=True)

    def in_latest_periods(self, areas):
        """These statuses, in each area's latest period."""
        by_period = {}
        for area in areas:
            if area.period:
                by_period.setdefault(area.period, []).append(area.pk)
        wanted = models.Q(pk__in=[])
        for period, area_ids in by_period.items():
            wanted |= models.Q(
                period_end=period.end, period_kind=period.kind, measure__area__in=area_ids
            )
        return self.filter(wanted)

    def dashboard(self, areas, drafts, exceptions=6, movers=5):
        """For each area's latest period: the worst exceptions (red or declining: red first,
        declining first, then furthest from target), how many there are, and the biggest
        movers since the period before, each with its line of commentary. Four queries; the
        ranking is done by the database, so a thousand measures cost no more than ten."""
        drafts = drafts_flag(drafts)
        latest = self.in_latest_periods(areas).annotate(
            sign=models.Case(
                models.When(measure__polarity=Polarity.SMALLER, then=models.Value(-1.0)),
                default=models.Value(1.0),
                output_field=models.FloatField(),
            )
        )
        worse = latest.filter(models.Q(rag=Rag.RED) | models.Q(direction=Direction.DECLINING))
        value, target, previous = _real("value"), _real("target"), _real("previous_value")
        no_target = models.Q(target__isnull=True) | models.Q(target=0)
        shortfall = models.Case(
            models.When(no_target, then=None),
            models.When(measure__polarity=Polarity.PLAN, then=Abs(value - target) / Abs(target)),
            default=(target - value) * F("sign") / Abs(target),
            output_field=models.FloatField(),
        )
        # Exceptions with no target to fall short of (declining, not judged) come last.
        worst = _top(
            worse.annotate(
                rag_rank=models.Case(models.When(rag=Rag.RED, then=0), default=1),
                declining_rank=models.Case(
                    models.When(direction=Direction.DECLINING, then=0), default=1
                ),
                shortfall=shortfall,
                area_total=models.Window(models.Count("id"), partition_by=[F("measure__area_id")]),
            ),
            ["rag_rank", "declining_rank", models.F("shortfall").desc(nulls_last=True)],
            exceptions,
        )
        counts = {s.measure.area_id: s.area_total for s in worst}
        moved = _top(
            latest.filter(previous_value__isnull=False)
            .exclude(previous_value=0)
            .exclude(value=F("previous_value"))
            .annotate(
                movement=models.ExpressionWrapper(
                    (value - previous) * F("sign") / Abs(previous),
                    output_field=models.FloatField(),
                )
            ),
            [Abs(F("movement")).desc()],
            movers,
        )
        chosen = worst + moved
        notes = {}
        if chosen:
            comments = (
                Commentary.objects.in_view(drafts)
                .filter(
                    measure__in={s.measure_id for s in chosen},
                    period_end__in={s.period_end for s in chosen},
                )
                .order_by("written_at")
            )
            notes = {(c.measure_id, c.period_kind, c.period_end): c for c in comments}
        found = {
            area.pk: {"exceptions": [], "exception_count": counts.get(area.pk, 0), "movers": []}
            for area in areas
        }
        for status in chosen:
            status.comment = notes.get((status.measure_id, status.period_kind, status.period_end))
        for status in worst:
            found[status.measure.area_id]["exceptions"].append(status)
        for status in moved:
            found[status.measure.area_id]["movers"].append(status)
        return found

    def rag_counts(self):
        """{(area id, period kind, period end): {rag: count}} in one query."""
        counts = {}
        rows = (
            self.order_by()
            .values("measure__area_id", "period_kind", "period_end", "rag")
            .annotate(n=models.Count("id"))
        )
        for row in rows:
            key = (row["measure__area_id"], row["period_kind"], row["period_end"])
            counts.setdefault(key, {})[row["rag"]] = row["n"]
        return counts


class MeasureStatus(models.Model):
    """What the engine computed for one value: never typed, always recomputed from the figures."""

    # The unique constraint below, which starts with the measure, is its index. No database
    # constraint: the engine writes statuses only for measures it holds locked, and deleting a
    # measure deletes its statuses (Django cascades); checking a million rows at every commit
    # would cost seconds for nothing.
    measure = models.ForeignKey(
        Measure,
        on_delete=models.CASCADE,
        related_name="statuses",
        db_index=False,
        db_constraint=False,
    )
    period_kind = models.CharField(max_length=10, choices=Frequency.choices)
    period_end = models.DateField()
    breakdown = models.CharField(max_length=120, blank=True, default="")
    published = models.BooleanField(default=False)
    value = models.DecimalField(max_digits=14, decimal_places=4, null=True)
    target = models.DecimalField(max_digits=14, decimal_places=4, null=True)
    target_kind = models.CharField(max_length=12, blank=True)
    rag = models.CharField(max_length=16, choices=Rag.choices)
    previous_value = models.DecimalField(max_digits=14, decimal_places=4, null=True)
    direction = models.CharField(max_length=16, choices=Direction.choices)
    year_ago_value = models.DecimalField(max_digits=14, decimal_places=4, null=True)
    direction_year = models.CharField(max_length=16, choices=Direction.choices)
    spc_variation = models.CharField(max_length=32, choices=Variation.choices)
    spc_assurance = models.CharField(max_length=32, choices=Assurance.choices)
    spc_signal = models.CharField(max_length=16, blank=True)
    computed_at = models.DateTimeField()
    working = models.BooleanField(
        default=False,
        help_text="True for the officers' working view of a series with drafts, computed with "
        "them; False in the published view, computed from published figures alone, which is "
        "all readers see",
    )
    in_working_view = models.BooleanField(
        default=True,
        help_text="In the officers' working view: every working status, and a published one "
        "whose series has no drafts (the two views are then the same, stored once)",
    )
    row_hash = models.BigIntegerField(
        default=0,
        help_text="The engine's hash of the status, its key and what it says, to find what "
        "changed without reading it back",
    )

    objects = MeasureStatusQuerySet.as_manager()

    class Meta:
        ordering = ["measure", "breakdown", "period_kind", "period_end"]
        verbose_name_plural = "measure statuses"
        indexes = [models.Index(fields=["period_end"], name="status_period_end")]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "working", "period_kind", "period_end", "breakdown"],
                name="one_status_per_view_measure_period_breakdown",
            )
        ]

    def __str__(self):
        return f"{self.measure.code} {self.period}: {self.rag}"

    @property
    def period(self):
        return calc.Period(self.period_end, self.period_kind)


class SpcLimitsQuerySet(models.QuerySet):
    def along(self, series):
        """Each status's SPC (mean, lower, upper) for one series' statuses of one view, oldest
        first: those of the segment it falls in, (None, None, None) for a status with no value
        or in a segment with too few points to judge."""
        if not series:
            return []
        first = series[0]
        segments = list(
            self.filter(
                measure_id=first.measure_id,
                working=first.working,
                period_kind=first.period_kind,
                breakdown=first.breakdown,
            )
            .order_by("starts")
            .values_list("starts", "mean", "lower", "upper")
        )
        starts = [segment[0] for segment in segments]
        none = (None, None, None)
        limits = []
        for status in series:
            at = bisect.bisect_right(starts, status.period_end) - 1
            limits.append(none if at < 0 or status.value is None else segments[at][1:])
        return limits


class SpcLimits(models.Model):
    """The SPC mean and limits of one segment of a series (a measure, breakdown and kind of
    period) in one view, from its first point until the next baseline. Kept once per segment,
    not on each status: a new month moves the limits of the whole segment, and the statuses
    whose judgement did not change are then not written again."""

    measure = models.ForeignKey(
        Measure,
        on_delete=models.CASCADE,
        related_name="spc_limits",
        db_index=False,
        db_constraint=False,
    )
    working = models.BooleanField(default=False)
    in_working_view = models.BooleanField(default=True)
    period_kind = models.CharField(max_length=10, choices=Frequency.choices)
    breakdown = models.CharField(max_length=120, blank=True, default="")
    starts = models.DateField(help_text="The end of the segment's first period with a value")
    mean = models.FloatField(null=True, help_text="None: too few points to judge")
    lower = models.FloatField(null=True)
    upper = models.FloatField(null=True)

    objects = SpcLimitsQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "SPC limits"
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "working", "period_kind", "breakdown", "starts"],
                name="one_spc_segment_per_view_series_start",
            )
        ]

    def __str__(self):
        return f"{self.measure_id} {self.breakdown or 'whole'} from {self.starts}: {self.mean}"


class Baseline(models.Model):
    """A new SPC baseline: limits restart from this period, set by a person with a reason."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="baselines")
    starts = models.DateField(validators=[validate_period_start])
    reason = models.TextField()
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    set_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["measure", "starts"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "starts"], name="one_baseline_per_month")
        ]

    def __str__(self):
        return f"{self.measure.code} baseline from {self.starts:%b %Y}"


class WrittenForPeriod(models.Model):
    """Words officers write about a period's figures, published with them."""

    period_kind = models.CharField(max_length=10, choices=Frequency.choices)
    period_end = models.DateField(validators=[validate_period_start])
    text = models.TextField()
    source = models.TextField(blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published = models.BooleanField(default=False)

    objects = PublishedQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def period(self):
        return calc.Period(self.period_end, self.period_kind)

    @classmethod
    def _write(cls, area_id, period, text, by, publish, **about):
        """A new version for the period: every version is kept as its own row, with who wrote
        it and when; published at once only when ``publish``. The area's cached pages are
        refreshed in the same transaction."""
        from django.db import transaction

        with transaction.atomic():
            ServiceArea.objects.filter(pk=area_id).update(figures_version=F("figures_version") + 1)
            return cls.objects.create(
                period_kind=period.kind,
                period_end=period.end,
                text=text.strip(),
                written_by=by,
                published=publish,
                **about,
            )


class Commentary(WrittenForPeriod):
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="commentary")
    written_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["measure", "-period_end", "-written_at"]
        verbose_name_plural = "commentary"

    def __str__(self):
        return f"{self.measure.code} {self.period_end:%b %Y}"

    @property
    def html(self):
        from metrics.commentary import render

        return render(self.text)

    @classmethod
    def write(cls, measure, period, text, *, by, publish):
        """A new version of the period's commentary on the measure (see ``_write``)."""
        return cls._write(measure.area_id, period, text, by, publish, measure=measure)

    @classmethod
    def last_written(cls, measure, period_end):
        """The latest version written for the period, published or not."""
        return measure.commentary.filter(period_end=period_end).order_by("-written_at").first()


class Narrative(WrittenForPeriod):
    """The opening narrative of a service area's report for a period: written by officers and
    published with the figures. Every save is a new version, so the history is kept; readers
    see the latest published one."""

    area = models.ForeignKey(ServiceArea, on_delete=models.CASCADE, related_name="narratives")
    written_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["area", "-period_end", "-written_at"]

    def __str__(self):
        return f"{self.area} {self.period_end:%b %Y}"

    @property
    def paragraphs(self):
        return [p.strip() for p in self.text.replace("\r\n", "\n").split("\n\n") if p.strip()]

    @classmethod
    def write(cls, area, period, text, *, by, publish):
        """A new version of the period's narrative for the area (see ``_write``)."""
        return cls._write(area.pk, period, text, by, publish, area=area)

    @classmethod
    def latest(cls, area, period, drafts):
        """The narrative a reader sees for the period: the latest published (or, for those who
        may see drafts, the latest written)."""
        found = cls.objects.all() if drafts else cls.objects.filter(published=True)
        return (
            found.filter(area=area, period_kind=period.kind, period_end=period.end)
            .order_by("-written_at", "-pk")
            .first()
        )


def upload_path(upload, filename):
    return f"uploads/{upload.uploaded_at:%Y/%m}/{upload.sha256[:16]}-{filename[-100:]}"


class Upload(models.Model):
    """A file of figures: checked, previewed, then committed in one transaction, or discarded."""

    class Status(models.TextChoices):
        CHECKING = "checking", "Being checked"
        INVALID = "invalid", "Has problems"
        READY = "ready", "Ready to confirm"
        COMMITTED = "committed", "Loaded"
        DISCARDED = "discarded", "Discarded"
        ROLLED_BACK = "rolled_back", "Rolled back"

    class Kind(models.TextChoices):
        FIGURES = "figures", "Figures"
        LIBRARY = "library", "Measures, targets and comparators"
        FINANCE = "finance", "Finance: budget, outturn and placements"

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.FIGURES)
    file = models.FileField(upload_to=upload_path)
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.CHECKING)
    stage = models.CharField(max_length=100, blank=True)
    percent = models.PositiveSmallIntegerField(default=0)
    layout = models.CharField(max_length=10, blank=True)
    rows = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list, blank=True)
    problem_count = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)
    new_count = models.PositiveIntegerField(default=0)
    changed_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    reason = models.TextField(blank=True)
    committed_at = models.DateTimeField(null=True, blank=True)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    statuses_ready_at = models.DateTimeField(null=True, blank=True)
    statuses_error = models.TextField(
        blank=True, help_text="Why working out the statuses after loading failed"
    )
    check_attempts = models.PositiveSmallIntegerField(
        default=0, help_text="How many times a worker started checking the file"
    )
    rolled_back_at = models.DateTimeField(null=True, blank=True)
    rolled_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rollback_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self):
        return f"Upload {self.pk}: {self.original_name}"

    def get_absolute_url(self):
        return reverse("metrics:upload_detail", args=[self.pk])

    def contents(self):
        """The uploaded file's bytes."""
        with self.file.open("rb") as file:
            return file.read()

    def locked(self, status):
        """This upload's row, locked to the end of the transaction; refused unless it is
        (still) in ``status``: two people cannot load or roll back the same file twice."""
        from metrics.loading import Refused

        locked = Upload.objects.select_for_update().get(pk=self.pk)
        if locked.status != status:
            raise Refused(
                "This file has already been loaded or discarded."
                if status == Upload.Status.READY
                else "Only a loaded file can be rolled back."
            )
        return locked


class StagedFigure(models.Model):
    """A checked figure of an upload that is ready to load: kept from the check, so that
    loading it neither reads nor checks the file again, and the comparison with the stored
    figures is made in the database. Deleted once the upload is loaded or discarded."""

    upload = models.ForeignKey(
        Upload, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    row = models.PositiveIntegerField(help_text="The row of the file it came from")
    measure = models.ForeignKey(
        Measure, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    period_kind = models.CharField(max_length=10, choices=Frequency.choices)
    period_end = models.DateField()
    breakdown = models.CharField(max_length=120, blank=True, default="")
    value = models.DecimalField(max_digits=14, decimal_places=4, null=True)
    numerator = models.DecimalField(max_digits=14, decimal_places=4, null=True)
    denominator = models.DecimalField(max_digits=14, decimal_places=4, null=True)
    note = models.TextField(blank=True)

    class Meta:
        # Read only by upload, through this index; no other index to keep, no database
        # constraint to check (a million staged figures' two took 3 s to check at commit).
        indexes = [models.Index(fields=["upload", "row"], name="staged_upload_row")]

    def __str__(self):
        return f"Upload {self.upload_id} row {self.row}"


class ObservationChangeQuerySet(models.QuerySet):
    def history_of(self, measure, period, observation):
        """Every change to one figure, oldest first, with who made it."""
        return self.filter(
            measure=measure,
            period_kind=period.kind,
            period_end=period.end,
            breakdown=observation.breakdown,
        ).select_related("changed_by")

    def revisions(self):
        """Changes to figures readers had already seen: corrections of published figures, and
        their rollbacks. A draft changed before publication is not a revision."""
        return self.filter(was_published=True, existed_before=True).exclude(
            action=ObservationChange.Action.ADD
        )

    def attach_revisions(self, statuses):
        """Set ``revision`` on each status: the latest correction of its figure after it was
        published (None when never revised), for "Revised on <date>: <old> → <new>, <reason>".
        One query whatever the number of statuses."""
        statuses = [s for s in statuses if s is not None]
        for status in statuses:
            status.revision = None
        if not statuses:
            return statuses
        found = {}
        for change in (
            self.revisions()
            .filter(
                measure_id__in={s.measure_id for s in statuses},
                period_end__in={s.period_end for s in statuses},
            )
            .order_by("changed_at", "id")
        ):
            found[(change.measure_id, change.period_kind, change.period_end, change.breakdown)] = (
                change
            )
        for status in statuses:
            status.revision = found.get(
                (status.measure_id, status.period_kind, status.period_end, status.breakdown)
            )
        return statuses


class ObservationChange(models.Model):
    """The audit trail of figures: every value added, changed, removed or restored, with who,
    when, the old and new values, why, and the upload it came with."""

    class Action(models.TextChoices):
        ADD = "add", "Added"
        CHANGE = "change", "Changed"
        DELETE = "delete", "Removed"
        ROLLBACK = "rollback", "Restored by a rollback"

    # Indexed by the figure's key (below), which starts with the measure. No database
    # constraint, as for the upload and the user below: an entry is written only for a measure
    # the writer holds locked, and checking it again at commit cost 3.5 s per million entries.
    measure = models.ForeignKey(
        Measure,
        on_delete=models.CASCADE,
        related_name="changes",
        db_index=False,
        db_constraint=False,
    )
    period_kind = models.CharField(max_length=10, choices=Frequency.choices)
    period_end = models.DateField()
    breakdown = models.CharField(max_length=120, blank=True, default="")
    action = models.CharField(max_length=10, choices=Action.choices)
    old_value = models.DecimalField(max_digits=14, decimal_places=4, null=True)
    new_value = models.DecimalField(max_digits=14, decimal_places=4, null=True)
    old_numerator = models.DecimalField(max_digits=14, decimal_places=4, null=True)
    new_numerator = models.DecimalField(max_digits=14, decimal_places=4, null=True)
    old_denominator = models.DecimalField(max_digits=14, decimal_places=4, null=True)
    new_denominator = models.DecimalField(max_digits=14, decimal_places=4, null=True)
    old_note = models.TextField(blank=True)
    new_note = models.TextField(blank=True)
    existed_before = models.BooleanField(default=False)
    was_published = models.BooleanField(default=False)
    reason = models.TextField(blank=True)
    # As on Observation.updated_by: no per-row constraint trigger on the largest table. Uploads
    # and users are never deleted, and the ORM refuses to (PROTECT).
    upload = models.ForeignKey(
        Upload,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="changes",
        db_constraint=False,
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        db_constraint=False,
    )
    changed_at = models.DateTimeField()

    objects = ObservationChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [
            models.Index(fields=["measure", "period_kind", "period_end", "breakdown"]),
        ]

    def __str__(self):
        return f"{self.measure_id} {self.period_end:%Y-%m} {self.action}"

    def revision_text(self, measure):
        """What readers are told of a corrected published figure."""
        text = (
            f"Revised on {self.changed_at:%-d %B %Y}: {measure.format_value(self.old_value)} → "
            f"{measure.format_value(self.new_value)}"
        )
        return f"{text}, {self.reason}" if self.reason else text

    def revision_data(self, measure):
        """The revision as plain data, for the API and frozen packs."""
        return {
            "on": self.changed_at.date().isoformat(),
            "old_value": calc.as_float(self.old_value),
            "new_value": calc.as_float(self.new_value),
            "reason": self.reason,
            "text": self.revision_text(measure),
        }

    @property
    def period(self):
        return calc.Period(self.period_end, self.period_kind)


class Publication(models.Model):
    """Publishing (or withdrawing) a period's figures for a service area, kept as a log."""

    class Action(models.TextChoices):
        PUBLISH = "publish", "Published"
        WITHDRAW = "withdraw", "Withdrawn"

    area = models.ForeignKey(ServiceArea, on_delete=models.PROTECT, related_name="publications")
    period_kind = models.CharField(max_length=10, choices=Frequency.choices)
    period_end = models.DateField()
    action = models.CharField(max_length=10, choices=Action.choices)
    figures = models.PositiveIntegerField(default=0)
    reason = models.TextField(blank=True)
    red_without_commentary = models.TextField(
        blank=True, help_text="The red measures that had no commentary when it was published"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.area} {self.period_end:%Y-%m} {self.action}"

    @property
    def period(self):
        return calc.Period(self.period_end, self.period_kind)


class AreaRagCount(models.Model):
    """The engine's roll-up of its statuses: how many of an area's active measures had each
    RAG status in a period (whole authority), in the working view (``total``, drafts
    included) and in the published view (``published``).
    Rebuilt with the statuses, so the dashboard never counts a million rows."""

    area = models.ForeignKey(ServiceArea, on_delete=models.CASCADE, related_name="+")
    period_kind = models.CharField(max_length=10, choices=Frequency.choices)
    period_end = models.DateField()
    rag = models.CharField(max_length=16, choices=Rag.choices)
    total = models.PositiveIntegerField(default=0)
    published = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["area", "period_kind", "period_end", "rag"],
                name="one_count_per_area_period_rag",
            )
        ]
        indexes = [models.Index(fields=["area", "period_end"], name="rag_count_area_period")]

    def __str__(self):
        return f"{self.area_id} {self.period_end:%Y-%m} {self.rag}: {self.total}"

    @classmethod
    def rebuild(cls, area_ids, counted=None):
        """Recount the areas' statuses and store the counts, writing only those that changed.

        ``counted``, from the engine, is ``(measure ids, {(area id, period kind, period end,
        rag): (total, published)})``: those measures' statuses counted as it wrote them, so
        only the areas' other measures are counted by a query."""
        area_ids = list(area_ids)
        measure_ids, counts = counted or ((), {})
        counts = dict(counts)
        ServiceArea.objects.filter(pk__in=area_ids).update(
            figures_version=models.F("figures_version") + 1
        )
        others = set(
            Measure.objects.filter(area_id__in=area_ids, active=True).values_list("pk", flat=True)
        ) - set(measure_ids)
        rows = (
            MeasureStatus.objects.filter(measure_id__in=sorted(others), breakdown="")
            .order_by()
            .values_list("measure__area_id", "period_kind", "period_end", "rag")
            .annotate(
                total=models.Count("id", filter=models.Q(in_working_view=True)),
                published=models.Count("id", filter=models.Q(working=False)),
            )
        )
        for *key, total, published in rows if others else ():
            before = counts.get(tuple(key), (0, 0))
            counts[tuple(key)] = (before[0] + total, before[1] + published)
        stored = {
            tuple(key): (pk, (total, published))
            for pk, *key, total, published in cls.objects.filter(area_id__in=area_ids)
            .order_by()
            .values_list("pk", "area_id", "period_kind", "period_end", "rag", "total", "published")
        }
        gone = [pk for key, (pk, _) in stored.items() if key not in counts]
        cls.objects.filter(pk__in=gone).delete()
        changed = [
            cls(pk=stored[key][0], total=total, published=published)
            for key, (total, published) in counts.items()
            if key in stored and stored[key][1] != (total, published)
        ]
        cls.objects.bulk_update(changed, ["total", "published"], batch_size=1000)
        cls.objects.bulk_create(
            (
                cls(
                    area_id=area,
                    period_kind=kind,
                    period_end=end,
                    rag=rag,
                    total=total,
                    published=published,
                )
                for (area, kind, end, rag), (total, published) in counts.items()
                if (area, kind, end, rag) not in stored
            ),
            batch_size=5000,
        )


# National statistics: every council's published figures, for benchmarking
# --------------------------------------------------------------------------------------------


class Geography(models.Model):
    """A place the DfE publishes figures for: England, a region, a local authority, or a joint
    return of two councils (the workforce figures of North and West Northamptonshire come as
    ``940 / 941``). Councils are keyed by the DfE's 3-digit code, which outlives ONS recodings."""

    class Level(models.TextChoices):
        ENGLAND = "national", "England"
        REGION = "regional", "Region"
        COUNCIL = "council", "Local authority"
        JOINT = "joint", "Joint return"

    code = models.CharField(max_length=20, unique=True, help_text="DfE code, or ONS for regions")
    ons_code = models.CharField(max_length=9, blank=True)
    ons_codes_seen = models.CharField(max_length=200, blank=True)
    name = models.CharField(max_length=200)
    level = models.CharField(max_length=10, choices=Level.choices)
    region = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="councils"
    )
    current = models.BooleanField(default=True)
    note = models.CharField(max_length=300, blank=True, help_text="Boundary changes, joint returns")

    class Meta:
        ordering = ["level", "name"]
        verbose_name_plural = "geographies"

    def __str__(self):
        return self.name

    @property
    def is_council(self):
        return self.level == self.Level.COUNCIL

    @property
    def joint_codes(self):
        return self.code.split(" / ") if self.level == self.Level.JOINT else [self.code]


class NeighbourModel(models.Model):
    """A DfE statistical neighbour model (2021, 2025): each council's ten closest councils."""

    year = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(max_length=200)
    source = models.TextField(blank=True)
    version = models.PositiveIntegerField(
        default=0, editable=False, help_text="Goes up whenever its neighbours change"
    )

    class Meta:
        ordering = ["-year"]

    def __str__(self):
        return self.name


class Neighbour(models.Model):
    model = models.ForeignKey(NeighbourModel, on_delete=models.CASCADE, related_name="neighbours")
    council = models.ForeignKey(Geography, on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField()
    neighbour = models.ForeignKey(Geography, on_delete=models.CASCADE, related_name="+")
    closeness = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["model", "council", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["model", "council", "rank"], name="one_neighbour_per_rank"
            )
        ]

    def __str__(self):
        return f"{self.council_id} #{self.rank}: {self.neighbour_id}"


class NationalMeasure(models.Model):
    """A measure the DfE publishes for every council, as the catalogue in
    ``metrics/national_catalogue.py`` reads it from the published files."""

    key = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=300)
    definition = models.TextField(blank=True)
    unit = models.CharField(max_length=20, choices=Unit.choices)
    precision = models.PositiveSmallIntegerField(default=1)
    polarity = models.CharField(
        max_length=10,
        blank=True,
        choices=[(calc.BIGGER, "Bigger is better"), (calc.SMALLER, "Smaller is better")],
        help_text="The DfE's own (LAIT's data dictionary); blank where neither is better",
    )
    year_basis = models.CharField(max_length=40, blank=True)
    publication = models.CharField(max_length=200, blank=True)
    source_file = models.CharField(max_length=200, blank=True)
    source_column = models.CharField(max_length=100, blank=True)
    numerator_column = models.CharField(max_length=300, blank=True)
    denominator_column = models.CharField(max_length=300, blank=True)
    filters = models.CharField(max_length=500, blank=True)
    lait_name = models.CharField("LAIT measure", max_length=300, blank=True)
    version = models.PositiveIntegerField(
        default=0, editable=False, help_text="Goes up whenever its figures or polarity change"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("metrics:benchmark", args=[self.key])

    @property
    def comparable(self):
        return bool(self.polarity)

    def format_value(self, value):
        if value is None:
            return "No value"
        text = f"{value:,.{self.precision}f}"
        return f"{text}%" if self.unit == Unit.PERCENT else text

    def figure_text(self, value, marker):
        """A published figure as words: the value, or the publication's marker spelled out
        (never a 0 or a blank)."""
        if value is not None:
            return self.format_value(value)
        return dict(NationalValue.Marker.choices).get(marker, "Not published")


class NationalValue(models.Model):
    """One published figure: a measure, a place, a year. Where the DfE published a marker
    instead of a figure, ``marker`` keeps it (``c`` suppressed …) and ``value`` is empty."""

    class Marker(models.TextChoices):
        NONE = "", "Published"
        SUPPRESSED = "c", "Suppressed to protect confidentiality"
        NOT_AVAILABLE = "x", "Not available"
        NOT_APPLICABLE = "z", "Not applicable"
        LOW_RELIABILITY = "u", "Low reliability"
        ROUNDS_TO_ZERO = "k", "Rounds to zero"
        LOW = "low", "Fewer than the publication shows"
        MISSING = "-", "Not published"

    measure = models.ForeignKey(NationalMeasure, on_delete=models.CASCADE, related_name="values")
    geography = models.ForeignKey(Geography, on_delete=models.CASCADE, related_name="values")
    period = models.CharField(max_length=20, help_text="As published, e.g. 2022")
    period_end = models.DateField()
    value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    marker = models.CharField(max_length=4, choices=Marker.choices, blank=True)
    numerator = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    denominator = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    publication = models.CharField(max_length=200, blank=True)
    vintage = models.PositiveSmallIntegerField(
        default=0, help_text="The latest year in the file it came from: later files win"
    )
    source_file = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["measure", "period_end", "geography"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "geography", "period"], name="one_national_value"
            )
        ]
        indexes = [models.Index(fields=["measure", "period_end"], name="national_measure_period")]

    def __str__(self):
        return f"{self.measure_id} {self.geography_id} {self.period}: {self.as_text}"

    @property
    def as_text(self):
        return self.measure.figure_text(self.value, self.marker)


class NationalRevision(models.Model):
    """A later publication changed a figure an earlier one gave: both are kept."""

    value = models.ForeignKey(NationalValue, on_delete=models.CASCADE, related_name="revisions")
    old_value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    old_marker = models.CharField(max_length=4, blank=True)
    old_publication = models.CharField(max_length=200, blank=True)
    old_source_file = models.CharField(max_length=200, blank=True)
    new_value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    new_marker = models.CharField(max_length=4, blank=True)
    new_publication = models.CharField(max_length=200, blank=True)
    new_source_file = models.CharField(max_length=200, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at"]

    def __str__(self):
        return f"{self.value_id}: {self.old_value} ({self.old_publication}) → {self.new_value}"


class OfstedJudgement(models.Model):
    """A council's ILACS inspection, as Ofsted publishes the outcomes of every council."""

    council = models.ForeignKey(Geography, on_delete=models.CASCADE, related_name="inspections")
    inspected_on = models.DateField()
    published_on = models.DateField(null=True, blank=True)
    kind = models.CharField(max_length=100)
    overall = models.CharField(max_length=60)
    leaders = models.CharField(max_length=60, blank=True)
    help_and_protection = models.CharField(max_length=60, blank=True)
    in_care = models.CharField(max_length=60, blank=True)
    care_leavers = models.CharField(max_length=60, blank=True)
    source = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["council", "-inspected_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "inspected_on", "kind"], name="one_ofsted_judgement"
            )
        ]

    def __str__(self):
        return f"{self.council_id} {self.inspected_on}: {self.overall}"


# --------------------------------------------------------------------------------------------
# Finance: the revenue budget by service line, high-risk budgets, external placements
# --------------------------------------------------------------------------------------------


class FinanceReport(models.Model):
    """One finance paper as loaded (a year's outturn, or a forecast during the year): its
    service lines, placement counts and the narrative's figures. A new load of the same year
    is a new report; the older stays, so packs and rollbacks keep what members read."""

    class Position(models.TextChoices):
        OUTTURN = "outturn", "Outturn"
        FORECAST = "forecast", "Forecast"

    year = models.CharField(max_length=7, help_text="The financial year, e.g. 2021/22")
    position = models.CharField(max_length=10, choices=Position.choices)
    as_at = models.DateField(help_text="The first day of the month the position is at")
    title = models.CharField(max_length=300)
    source = models.TextField(blank=True)
    loaded_at = models.DateTimeField(auto_now_add=True)
    loaded_by = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    upload = models.OneToOneField(
        Upload, on_delete=models.SET_NULL, null=True, blank=True, related_name="finance_report"
    )
    published = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-as_at", "-loaded_at", "-pk"]

    def __str__(self):
        return f"{self.title} ({self.get_position_display().lower()}, {self.as_at:%B %Y})"

    def get_absolute_url(self):
        return reverse("metrics:finance_report", args=[self.pk])


class FinanceLine(models.Model):
    """A row of one of the paper's tables, amounts in £000 as printed (overspend positive)."""

    class Part(models.TextChoices):
        SERVICE_LINES = "lines", "Budget by service line"
        HIGH_RISK = "high_risk", "High-risk budgets"
        COVID = "covid", "COVID-19 split (non-DSG)"

    report = models.ForeignKey(FinanceReport, on_delete=models.CASCADE, related_name="lines")
    part = models.CharField(max_length=10, choices=Part.choices)
    table = models.CharField(max_length=200)
    row = models.PositiveIntegerField(help_text="The row of the file it came from")
    name = models.CharField(max_length=200)
    cost_centre = models.CharField(max_length=40, blank=True)
    budget_holder = models.CharField(max_length=120, blank=True)
    row_type = models.CharField(max_length=12)
    budget = models.DecimalField(max_digits=12, decimal_places=1, null=True)
    outturn = models.DecimalField(max_digits=12, decimal_places=1, null=True)
    variance_dsg = models.DecimalField(max_digits=12, decimal_places=1, null=True)
    variance_non_dsg = models.DecimalField(max_digits=12, decimal_places=1, null=True)
    variance_total = models.DecimalField(max_digits=12, decimal_places=1, null=True)
    variance_pct = models.DecimalField(max_digits=8, decimal_places=1, null=True)
    forecast_dsg = models.DecimalField(max_digits=12, decimal_places=1, null=True)
    forecast_non_dsg = models.DecimalField(max_digits=12, decimal_places=1, null=True)
    forecast_total = models.DecimalField(max_digits=12, decimal_places=1, null=True)
    change = models.DecimalField(max_digits=12, decimal_places=1, null=True)
    covid_outturn = models.DecimalField(max_digits=12, decimal_places=1, null=True)
    covid_forecast = models.DecimalField(max_digits=12, decimal_places=1, null=True)
    net_outturn = models.DecimalField(max_digits=12, decimal_places=1, null=True)
    net_forecast = models.DecimalField(max_digits=12, decimal_places=1, null=True)
    net_movement = models.DecimalField(max_digits=12, decimal_places=1, null=True)
    notes = models.TextField(blank=True)
    source = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["report", "row"]

    def __str__(self):
        return f"{self.table}: {self.name}"


class PlacementCount(models.Model):
    """External placements of one type in one month of a financial year (or its average)."""

    report = models.ForeignKey(FinanceReport, on_delete=models.CASCADE, related_name="placements")
    series = models.CharField(max_length=120)
    year = models.CharField(max_length=5, help_text="As the paper prints it: 21/22")
    month = models.CharField(max_length=7, help_text="Apr … Mar, or Average")
    placements = models.PositiveIntegerField()
    notes = models.TextField(blank=True)
    source = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["report", "series", "year", "pk"]

    def __str__(self):
        return f"{self.series} {self.year} {self.month}: {self.placements}"


class FinanceFact(models.Model):
    """A figure the finance paper's narrative gives in words, with the words themselves."""

    report = models.ForeignKey(FinanceReport, on_delete=models.CASCADE, related_name="facts")
    key = models.CharField(max_length=20)
    measure = models.CharField(max_length=300)
    value = models.CharField(max_length=300)
    unit = models.CharField(max_length=40, blank=True)
    period = models.CharField(max_length=60, blank=True)
    context = models.TextField(blank=True)
    quote = models.TextField(blank=True)
    source = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["report", "pk"]

    def __str__(self):
        return f"{self.key} {self.measure}: {self.value}"
