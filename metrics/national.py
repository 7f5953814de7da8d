"""How a council compares with the others, from the DfE's published figures.

The rules (DOMAIN.md, "Benchmarking") are in `calculations`; this module fetches the figures for
one measure and year and hands them over. Everything here reads published statistics only, so
the published view and the working view are the same.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import numpy as np
from django.conf import settings
from django.db.models import OuterRef, Q, Subquery

from metrics import calculations as calc
from metrics.models import (
    Comparator,
    Geography,
    Measure,
    NationalMeasure,
    NationalValue,
    Neighbour,
    NeighbourModel,
)

COUNCIL_LEVELS = (Geography.Level.COUNCIL, Geography.Level.JOINT)


def period_label(value):
    """`2022` as a reader says it: the year to March 2022 is 2021/22; the workforce's 2022 is
    September 2022."""
    if value.period_end.month == 3:
        return calc.financial_year_label(value.period_end.year - 1)
    if value.period_end.month == 8:
        return f"{calc.financial_year_label(value.period_end.year - 1)} school year"
    return f"{value.period_end:%b %Y}"


def own_council():
    """The council this installation serves (settings.COUNCIL_LA_CODE), if its figures are
    loaded."""
    return Geography.objects.select_related("region").filter(code=settings.COUNCIL_LA_CODE).first()


def neighbour_model(year=None):
    """The model asked for, else the DfE's latest (2025, as LAIT uses now)."""
    models = NeighbourModel.objects.all()
    if year:
        chosen = models.filter(year=year).first()
        if chosen:
            return chosen
    return models.first()


def neighbours_of(council, model):
    if council is None or model is None:
        return []
    return list(
        Neighbour.objects.filter(model=model, council=council)
        .select_related("neighbour__region")
        .order_by("rank")
    )


@dataclass
class Place:
    geography: Geography
    value: "Figure | None"
    rank: int | None = None
    quartile: str = ""
    joint: bool = False  # the figure is a joint return (940 / 941)

    @property
    def number(self):
        return None if self.value is None or self.value.value is None else float(self.value.value)

    @property
    def text(self):
        if self.value is None:
            return "Not published"
        return self.value.as_text


@dataclass
class Comparison:
    measure: NationalMeasure
    period: str
    period_end: date
    label: str
    council: Place | None
    of: int
    model: NeighbourModel | None
    neighbours: list = field(default_factory=list)
    neighbour_average: float | None = None
    neighbour_count: int = 0
    region: Place | None = None
    england: Place | None = None
    councils: list = field(default_factory=list)  # every council (and joint return) as a Place
    cuts: object = None

    @property
    def source(self):
        m = self.measure
        published = {p.value.publication for p in self.councils if p.value} or {m.publication}
        return (
            f"{' / '.join(sorted(published))}: {m.source_file}, column {m.source_column}"
            + (f" ({m.filters})" if m.filters else "")
            + ". Department for Education, Open Government Licence v3.0."
        )

    def format(self, number):
        return self.measure.format_value(number)


def periods(measure):
    """The years published for a measure, oldest first, as (period, period_end)."""
    return list(
        NationalValue.objects.filter(measure=measure)
        .order_by("period_end")
        .values_list("period", "period_end")
        .distinct()
    )


@dataclass(slots=True)
class Figure:
    """One published figure, read as plain values (a page reads thousands at a time)."""

    measure: NationalMeasure
    geography: Geography
    period: str
    period_end: date
    value: Decimal | None
    marker: str
    numerator: Decimal | None
    denominator: Decimal | None
    publication: str

    @property
    def as_text(self):
        return self.measure.figure_text(self.value, self.marker)


FIGURE_FIELDS = (
    "geography_id",
    "period",
    "period_end",
    "value",
    "marker",
    "numerator",
    "denominator",
    "publication",
)


def figures(measure, **filters):
    """The measure's published figures (filtered), oldest first, in two queries."""
    places = {g.pk: g for g in Geography.objects.select_related("region")}
    rows = (
        NationalValue.objects.filter(measure=measure, **filters)
        .order_by("period_end")
        .values_list(*FIGURE_FIELDS)
    )
    return [Figure(measure, places[geography], *rest) for geography, *rest in rows]


def compare(measure, period=None, council=None, model=None, ending=None):
    """The council against every council, its neighbours, its region and England in one year
    (the latest published, or the latest ending on or before ``ending``, unless given). None
    when nothing is published."""
    if period is None:
        published = NationalValue.objects.filter(measure=measure)
        if ending is not None:
            published = published.filter(period_end__lte=ending)
        latest = published.order_by("-period_end").values_list("period", flat=True).first()
        if latest is None:
            return None
        period = latest
    values = figures(measure, period=period)
    if not values:
        return None
    model = model or neighbour_model()
    return _compare(measure, values, council, model, neighbours_of(council, model))


