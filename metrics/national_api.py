"""Benchmarking in the API: the DfE's national measures and how a council compares."""

from django.http import Http404
from ninja import Path, Query, Router, Schema

from metrics import national
from metrics.models import Geography, NationalMeasure
from scrutiny.api_schema import SLUG, answers

router = Router(tags=["benchmarking"])

PERIOD = r"^[0-9]{4}([0-9]{2})?$"
COUNCIL = r"^[0-9]{3}$"


class NationalMeasureOut(Schema):
    key: str
    name: str
    definition: str
    unit: str
    polarity: str
    year_basis: str
    publication: str
    source_file: str
    source_column: str
    numerator_column: str
    denominator_column: str


class CouncilOut(Schema):
    code: str
    name: str
    value: float | None
    marker: str
    rank: int | None
    of: int
    quartile: str
    joint_return: bool


class MemberOut(Schema):
    code: str
    name: str
    value: float | None
    marker: str


class NeighboursOut(Schema):
    model: str
    average: float | None
    count: int
    members: list[MemberOut]


class PlaceOut(Schema):
    name: str
    value: float | None
    marker: str


class EnglandOut(Schema):
    value: float | None
    marker: str


class BenchmarkOut(Schema):
    measure: str
    period: str
    period_label: str
    council: CouncilOut
    statistical_neighbours: NeighboursOut
    region: PlaceOut | None
    england: EnglandOut | None
    source: str


@router.get(
    "/national-measures",
    response=answers(list[NationalMeasureOut]),
    summary="The DfE's published measures every council is compared on",
)
def national_measures(request):
    return [
        {
            "key": m.key,
            "name": m.name,
            "definition": m.definition,
            "unit": m.unit,
            "polarity": m.polarity,
            "year_basis": m.year_basis,
            "publication": m.publication,
            "source_file": m.source_file,
            "source_column": m.source_column,
            "numerator_column": m.numerator_column,
            "denominator_column": m.denominator_column,
        }
        for m in NationalMeasure.objects.order_by("key")
    ]


def _marker(place):
    if place is None or place.value is None:
        return "-"
    return place.value.marker


@router.get(
    "/benchmarks/{key}",
    response=answers(BenchmarkOut, not_found=True),
    summary="A council against every council, its statistical neighbours, region and England",
)
def benchmark(
    request,
    key: str = Path(..., description="A national measure's key", pattern=SLUG),
    period: str | None = Query(
        None, description="The year as published (2022 = year to March 2022)", pattern=PERIOD
    ),
    council: str | None = Query(
        None,
        description="The DfE's 3-digit code; the configured council if not given",
        pattern=COUNCIL,
    ),
    model: int | None = Query(
        None,
        description="The statistical neighbour model's year (2025 by default)",
        ge=2000,
        le=2100,
    ),
):
    measure = NationalMeasure.objects.filter(key=key).first()
    if measure is None:
        raise Http404(f"No national measure {key!r}.")
    place = Geography.objects.filter(code=council).first() if council else national.own_council()
    if place is None:
        raise Http404(f"No council with code {council!r}." if council else "No council set.")
    chosen = national.neighbour_model(model)
    if model and (chosen is None or chosen.year != model):
        raise Http404(f"No statistical neighbour model {model}.")
    comparison = national.compare(measure, period, place, chosen)
    if comparison is None:
        raise Http404(f"Nothing published for {key!r} in {period!r}.")
    return _benchmark_data(measure, place, chosen, comparison)


def _benchmark_data(measure, place, model, comparison):
    own = comparison.council
    return {
        "measure": measure.key,
        "period": comparison.period,
        "period_label": comparison.label,
        "council": {
            "code": place.code,
            "name": place.name,
            "value": own.number,
            "marker": _marker(own),
            "rank": own.rank,
            "of": comparison.of,
            "quartile": own.quartile,
            "joint_return": own.joint,
        },
        "statistical_neighbours": {
            "model": model.name if model else "",
            "average": None
            if comparison.neighbour_average is None
            else round(comparison.neighbour_average, 4),
            "count": comparison.neighbour_count,
            "members": [
                {
                    "code": n.geography.code,
                    "name": n.geography.name,
                    "value": n.number,
                    "marker": _marker(n),
                }
                for n in comparison.neighbours
            ],
        },
        "region": {
            "name": comparison.region.geography.name,
            "value": comparison.region.number,
            "marker": _marker(comparison.region),
        }
        if comparison.region
        else None,
        "england": {"value": comparison.england.number, "marker": _marker(comparison.england)}
        if comparison.england
        else None,
        "source": comparison.source,
    }
