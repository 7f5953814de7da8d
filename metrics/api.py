from django.http import Http404
from ninja import Field, Path, Query, Router, Schema, Status

from metrics import calculations as calc
from metrics import plain_data
from metrics.models import (
    Measure,
    MeasureStatus,
    Observation,
    ObservationChange,
    ServiceArea,
)
from scrutiny.api_schema import SLUG, answers
from scrutiny.roles import sees_drafts

router = Router(tags=["measures"])


class AreaOut(Schema):
    slug: str
    name: str
    sections: list[str]


class TargetOut(Schema):
    kind: str
    value: float
    effective_from: str
    effective_to: str | None
    source: str


class ComparatorOut(Schema):
    kind: str
    label: str
    availability: str
    value: float | None
    as_at: str | None
    period: str
    source: str


class ValueOut(Schema):
    period: str
    period_kind: str
    period_label: str
    breakdown: str
    value: float | None
    numerator: float | None
    denominator: float | None
    quality: str
    published: bool


class RevisionOut(Schema):
    on: str = Field(description="The day a published figure was corrected (YYYY-MM-DD)")
    old_value: float | None
    new_value: float | None
    reason: str
    text: str = Field(description='"Revised on <date>: <old> → <new>, <reason>"')


class MeasureStatusOut(Schema):
    period: str
    period_kind: str
    breakdown: str
    value: float | None
    target: float | None
    target_kind: str
    rag: str
    direction: str
    direction_year: str
    spc_variation: str
    spc_assurance: str
    spc_signal: str
    computed_at: str
    revision: RevisionOut | None = Field(
        description="The latest correction of this figure after it was published, if any"
    )


class MeasureSummary(Schema):
    code: str
    name: str
    area: str
    section: str | None
    unit: str
    precision: int
    polarity: str
    reporting_basis: str
    frequency: str
    active: bool


class MeasureDetail(MeasureSummary):
    definition: str
    source: str
    owner: str
    tolerance_kind: str
    tolerance: float
    deadband_kind: str
    deadband: float
    targets: list[TargetOut]
    comparators: list[ComparatorOut]
    values: list[ValueOut]
    statuses: list[MeasureStatusOut]


class Headline(Schema):
    judged: int
    green: int
    amber: int
    red: int
    better_or_within_tolerance_pct: float | None
    previous_pct: float | None


class FigureOut(Schema):
    period: str
    value: float | None
    value_text: str = Field(description='As the scorecard prints it ("44.0%"); empty if none')


class PreviousOut(Schema):
    rag: str
    value: float | None
    value_text: str


class ScorecardMeasure(Schema):
    code: str
    name: str
    section: str | None
    unit: str
    polarity: str
    value: float | None
    value_text: str = Field(description='As the scorecard prints it ("44.0%"); empty if none')
    target: float | None
    target_text: str
    rag: str
    direction: str
    direction_year: str
    spc_variation: str
    spc_assurance: str
    comparator: ComparatorOut | None
    comparators_shown: list[str] = Field(
        description="Each comparator shown beside the figure, as the scorecard words it"
    )
    revision: RevisionOut | None
    history: list[FigureOut] = Field(description="The scorecard's periods, oldest first")
    previous: PreviousOut | None = Field(description="The status in the period before")
    commentary: str = Field(
        description="The commentary on the period's figure, in the reader's view"
    )


class ScorecardOut(Schema):
    area: str
    period: str
    headline: Headline
    measures: list[ScorecardMeasure]


def _summary(measure):
    return {
        "code": measure.code,
        "name": measure.name,
        "area": measure.area.slug,
        "section": measure.section.name if measure.section else None,
        "unit": measure.unit,
        "precision": measure.precision,
        "polarity": measure.polarity,
        "reporting_basis": measure.reporting_basis,
        "frequency": measure.frequency,
        "active": measure.active,
    }


@router.get("/areas", response=answers(list[AreaOut]), summary="Service areas and their sections")
def areas(request):
    return [
        {"slug": area.slug, "name": area.name, "sections": [s.name for s in area.sections.all()]}
        for area in ServiceArea.objects.prefetch_related("sections")
    ]


@router.get("/measures", response=answers(list[MeasureSummary]), summary="Every measure")
def measures(request):
    return [_summary(m) for m in Measure.objects.select_related("area", "section").order_by("code")]


