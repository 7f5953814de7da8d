import hashlib

from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.vary import vary_on_headers

from metrics import calculations as calc
from metrics import charts, exports
from metrics.forms import ScorecardFilter
from metrics.models import (
    AreaRagCount,
    Frequency,
    Measure,
    MeasureStatus,
    Narrative,
    ObservationChange,
    ServiceArea,
    SpcLimits,
)
from scrutiny.editing import breadcrumbs
from scrutiny.roles import require, sees_drafts


def scorecards(request):
    require(request.user, "view_published")
    areas = ServiceArea.objects.list_with_headlines(sees_drafts(request.user))
    return render(
        request,
        "metrics/scorecards.html",
        {
            "areas": areas,
            "breadcrumbs": breadcrumbs(("Scorecards", None)),
        },
    )


SCORECARD_CACHE_SECONDS = 15 * 60
RAG_ORDER = {"red": 0, "amber": 1, "green": 2, "missing_target": 3, "no_value": 4, "not_judged": 5}
DIRECTION_ORDER = {"declining": 0, "no_change": 1, "improving": 2, "not_comparable": 3}
SORTS = {
    "": ("Paper order", None),
    "rag": ("Status, worst first", lambda m: RAG_ORDER.get(_rag(m), 9)),
    "direction": (
        "Direction, declining first",
        lambda m: DIRECTION_ORDER.get(m.status.direction if m.status else "", 9),
    ),
    "name": ("Measure name", lambda m: m.name.lower()),
}


def _rag(measure):
    return measure.status.rag if measure.status else "no_value"


def _scorecard_setup(request, slug):
    """The area, its headline, the filters on offer and those the URL makes: cheap."""
    require(request.user, "view_published")
    drafts = sees_drafts(request.user)
    area = get_object_or_404(ServiceArea, slug=slug)
    (area,) = ServiceArea.objects.filter(pk=area.pk).list_with_headlines(drafts)
    filters = ScorecardFilter(request.GET, latest=area.period, **_scorecard_choices(area, drafts))
    return {
        "area": area,
        "filters": filters,
        "chosen": {**filters.chosen, "period": filters.period},
        "problem": filters.problem,
        "period": filters.period,
    }


def _scorecard(request, setup):
    """The rows for the chosen period, filtered and sorted as the URL asks."""
    chosen = setup["chosen"]
    periods, measures = [], []
    if chosen["period"]:
        periods, measures = Measure.objects.for_scorecard(
            setup["area"],
            chosen["period"],
            sees_drafts(request.user),
            breakdown=chosen["breakdown"],
        )
    shown = [
        m
        for m in measures
        if (not chosen["section"] or str(m.section_id) == chosen["section"])
        and (not chosen["rag"] or _rag(m) == chosen["rag"])
        and (
            not chosen["direction"]
            or (m.status.direction if m.status else "not_comparable") == chosen["direction"]
        )
    ]
    key = SORTS[chosen["sort"]][1]
    if key:
        shown.sort(key=key)
    return {
        **setup,
        "periods": periods,
        "measures": measures,
        "shown": shown,
        "sorted": key is not None,
    }


def _scorecard_results(request, setup):
    """The rendered rows, from the cache while the area's figures are unchanged."""
    key = _scorecard_cache_key(request, setup["area"])
    html = cache.get(key)
    if html is None:
        data = _scorecard(request, setup)
        sections = []
        for measure in data["shown"]:
            heading = None if data["sorted"] else measure.section
            if not sections or sections[-1][0] != heading:
                sections.append((heading, []))
            sections[-1][1].append(measure)
        drafts = sees_drafts(request.user)
        html = render_to_string(
            "metrics/scorecard.html#results",
            {
                **data,
                "narrative": Narrative.latest(setup["area"], setup["period"], drafts)
                if setup["period"]
                else None,
                "can_write_narrative": request.user.has_perm("scrutiny.edit_commentary"),
                "sections": sections,
                "shown": len(data["shown"]),
                "total": len(data["measures"]),
                "query": request.GET.urlencode(),
                "request": request,
            },
        )
        cache.set(key, html, SCORECARD_CACHE_SECONDS)
    return html


@vary_on_headers("HX-Request")
def scorecard(request, slug):
    """The council's scorecard for an area, with period, filters and sorting in the URL."""
    setup = _scorecard_setup(request, slug)
    results = _scorecard_results(request, setup)
    if request.htmx:
        return HttpResponse(results)
    return render(
        request,
        "metrics/scorecard.html",
        {
            **setup,
            "results": results,
            "breadcrumbs": breadcrumbs(
                ("Scorecards", reverse("metrics:scorecards")),
                (setup["area"].name, None),
            ),
        },
    )


def _scorecard_cache_key(request, area):
    """The rendered results depend only on the area's figures (their version), whether drafts
    are shown, and the query string; any change to the figures changes the key."""
    drafts = sees_drafts(request.user)
    query = "&".join(sorted(request.GET.urlencode().split("&")))
    digest = hashlib.sha256(query.encode()).hexdigest()[:32]
    writes = request.user.has_perm("scrutiny.edit_commentary")
    return f"scorecard:{area.pk}:{area.figures_version}:{int(drafts)}{int(writes)}:{digest}"


