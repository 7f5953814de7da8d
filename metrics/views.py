from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from metrics import calculations as calc
from metrics import charts
from metrics.models import (
    Frequency,
    Measure,
    MeasureStatus,
    ServiceArea,
)


def _require_reader(user):
    if not user.has_perm("scrutiny.view_published"):
        raise PermissionDenied


def scorecards(request):
    _require_reader(request.user)
    statuses = MeasureStatus.objects.whole_authority().visible_to(request.user)
    areas = ServiceArea.objects.with_headlines(statuses)
    return render(
        request,
        "metrics/scorecards.html",
        {
            "areas": areas,
            "breadcrumbs": [("Dashboard", reverse("home")), ("Scorecards", None)],
        },
    )


def scorecard(request, slug):
    _require_reader(request.user)
    area = get_object_or_404(ServiceArea, slug=slug)
    statuses = MeasureStatus.objects.whole_authority().visible_to(request.user)
    (area,) = ServiceArea.objects.filter(pk=area.pk).with_headlines(statuses)
    period = area.period
    problem = ""
    if request.GET.get("period"):
        try:
            kind = area.period.kind if area.period else Frequency.QUARTERLY
            period = calc.parse_period(request.GET["period"], kind=kind)
        except ValueError as error:
            problem = str(error)
    measures = []
    periods = []
    if period:
        periods, measures = Measure.objects.for_scorecard(area, period, request.user)
    sections = []
    for measure in measures:
        if not sections or sections[-1][0] != measure.section:
            sections.append((measure.section, []))
        sections[-1][1].append(measure)
    return render(
        request,
        "metrics/scorecard.html",
        {
            "area": area,
            "period": period,
            "periods": periods,
            "sections": sections,
            "problem": problem,
            "breadcrumbs": [
                ("Dashboard", reverse("home")),
                ("Scorecards", reverse("metrics:scorecards")),
                (area.name, None),
            ],
        },
    )


def measure(request, code):
    _require_reader(request.user)
    measure = get_object_or_404(Measure.objects.select_related("area", "section"), code=code)
    statuses = list(
        MeasureStatus.objects.visible_to(request.user)
        .filter(measure=measure, breakdown="")
        .order_by("period_kind", "period_end")
    )
    commentary = measure.commentary.visible_to(request.user)
    series = [s for s in statuses if s.period_kind == measure.frequency]
    latest = series[-1] if series else (statuses[-1] if statuses else None)
    breakdown = []
    if latest:
        breakdown = list(
            MeasureStatus.objects.visible_to(request.user)
            .filter(measure=measure, period_kind=latest.period_kind, period_end=latest.period_end)
            .exclude(breakdown="")
            .order_by("breakdown")
        )
    history = []
    if request.user.has_perm("scrutiny.view_drafts"):
        history = measure.changes.select_related("changed_by", "upload")[:100]
    return render(
        request,
        "metrics/measure.html",
        {
            "measure": measure,
            "history": history,
            "statuses": statuses,
            "latest": latest,
            "chart": _measure_chart(measure, series),
            "breakdown": breakdown,
            "breakdown_chart": _breakdown_chart(measure, latest, breakdown),
            "targets": measure.targets.all(),
            "comparators": measure.comparators.all(),
            "commentary": commentary,
            "breadcrumbs": [
                ("Dashboard", reverse("home")),
                ("Scorecards", reverse("metrics:scorecards")),
                (measure.area.name, measure.area.get_absolute_url()),
                (measure.name, None),
            ],
        },
    )


def _number(value):
    return None if value is None else float(value)


def _measure_chart(measure, series):
    if not series:
        return ""
    targets = [_number(s.target) for s in series]
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
        (
            f"{c.label or c.get_kind_display()}{f' ({c.period_label})' if c.period_label else ''}",
            float(c.value),
        )
        for c in measure.comparators.all()
        if c.value is not None
    ]
    figure = charts.measure_chart(
        title=measure.name,
        labels=[s.period.label for s in series],
        values=[_number(s.value) for s in series],
        targets=targets,
        tolerance_widths=widths,
        polarity=measure.polarity,
        unit_suffix="%" if measure.unit == "percent" else "",
        comparators=comparators,
        spc_mean=[s.spc_mean for s in series],
        spc_lower=[s.spc_lower for s in series],
        spc_upper=[s.spc_upper for s in series],
        signals=[signal_kind.get(s.spc_variation, "") if s.spc_signal else "" for s in series],
    )
    return charts.to_html(figure, f"chart-{measure.code}")


def _breakdown_chart(measure, latest, breakdown):
    if not breakdown:
        return ""
    figure = charts.breakdown_chart(
        title=f"{measure.name}, {latest.period.label}, by area",
        areas=[s.breakdown for s in breakdown],
        values=[_number(s.value) for s in breakdown],
        target=_number(latest.target),
        unit_suffix="%" if measure.unit == "percent" else "",
    )
    return charts.to_html(figure, f"breakdown-{measure.code}")