def _compare(measure, values, council, model, neighbour_rows):
    by_code = {v.geography.code: v for v in values}
    joint_of = {}
    for v in values:
        if v.geography.level == Geography.Level.JOINT:
            for code in v.geography.joint_codes:
                joint_of[code] = v
    places = [
        Place(v.geography, v, joint=v.geography.level == Geography.Level.JOINT)
        for v in values
        if v.geography.level in COUNCIL_LEVELS
    ]
    numbers = np.array([np.nan if p.number is None else p.number for p in places])
    ranked = calc.ranks(numbers, measure.polarity)
    cuts = calc.quartile_cuts(numbers)
    bands = calc.quartile_bands(numbers, cuts, measure.polarity)
    for place, rank, band in zip(places, ranked, bands, strict=True):
        place.rank = None if np.isnan(rank) else int(rank)
        place.quartile = band
    by_place = {p.geography.code: p for p in places}

    def place_of(geography):
        if geography is None:
            return None
        found = by_place.get(geography.code)
        if found is None and geography.code in joint_of:
            joint = by_place[joint_of[geography.code].geography.code]
            return Place(geography, joint.value, joint.rank, joint.quartile, joint=True)
        return found or Place(geography, by_code.get(geography.code))

    own = place_of(council)
    neighbours = [place_of(n.neighbour) for n in neighbour_rows]
    average, count = calc.neighbour_average([n.number for n in neighbours])
    region = None
    if council is not None and council.region_id:
        region = Place(council.region, by_code.get(council.region.code))
    england = next((v for v in values if v.geography.level == Geography.Level.ENGLAND), None)
    first = values[0]
    return Comparison(
        measure=measure,
        period=first.period,
        period_end=first.period_end,
        label=period_label(first),
        council=own,
        of=int((~np.isnan(numbers)).sum()) if measure.polarity else 0,
        model=model,
        neighbours=neighbours,
        neighbour_average=average,
        neighbour_count=count,
        region=region,
        england=Place(england.geography, england) if england else None,
        councils=sorted(places, key=lambda p: (p.rank is None, p.rank or 0, p.geography.name)),
        cuts=cuts,
    )


def latest_comparisons(council=None, model=None):
    """Every national measure's latest published year compared, in six queries."""
    model = model or neighbour_model()
    neighbour_rows = neighbours_of(council, model)
    measures = {m.pk: m for m in NationalMeasure.objects.all()}
    # One index probe per measure (national_measure_period), not a scan of every figure.
    latest = {
        pk: end
        for pk, end in NationalMeasure.objects.order_by()
        .annotate(
            end=Subquery(
                NationalValue.objects.filter(measure=OuterRef("pk"))
                .order_by("-period_end")
                .values("period_end")[:1]
            )
        )
        .values_list("pk", "end")
        if end is not None
    }
    if not latest:
        return []
    places = {g.pk: g for g in Geography.objects.select_related("region")}
    wanted = Q()
    for measure_id, end in latest.items():
        wanted |= Q(measure_id=measure_id, period_end=end)
    grouped = {}
    for measure_id, geography, *rest in (
        NationalValue.objects.filter(wanted).order_by().values_list("measure_id", *FIGURE_FIELDS)
    ):
        measure = measures[measure_id]
        grouped.setdefault(measure_id, []).append(Figure(measure, places[geography], *rest))
    return [
        _compare(measures[measure_id], rows, council, model, neighbour_rows)
        for measure_id, rows in sorted(grouped.items(), key=lambda item: measures[item[0]].name)
    ]


def history(measure, council=None, model=None):
    """The comparison in every published year, oldest first."""
    by_period = {}
    for value in figures(measure):
        by_period.setdefault(value.period, []).append(value)
    model = model or neighbour_model()
    neighbour_rows = neighbours_of(council, model)
    return [_compare(measure, rows, council, model, neighbour_rows) for rows in by_period.values()]