def scorecard_export(request, slug, fmt):
    """The scorecard as shown (same period, filters and order), as XLSX or CSV."""
    data = _scorecard(request, _scorecard_setup(request, slug))
    table = exports.scorecard_table(
        data["area"], data["periods"], data["shown"], data["chosen"]["breakdown"]
    )
    name = f"{data['area'].slug}-{data['period'].key if data['period'] else 'scorecard'}"
    if fmt == "csv":
        response = HttpResponse(exports.as_csv(table), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            exports.as_xlsx(table, title=data["area"].name),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _scorecard_choices(area, drafts):
    """The periods (from the engine's roll-up: a small table), sections and areas to offer."""
    kind = area.period.kind if area.period else Frequency.QUARTERLY
    counted = "total" if drafts else "published"
    ends = (
        AreaRagCount.objects.filter(area=area, period_kind=kind, **{f"{counted}__gt": 0})
        .order_by("-period_end")
        .values_list("period_end", flat=True)
        .distinct()
    )
    # Areas (localities) offered are those with figures in the latest period.
    breakdowns = (
        MeasureStatus.objects.in_view(drafts)
        .filter(measure__area=area, period_end=area.period.end if area.period else None)
        .exclude(breakdown="")
        .order_by("breakdown")
        .values_list("breakdown", flat=True)
        .distinct()
    )
    return {
        "kind": kind,
        "periods": [calc.Period(end, kind) for end in ends],
        "sections": list(area.sections.all()),
        "breakdowns": list(breakdowns),
        "sorts": [(value, label) for value, (label, _) in SORTS.items()],
    }


def measure(request, code):
    require(request.user, "view_published")
    drafts = sees_drafts(request.user)
    measure = get_object_or_404(
        Measure.objects.select_related("area", "section", "national_measure"), code=code
    )
    statuses = ObservationChange.objects.attach_revisions(
        list(
            measure.statuses.in_view(drafts)
            .filter(breakdown="")
            .order_by("period_kind", "period_end")
        )
    )
    series = [s for s in statuses if s.period_kind == measure.frequency]
    latest = series[-1] if series else (statuses[-1] if statuses else None)
    breakdown = _breakdown(measure, latest, drafts)
    return render(request, "metrics/measure.html", {
        "measure": measure, "statuses": statuses, "latest": latest, "breakdown": breakdown,
        "history": measure.changes.select_related("changed_by", "upload")[:100] if drafts else [],
        "risks": measure.risks.filter(closed_at__isnull=True).order_by("reference"),
        "plan_metrics": measure.plan_metrics.filter(
            workstream__priority__plan__is_current=True
        ).select_related("workstream"),
        "chart": measure_chart_html(measure, series),
        "breakdown_chart": _breakdown_chart(measure, latest, breakdown),
        "targets": measure.targets.all(),
        "comparators": measure.comparators_at(latest.period_end if latest else None),
        "compared": _compared(request, measure),
        "commentary": measure.commentary.in_view(drafts),
        "breadcrumbs": _measure_crumbs(measure),
    })  # fmt: skip


def _measure_crumbs(measure):
    return breadcrumbs(
        ("Scorecards", reverse("metrics:scorecards")),
        (measure.area.name, measure.area.get_absolute_url()),
        (measure.name, None),
    )


def _breakdown(measure, latest, drafts):
    """The latest period's statuses by locality (or other breakdown), in the reader's view."""
    if latest is None:
        return []
    found = measure.statuses.in_view(drafts).exclude(breakdown="")
    return list(
        found.filter(period_kind=latest.period_kind, period_end=latest.period_end).order_by(
            "breakdown"
        )
    )


def _compared(request, measure):
    """The *Compared with other councils* section, for a measure linked to a national one."""
    if measure.national_measure_id is None:
        return None
    from metrics import benchmark_views, national

    return benchmark_views.compared_html(
        measure.national_measure,
        national.own_council(),
        benchmark_views.neighbour_model_asked(request),
    )


def measure_chart_html(measure, series):
    """A measure's chart from its engine statuses in one kind of period (oldest first): actuals,
    target and tolerance, comparators, SPC. Also drawn for the plan's metrics."""
    if not series:
        return ""
    targets = [calc.as_float(s.target) for s in series]
    widths = [
        None
        if t is None
        else float(calc.tolerance_width(t, measure.tolerance_kind, float(measure.tolerance)))
        for t in targets
    ]
    signal_kind = {
        "special_cause_improvement": "improvement",
        "special_cause_concern": "concern",
        "special_cause_neutral": "neutral",
    }
    comparators = [
        (c.title, float(c.value))
        for c in measure.comparators_at(series[-1].period_end)
        if c.value is not None
    ]
    means, lowers, uppers = zip(*SpcLimits.objects.along(series), strict=True)
    figure = charts.measure_chart(
        title=measure.name,
        labels=[s.period.label for s in series],
        values=[calc.as_float(s.value) for s in series],
        targets=targets,
        tolerance_widths=widths,
        polarity=measure.polarity,
        unit_suffix="%" if measure.unit == "percent" else "",
        comparators=comparators,
        spc_mean=means,
        spc_lower=lowers,
        spc_upper=uppers,
        signals=[signal_kind.get(s.spc_variation, "") if s.spc_signal else "" for s in series],
    )
    return charts.to_html(figure, f"chart-{measure.code}")


def _breakdown_chart(measure, latest, breakdown):
    if not breakdown:
        return ""
    figure = charts.breakdown_chart(
        title=f"{measure.name}, {latest.period.label}, by area",
        areas=[s.breakdown for s in breakdown],
        values=[calc.as_float(s.value) for s in breakdown],
        target=calc.as_float(latest.target),
        unit_suffix="%" if measure.unit == "percent" else "",
    )
    return charts.to_html(figure, f"breakdown-{measure.code}")
