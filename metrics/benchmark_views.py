"""How we compare: the council against every English council, from the DfE's published
statistics. Published figures only, so every reader sees the same."""

import hashlib

import numpy as np
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse

from metrics import calculations as calc
from metrics import charts, national
from metrics.models import Geography, Measure, NationalMeasure, NationalValue, ServiceArea, Unit
from scrutiny.editing import breadcrumbs
from scrutiny.roles import require

SORTS = {
    "rank": lambda p: (p.rank is None, p.rank or 0, p.geography.name),
    "name": lambda p: p.geography.name,
    "value": lambda p: (p.number is None, p.number or 0),
    "change": lambda p: (p.change is None, p.change or 0),
}
SHOWS = ("all", "region", "neighbours")


def neighbour_model_asked(request):
    year = request.GET.get("model", "")
    return national.neighbour_model(int(year) if year.isdigit() else None)


def _suffix(measure):
    return "%" if measure.unit == Unit.PERCENT else ""


def _wording(measure, council, comparison):
    """One sentence a member can read aloud."""
    if council is None or comparison.council is None or comparison.council.number is None:
        return f"No figure is published for the council in {comparison.label}."
    own = comparison.council
    parts = [f"{own.geography.name}: {own.text} in {comparison.label}"]
    if comparison.neighbour_average is not None:
        parts.append(
            f"its statistical neighbours' average {comparison.format(comparison.neighbour_average)}"
            f" ({comparison.neighbour_count} of {len(comparison.neighbours)} with a figure)"
        )
    if comparison.england and comparison.england.number is not None:
        parts.append(f"England {comparison.england.text}")
    text = "; ".join(parts) + "."
    if own.rank:
        text += (
            f" Ranked {own.rank} of {comparison.of} councils (1 = best), quartile band "
            f"{own.quartile} (A is the best quarter)."
        )
    elif not measure.polarity:
        text += " The DfE does not say whether higher or lower is better, so there is no rank."
    return text


def trend(measure, council, model):
    """The council, its neighbours, its region and England over the years: chart, table and
    summary."""
    rows = national.history(measure, council, model)
    if not rows:
        return None
    suffix = _suffix(measure)
    names = {
        "council": council.name if council else "Council",
        "neighbours": f"Statistical neighbours' average ({model.year} model)"
        if model
        else "Statistical neighbours' average",
        "region": council.region.name if council and council.region else "Region",
        "england": "England",
    }
    table = [
        {
            "label": r.label,
            "council": r.council.text if r.council else "Not published",
            "neighbours": r.format(r.neighbour_average)
            if r.neighbour_average is not None
            else "No neighbour had a figure",
            "count": r.neighbour_count,
            "region": r.region.text if r.region else "Not published",
            "england": r.england.text if r.england else "Not published",
            "rank": r.council.rank if r.council else None,
            "of": r.of,
            "quartile": r.council.quartile if r.council else "",
        }
        for r in rows
    ]
    figure = charts.benchmark_trend(
        title=f"{measure.name}: {names['council']} against other councils",
        years=[r.label for r in rows],
        series={
            names["council"]: [r.council.number if r.council else None for r in rows],
            names["neighbours"]: [r.neighbour_average for r in rows],
            names["region"]: [r.region.number if r.region else None for r in rows],
            names["england"]: [r.england.number if r.england else None for r in rows],
        },
        unit_suffix=suffix,
    )
    return {
        "chart": charts.to_html(figure, f"trend-{measure.key}"),
        "table": table,
        "names": names,
        "latest": rows[-1],
        "summary": _wording(measure, council, rows[-1]),
    }


def neighbours_chart(measure, comparison):
    places = [p for p in comparison.neighbours if p.number is not None]
    if comparison.council and comparison.council.number is not None:
        places.append(comparison.council)
    if not places:
        return ""
    sign = calc.POLARITY_SIGN.get(measure.polarity, 0) or 1
    places.sort(key=lambda p: -sign * p.number)
    figure = charts.neighbour_bars(
        title=f"{measure.name}, {comparison.label}: the council and its neighbours"
        + (" (best first)" if measure.polarity else ""),
        names=[p.geography.name for p in places],
        values=[p.number for p in places],
        highlight=comparison.council.geography.name if comparison.council else "",
        average=comparison.neighbour_average,
        england=comparison.england.number if comparison.england else None,
        unit_suffix=_suffix(measure),
    )
    return charts.to_html(figure, f"neighbours-{measure.key}")