@router.get(
    "/measures/{code}",
    response=answers(MeasureDetail, not_found=True),
    summary="One measure: definition, targets, comparators, values and statuses",
)
def measure(
    request, code: str = Path(..., description="The measure's code, e.g. CSC05", pattern=SLUG)
):
    found = (
        Measure.objects.select_related("area", "section")
        .prefetch_related("targets", "comparators")
        .filter(code=code)
        .first()
    )
    if found is None:
        raise Http404(f"No measure with code {code!r}.")
    drafts = sees_drafts(request.user)
    values = Observation.objects.in_view(drafts).filter(measure=found)
    statuses = ObservationChange.objects.attach_revisions(
        MeasureStatus.objects.in_view(drafts).filter(measure=found)
    )
    return {
        **_summary(found),
        "definition": found.definition,
        "source": found.source,
        "owner": found.owner,
        "tolerance_kind": found.tolerance_kind,
        "tolerance": float(found.tolerance),
        "deadband_kind": found.deadband_kind,
        "deadband": float(found.deadband),
        "targets": [_target(t) for t in found.targets.all()],
        "comparators": [plain_data.comparator(c) for c in found.comparators.all()],
        "values": [_value(v) for v in values],
        "statuses": [_status(s, found) for s in statuses],
    }


def _target(t):
    return {
        "kind": t.kind,
        "value": float(t.value),
        "effective_from": plain_data.day(t.effective_from),
        "effective_to": plain_data.day(t.effective_to),
        "source": t.source,
    }


def _value(v):
    return {
        "period": v.period.key,
        "period_kind": v.period_kind,
        "period_label": v.period.label,
        "breakdown": v.breakdown,
        "value": calc.as_float(v.value),
        "numerator": calc.as_float(v.numerator),
        "denominator": calc.as_float(v.denominator),
        "quality": v.quality,
        "published": v.published,
    }


def _status(s, measure):
    return {
        "period": s.period.key,
        "period_kind": s.period_kind,
        "breakdown": s.breakdown,
        "value": calc.as_float(s.value),
        "target": calc.as_float(s.target),
        "target_kind": s.target_kind,
        "rag": s.rag,
        "direction": s.direction,
        "direction_year": s.direction_year,
        "spc_variation": s.spc_variation,
        "spc_assurance": s.spc_assurance,
        "spc_signal": s.spc_signal,
        "computed_at": s.computed_at.isoformat(),
        "revision": s.revision.revision_data(measure) if s.revision else None,
    }


def _month(text):
    try:
        period = calc.parse_period(text)
    except ValueError:
        period = None
    if period is None or period.kind != calc.MONTH or len(text.strip()) != 7:
        raise ValueError(
            f"period must be YYYY-MM, the month a reporting period ends in; got {text!r}"
        )
    return period.end


@router.get(
    "/scorecard",
    response=answers(ScorecardOut, not_found=True),
    summary="A service area's scorecard for the period ending in a month",
)
def scorecard(
    request,
    area: str = Query(
        ..., description="The service area's slug, as in /api/v1/areas", pattern=SLUG
    ),
    period: str = Query(
        ...,
        description="The month the reporting period ends in, YYYY-MM (2022-06 is 2022/23 Q1)",
        pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$",
    ),
):
    found = ServiceArea.objects.filter(slug=area).first()
    if found is None:
        return Status(404, {"message": f"No service area {area!r}."})
    try:
        month = _month(period)
    except ValueError as error:
        return Status(400, {"message": str(error)})
    # The same headline and rows as the scorecard page and the pack.
    drafts = sees_drafts(request.user)
    (found,) = ServiceArea.objects.filter(pk=found.pk).list_with_headlines(drafts, ending=month)
    rows = []
    if found.period is not None:
        periods, measures = Measure.objects.for_scorecard(found, found.period, drafts)
        rows = [plain_data.scorecard_row(m, periods) for m in measures]
    headline = found.headline or calc.headline_from_counts(0, 0, 0)
    return {
        "area": found.slug,
        "period": month.strftime("%Y-%m"),
        "headline": {
            "judged": headline["judged"],
            "green": headline["green"],
            "amber": headline["amber"],
            "red": headline["red"],
            "better_or_within_tolerance_pct": headline["share"],
            "previous_pct": found.previous_headline["share"] if found.previous_headline else None,
        },
        "measures": rows,
    }