def comparators_for(measure):
    """The scorecard's comparators for a measure linked to a national one: its neighbours'
    average, its region and England in each published year, computed, never typed."""
    national = measure.national_measure
    council = own_council()
    model = neighbour_model()
    out = []
    for comparison in history(national, council, model):
        source = comparison.source
        kinds = [
            (
                Comparator.Kind.STATISTICAL_NEIGHBOURS,
                f"SN average ({model.year} model, {comparison.neighbour_count} of "
                f"{len(comparison.neighbours)})"
                if model
                else "SN average",
                comparison.neighbour_average,
                source + (f" Neighbours: {model.name}." if model else ""),
            ),
            (
                Comparator.Kind.REGION,
                comparison.region.geography.name if comparison.region else "Region",
                comparison.region.number if comparison.region else None,
                source,
            ),
            (
                Comparator.Kind.ENGLAND,
                "England",
                comparison.england.number if comparison.england else None,
                source,
            ),
        ]
        for kind, label, number, text in kinds:
            if kind != Comparator.Kind.ENGLAND and council is None:
                continue
            if kind == Comparator.Kind.STATISTICAL_NEIGHBOURS and model is None:
                continue
            out.append(
                Comparator(
                    measure=measure,
                    kind=kind,
                    label=label,
                    availability=Comparator.Availability.VALUE
                    if number is not None
                    else Comparator.Availability.NOT_AVAILABLE,
                    value=None if number is None else Decimal(str(round(number, 4))),
                    as_at=comparison.period_end,
                    period_label=comparison.label,
                    source=text,
                    national=True,
                )
            )
    return out


def ofsted_neighbours(council=None, model=None):
    """The council's and its statistical neighbours' latest Ofsted (ILACS) judgements, as
    Ofsted publishes them for every council."""
    from metrics.models import OfstedJudgement

    council = council or own_council()
    model = model or neighbour_model()
    if council is None:
        return []
    places = [council] + [n.neighbour for n in neighbours_of(council, model)]
    latest = {}
    for judgement in OfstedJudgement.objects.filter(council__in=places).order_by("inspected_on"):
        latest[judgement.council_id] = judgement
    return [
        {"council": place, "judgement": latest.get(place.pk), "own": place == council}
        for place in places
    ]


def how_we_compare(area_ids=None, model=None, ending=None):
    """For each linked measure of the areas: the latest published year's value, neighbours'
    average, England, rank and band, and whether the council is better or worse than its
    neighbours; worst first. ``ending``: the latest year ending on or before that day (a pack
    shows the year its scorecard's period could be compared with). Plain data, so the pack
    can freeze it."""
    council = own_council()
    model = model or neighbour_model()
    measures = Measure.objects.filter(national_measure__isnull=False, active=True)
    if area_ids is not None:
        measures = measures.filter(area_id__in=area_ids)
    rows = []
    for measure in measures.select_related("national_measure", "area"):
        comparison = compare(measure.national_measure, council=council, model=model, ending=ending)
        if comparison is None or comparison.council is None:
            continue
        own, average = comparison.council.number, comparison.neighbour_average
        against, gap = calc.against(own, average, comparison.measure.polarity)
        rows.append(
            {
                "code": measure.code,
                "name": measure.name,
                "area": measure.area.name,
                "national": comparison.measure.name,
                "key": comparison.measure.key,
                "period": comparison.label,
                "value": comparison.council.text,
                "neighbours": comparison.format(average) if average is not None else "None",
                "england": comparison.england.text if comparison.england else "Not published",
                "rank": comparison.council.rank,
                "of": comparison.of,
                "quartile": comparison.council.quartile,
                "against": against,
                "gap": None
                if gap is None
                else (
                    f"{gap:.1f} points"
                    if comparison.measure.unit == "percent"
                    else comparison.format(gap)
                ),
                "note": measure.national_note,
                "model": model.name if model else "",
            }
        )
    band_order = {"D": 0, "C": 1, "B": 2, "A": 3, "": 4}
    rows.sort(key=lambda r: (band_order[r["quartile"]], -(r["rank"] or 0), r["code"]))
    return rows


def cache_key(name, *parts):
    """A cache key that changes whenever the figures or neighbours behind it do: ``parts`` are
    national measures, councils and neighbour models (or None), read by their versions."""
    words = [name]
    for part in parts:
        if part is None:
            words.append("-")
        elif isinstance(part, NationalMeasure):
            words.append(f"{part.key}.{part.version}")
        elif isinstance(part, NeighbourModel):
            words.append(f"{part.year}.{part.version}")
        elif isinstance(part, Geography):
            words.append(part.code.replace(" ", ""))
        else:
            words.append(str(part))
    return ":".join(words)


def generation():
    """One number that changes whenever any national figure does (for pages over them all)."""
    from django.db.models import Count, Sum

    totals = NationalMeasure.objects.aggregate(versions=Sum("version"), measures=Count("id"))
    return f"{totals['versions'] or 0}.{totals['measures']}"