def funnel(measure, comparison):
    """The funnel plot of every council, where the numerator and denominator are published."""
    per = {Unit.PERCENT: 100.0, Unit.RATE_10K: 10_000.0}.get(measure.unit)
    if per is None or not measure.denominator_column or comparison.england is None:
        return None
    centre = comparison.england.number
    points = []
    for place in comparison.councils:
        value = place.value
        if value is None or value.denominator is None or value.denominator <= 0:
            continue
        if per == 100.0 and value.numerator is not None:
            number = float(value.numerator) / float(value.denominator) * 100
        elif value.value is not None:
            number = float(value.value)
        else:
            continue
        points.append((place.geography.name, float(value.denominator), number))
    if centre is None or len(points) < 10:
        return None
    low, high = min(p[1] for p in points), max(p[1] for p in points)
    x = np.geomspace(max(low * 0.8, 1), high * 1.2, 80)
    lower95, upper95 = calc.funnel_limits(centre, x, calc.FUNNEL_Z["95%"], per)
    lower998, upper998 = calc.funnel_limits(centre, x, calc.FUNNEL_Z["99.8%"], per)
    council = comparison.council.geography.name if comparison.council else ""
    neighbours = {p.geography.name for p in comparison.neighbours}
    mine = next((p for p in points if p[0] == council), None)
    verdict = None
    if mine:
        bounds = [
            float(b[0])
            for b in (
                *calc.funnel_limits(centre, [mine[1]], calc.FUNNEL_Z["95%"], per),
                *calc.funnel_limits(centre, [mine[1]], calc.FUNNEL_Z["99.8%"], per),
            )
        ]
        position = calc.funnel_position(mine[2], *bounds)
        fmt = comparison.format
        words = {
            "within": "within the 95% limits: no different from England beyond chance",
            "above": "above the 95% limits but within the 99.8% limits: possibly higher than "
            "England",
            "below": "below the 95% limits but within the 99.8% limits: possibly lower than "
            "England",
            "far above": "above the 99.8% limits: higher than England by more than chance",
            "far below": "below the 99.8% limits: lower than England by more than chance",
        }[position]
        verdict = {
            "position": position,
            "text": f"{council}'s {fmt(mine[2])} (denominator {mine[1]:,.0f}) is {words}. For "
            f"its denominator the 95% limits are {fmt(bounds[0])} to {fmt(bounds[1])} and the "
            f"99.8% limits {fmt(bounds[2])} to {fmt(bounds[3])}, around England's "
            f"{fmt(centre)}.",
            "bounds": [fmt(b) for b in bounds],
        }
    denominator = measure.denominator_column.split(" (")[0]
    figure = charts.funnel_plot(
        title=f"{measure.name}, {comparison.label}: every council against its size",
        points=points,
        centre=centre,
        limits=(x, lower95, upper95, lower998, upper998),
        council=council,
        neighbours=neighbours,
        x_title=f"Denominator ({denominator}, log scale)",
        unit_suffix=_suffix(measure),
    )
    return {
        "chart": charts.to_html(figure, f"funnel-{measure.key}"),
        "verdict": verdict,
        "count": len(points),
        "rows": [
            {"name": p[0], "denominator": f"{p[1]:,.0f}", "value": comparison.format(p[2])}
            for p in points
            if p[0] == council or p[0] in neighbours
        ],
    }


def _among_neighbours(measure, comparison):
    """Where the council stands among its neighbours, in words."""
    own = comparison.council
    if own is None or own.number is None:
        return "No figure is published for the council this year."
    others = [p for p in comparison.neighbours if p.number is not None]
    if not measure.polarity:
        above = sum(p.number > own.number for p in others)
        return (
            f"{above} of the {len(others)} neighbours with a figure are higher than "
            f"{own.geography.name}'s {own.text}; the DfE does not say which direction is better."
        )
    rank = int(calc.ranks([own.number, *(p.number for p in others)], measure.polarity)[0])
    return (
        f"Among itself and its {len(others)} neighbours with a figure, {own.geography.name} "
        f"ranks {rank} of {len(others) + 1} (1 = best)."
    )


def compared_section(measure, council, model):
    """Everything the *Compared with other councils* section shows, for a national measure."""
    shown = trend(measure, council, model)
    if shown is None:
        return None
    latest = shown["latest"]
    return {
        **shown,
        "neighbour_summary": _among_neighbours(measure, latest),
        "measure": measure,
        "model": model,
        "models": national.NeighbourModel.objects.all(),
        "neighbours_chart": neighbours_chart(measure, latest),
        "neighbours": latest.neighbours,
        "funnel": funnel(measure, latest),
    }


CACHE_SECONDS = 24 * 3600  # the keys change with the figures; this only frees memory


def compared_html(measure, council, model):
    """The *Compared with other councils* section as HTML, from the cache while the figures
    and neighbours behind it are unchanged (they change once a year)."""
    key = national.cache_key("compared", measure, council, model)
    html = cache.get(key)
    if html is None:
        section = compared_section(measure, council, model)
        html = (
            render_to_string("metrics/includes/compared.html", {"section": section})
            if section
            else ""
        )
        cache.set(key, html, CACHE_SECONDS)
    return html


