from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from metrics import calculations as calc
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
            "latest": statuses[-1] if statuses else None,
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
