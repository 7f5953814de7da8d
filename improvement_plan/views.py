from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from improvement_plan.models import IMPACTS, LIKELIHOODS, Risk
from metrics import calculations as calc
from metrics import charts
from metrics.models import MeasureStatus


def _require_reader(user):
    if not user.has_perm("scrutiny.view_published"):
        raise PermissionDenied


def _rated(risks, user):
    """Each risk with its current and previous ratings, direction, review due, and whether its
    linked measures question the rating: two queries for the statuses whatever the count."""
    risks = list(risks)
    measure_ids = {m.pk for risk in risks for m in risk.measures.all()}
    latest = {}
    for status in (
        MeasureStatus.objects.whole_authority()
        .visible_to(user)
        .filter(measure_id__in=measure_ids)
        .select_related("measure")
        .order_by("period_end")
    ):
        if status.period_kind == status.measure.frequency:
            latest[status.measure_id] = status
    for risk in risks:
        ratings = list(risk.assessments.all())
        risk.current = ratings[-1] if ratings else None
        risk.previous = ratings[-2] if len(ratings) > 1 else None
        risk.direction = calc.risk_direction(
            risk.current.score if risk.current else None,
            risk.previous.score if risk.previous else None,
        )
        risk.history = ratings[-5:]
        risk.linked = [latest.get(m.pk) for m in risk.measures.all()]
        risk.questioned = calc.risk_rating_questioned(
            risk.current.band if risk.current else "",
            [(s.measure.name, s.rag, s.direction) for s in risk.linked if s],
        )
        # Each risk is reviewed every quarter: the next review is for the quarter after.
        risk.review_due = (
            calc.Period(calc.add_months(risk.current.quarter_end, 3), calc.QUARTER)
            if risk.current
            else None
        )
    return risks


def risks(request):
    _require_reader(request.user)
    rated = _rated(Risk.objects.filter(closed_at__isnull=True).with_assessments(), request.user)
    quarters = sorted({a.quarter for r in rated for a in r.history}, key=lambda q: q.end)[-5:]
    for risk in rated:
        by_quarter = {a.quarter: a for a in risk.history}
        risk.columns = [by_quarter.get(q) for q in quarters]
    return render(
        request,
        "improvement_plan/risks.html",
        {
            "risks": rated,
            "quarters": quarters,
            "breadcrumbs": [("Dashboard", reverse("home")), ("Risks", None)],
        },
    )


def heat_map(request):
    _require_reader(request.user)
    rated = _rated(Risk.objects.filter(closed_at__isnull=True).with_assessments(), request.user)
    placed = [r for r in rated if r.current and r.current.impact and r.current.likelihood]
    unplaced = [r for r in rated if r not in placed]
    grid = []
    for likelihood in range(5, 0, -1):
        grid.append(
            {
                "likelihood": likelihood,
                "label": LIKELIHOODS[likelihood],
                "cells": [
                    {
                        "impact": impact,
                        "score": impact * likelihood,
                        "band": calc.risk_band(impact * likelihood),
                        "risks": [
                            r
                            for r in placed
                            if r.current.impact == impact and r.current.likelihood == likelihood
                        ],
                    }
                    for impact in range(1, 6)
                ],
            }
        )
    return render(
        request,
        "improvement_plan/heat_map.html",
        {
            "grid": grid,
            "impacts": IMPACTS,
            "unplaced": unplaced,
            "breadcrumbs": [
                ("Dashboard", reverse("home")),
                ("Risks", reverse("improvement_plan:risks")),
                ("Heat map", None),
            ],
        },
    )


def risk(request, reference):
    _require_reader(request.user)
    found = get_object_or_404(Risk.objects.with_assessments(), reference=reference)
    (found,) = _rated([found], request.user)
    ratings = list(found.assessments.all())
    chart = ""
    if ratings:
        chart = charts.to_html(
            charts.risk_chart(
                title=f"{found.reference}: score by quarter",
                labels=[a.quarter.label for a in ratings],
                scores=[a.score for a in ratings],
            ),
            f"risk-{found.reference}",
        )
    return render(
        request,
        "improvement_plan/risk.html",
        {
            "risk": found,
            "ratings": ratings,
            "chart": chart,
            "breadcrumbs": [
                ("Dashboard", reverse("home")),
                ("Risks", reverse("improvement_plan:risks")),
                (found.reference, None),
            ],
        },
    )