def benchmarks(request):
    """Every national measure, with the council's latest figure, rank and band."""
    require(request.user, "view_published")
    council = national.own_council()
    model = neighbour_model_asked(request)
    key = national.cache_key("benchmarks", national.generation(), council, model)
    table = cache.get(key)
    if table is None:
        rows = [
            {"measure": c.measure, "comparison": c}
            for c in national.latest_comparisons(council, model)
        ]
        table = render_to_string(
            "metrics/includes/benchmarks_table.html", {"rows": rows, "council": council}
        )
        cache.set(key, table, CACHE_SECONDS)
    return render(
        request,
        "metrics/benchmarks.html",
        {
            "table": table,
            "council": council,
            "model": model,
            "linked": Measure.objects.filter(
                national_measure__isnull=False, active=True
            ).select_related("national_measure", "area"),
            "breadcrumbs": breadcrumbs(("How we compare", None)),
        },
    )


def benchmark(request, key):
    """One national measure: every council in a table the reader can sort and filter."""
    require(request.user, "view_published")
    measure = get_object_or_404(NationalMeasure, key=key)
    council = national.own_council()
    model = neighbour_model_asked(request)
    years = national.periods(measure)
    if not years:
        raise Http404("Nothing is published for this measure.")
    period = request.GET.get("period", "")
    if period not in {p for p, _ in years}:
        period = years[-1][0]
    comparison = national.compare(measure, period, council, model)
    earlier = [p for p, _ in years if p < period]
    _attach_changes(comparison, measure, earlier[-1] if earlier else None)
    show = request.GET.get("show", "all") if request.GET.get("show") in SHOWS else "all"
    sort = request.GET.get("sort", "rank") if request.GET.get("sort") in SORTS else "rank"
    places = sorted(
        _shown(comparison, council, show),
        key=SORTS[sort],
        reverse=request.GET.get("order") == "desc",
    )
    return render(request, "metrics/benchmark.html", {
        "measure": measure, "comparison": comparison, "places": places, "council": council,
        "section": compared_html(measure, council, model),
        "neighbour_codes": {p.geography.code for p in comparison.neighbours},
        "years": [p for p, _ in years], "period": period,
        "previous": earlier[-1] if earlier else None,
        "show": show, "sort": sort, "order": request.GET.get("order", "asc"),
        "model": model, "models": national.NeighbourModel.objects.all(),
        "linked": measure.measures.filter(active=True),
        "breadcrumbs": breadcrumbs(
            ("How we compare", reverse("metrics:benchmarks")),
            (measure.name, None),
        ),
    })  # fmt: skip


def _attach_changes(comparison, measure, previous):
    """Each council's change since the year before (None where either year has no figure)."""
    before = {}
    if previous:
        before = {
            v.geography_id: v
            for v in NationalValue.objects.filter(measure=measure, period=previous)
        }
    for place in comparison.councils:
        old = before.get(place.geography.pk)
        place.change = (
            None
            if old is None or old.value is None or place.number is None
            else place.number - float(old.value)
        )


def _shown(comparison, council, show):
    """The councils the reader chose: all, the council's region, or its neighbours."""
    places = comparison.councils
    if show == "region" and council is not None:
        return [p for p in places if p.geography.region_id == council.region_id]
    if show == "neighbours":
        chosen = {p.geography.code for p in comparison.neighbours} | (
            {council.code} if council else set()
        )
        return [p for p in places if p.geography.code in chosen or _joint_in(p, chosen)]
    return places


def _joint_in(place, codes):
    return place.geography.level == Geography.Level.JOINT and bool(
        set(place.geography.joint_codes) & codes
    )


def _area_rows(area, model):
    """The area's comparison, from the cache while its links and the figures are unchanged."""
    links = list(
        Measure.objects.filter(area=area, active=True, national_measure__isnull=False)
        .order_by("pk")
        .values_list("pk", "national_measure_id", "national_note")
    )
    key = national.cache_key(
        "area-compare",
        area.pk,
        hashlib.sha256(repr(links).encode()).hexdigest()[:16],
        national.generation(),
        model,
        national.own_council(),
    )
    rows = cache.get(key)
    if rows is None:
        rows = national.how_we_compare([area.pk], model)
        cache.set(key, rows, CACHE_SECONDS)
    return rows


def area_compare(request, slug):
    """A service area's measures against other councils, worst first."""
    require(request.user, "view_published")
    area = get_object_or_404(ServiceArea, slug=slug)
    model = neighbour_model_asked(request)
    return render(
        request,
        "metrics/area_compare.html",
        {
            "area": area,
            "rows": _area_rows(area, model),
            "model": model,
            "models": national.NeighbourModel.objects.all(),
            "breadcrumbs": breadcrumbs(
                ("Scorecards", reverse("metrics:scorecards")),
                (area.name, area.get_absolute_url()),
                ("How we compare", None),
            ),
        },
    )
