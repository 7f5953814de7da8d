from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from improvement_plan.forms import CloseRiskForm, ReviewForm, RiskFilter, RiskForm
from improvement_plan.models import IMPACTS, LIKELIHOODS, Risk
from metrics import calculations as calc
from metrics import charts
from scrutiny import clock
from scrutiny.audit import AuditEntry
from scrutiny.editing import breadcrumbs, redirect_back, send_back
from scrutiny.roles import require, sees_drafts

RISK_SORTS = {
    "": ("Reference", lambda r: r.reference),
    "score": (
        "Current score, highest first",
        lambda r: -(r.current.score or 0) if r.current else 0,
    ),
    "direction": (
        "Direction, increasing first",
        lambda r: {"increasing": 0, "no_change": 1, "decreasing": 2}.get(r.direction, 3),
    ),
    "owner": ("Owner", lambda r: r.owner.lower()),
}
BANDS = ["High", "Moderate", "Low"]


@vary_on_headers("HX-Request")
def risks(request):
    """The register, with band, owner and 'rating questioned' filters and sorting in the URL."""
    require(request.user, "view_published")
    rated = Risk.objects.filter(closed_at__isnull=True).rated(sees_drafts(request.user))
    quarters = sorted({a.quarter for r in rated for a in r.history}, key=lambda q: q.end)[-5:]
    sorts = [(k, label) for k, (label, _) in RISK_SORTS.items()]
    owners = sorted({r.owner for r in rated if r.owner})
    filters = RiskFilter(request.GET, bands=BANDS, owners=owners, sorts=sorts)
    shown = sorted(filters.apply(rated), key=RISK_SORTS[filters.chosen["sort"]][1])
    for risk in shown:
        by_quarter = {a.quarter: a for a in risk.history}
        risk.columns = [by_quarter.get(q) for q in quarters]
    template = (
        "improvement_plan/risks.html#register" if request.htmx else "improvement_plan/risks.html"
    )
    return render(
        request,
        template,
        {
            "risks": shown,
            "total": len(rated),
            "quarters": quarters,
            "filters": filters,
            "closed": Risk.objects.filter(closed_at__isnull=False).order_by("reference"),
            "breadcrumbs": breadcrumbs(("Risks", None)),
        },
    )


def heat_map(request):
    require(request.user, "view_published")
    rated = Risk.objects.filter(closed_at__isnull=True).rated(sees_drafts(request.user))
    placed = [r for r in rated if r.current and r.current.impact and r.current.likelihood]
    unplaced = [r for r in rated if r not in placed]
    return render(request, "improvement_plan/heat_map.html", {
        "grid": _heat_map_grid(rated, placed), "impacts": IMPACTS, "unplaced": unplaced,
        "by_score": _by_score(unplaced), "not_rated": [r for r in unplaced if not r.current],
        "breadcrumbs": breadcrumbs(
            ("Risks", reverse("improvement_plan:risks")),
            ("Heat map", None),
        ),
    })  # fmt: skip


def _heat_map_grid(rated, placed):
    """Likelihood rows from 5 down, impact cells from 1 up: each cell's score, band and risks,
    and the risks that stood there the quarter before, when that was rated in full."""

    def at(rating, impact, likelihood):
        return rating and rating.impact == impact and rating.likelihood == likelihood

    return [
        {
            "likelihood": likelihood,
            "label": LIKELIHOODS[likelihood],
            "cells": [
                {
                    "impact": impact,
                    "score": impact * likelihood,
                    "band": calc.risk_band(impact * likelihood),
                    "risks": [r for r in placed if at(r.current, impact, likelihood)],
                    "was": [r for r in rated if at(r.previous, impact, likelihood)],
                }
                for impact in range(1, 6)
            ],
        }
        for likelihood in range(5, 0, -1)
    ]


def _by_score(unplaced):
    """Risks rated by score alone, in their band's box, highest score first."""
    return [
        {
            "band": band,
            "low": low,
            "high": high,
            "risks": sorted(
                (r for r in unplaced if r.current and r.current.band == band),
                key=lambda r: (-r.current.score, r.reference),
            ),
        }
        for band, low, high in reversed(calc.RISK_BANDS)
    ]


def risk(request, reference):
    require(request.user, "view_published")
    get_object_or_404(Risk, reference=reference)
    (found,) = Risk.objects.filter(reference=reference).rated(sees_drafts(request.user))
    ratings = found.ratings
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
            "mitigation_history": AuditEntry.objects.for_object(found).filter(field="mitigations"),
            "history": AuditEntry.objects.for_object(found)
            .exclude(field="mitigations")
            .select_related("user"),
            "workstreams": found.workstreams.filter(priority__plan__is_current=True).select_related(
                "priority__plan"
            ),
            "ratings": ratings,
            "chart": chart,
            "awaiting_sign_off": found.proposed,
            "breadcrumbs": breadcrumbs(
                ("Risks", reverse("improvement_plan:risks")),
                (found.reference, None),
            ),
        },
    )


def review(request, reference):
    """A quarterly review (service leads and directors): impact and likelihood, and why."""
    require(request.user, "review_risks")
    get_object_or_404(Risk, reference=reference)
    (found,) = Risk.objects.filter(reference=reference).rated(sees_drafts(request.user))
    quarter = found.review_due or calc.quarter_period(calc.financial_year_of(clock.today()), 1)
    existing = found.review_in(quarter)
    # Correcting a review not yet signed off compares with the quarter before it.
    proposed = existing.mitigations if existing and existing.is_proposed else found.mitigations
    form = ReviewForm(
        request.POST or None, previous=found.current, initial={"mitigations": proposed}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # A review posted without the field (an older form) leaves the mitigations as they are.
        mitigations = data["mitigations"] if "mitigations" in request.POST else None
        assessment = found.record_review(
            quarter, impact=data["impact"], likelihood=data["likelihood"],
            rationale=data["rationale"], mitigations=mitigations, by=request.user,
        )  # fmt: skip
        messages.success(
            request,
            f"Review for {quarter.label} recorded: {assessment.band} "
            f"{assessment.score}. A director signs it off.",
        )
        return redirect(found)
    return render(request, "improvement_plan/review.html", {
        "risk": found, "form": form, "quarter": quarter,
        "returned": existing if existing and existing.returned_at else None,
        "breadcrumbs": _breadcrumbs(found, "Review"),
    })  # fmt: skip


def _breadcrumbs(risk, page):
    return breadcrumbs(
        ("Risks", reverse("improvement_plan:risks")),
        (risk.reference, risk.get_absolute_url()),
        (page, None),
    )


@require_POST
def sign_off(request, reference):
    require(request.user, "sign_off")
    found = get_object_or_404(Risk, reference=reference)
    assessment = found.waiting_review()
    if assessment is None:
        messages.error(request, "There is no review waiting to be signed off.")
    else:
        assessment.sign_off(request.user)
        messages.success(request, f"Signed off the review for {assessment.quarter.label}.")
    return redirect_back(request, found)


@require_POST
def return_review(request, reference):
    """Send the review waiting for sign-off back to its author with a comment."""
    require(request.user, "sign_off")
    found = get_object_or_404(Risk, reference=reference)
    assessment = found.waiting_review()
    return send_back(
        request,
        assessment,
        refused=assessment is None and "There is no review waiting to be signed off.",
        ask="Say what should change: the comment is sent back.",
        done=assessment and f"Returned the review for {assessment.quarter.label}.",
        fallback=found,
    )


def overdue(request):
    require(request.user, "view_published")
    risks = Risk.objects.filter(closed_at__isnull=True).rated(sees_drafts(request.user))
    late = sorted(
        (r for r in risks if r.overdue_since), key=lambda r: (r.overdue_since, r.reference)
    )
    return render(
        request,
        "improvement_plan/overdue.html",
        {
            "risks": late,
            "breadcrumbs": breadcrumbs(
                ("Risks", reverse("improvement_plan:risks")),
                ("Overdue reviews", None),
            ),
        },
    )


def risk_form(request, reference=None):
    """Add a risk to the register, or change one (with the reason), as its owners do."""
    require(request.user, "review_risks")
    found = get_object_or_404(Risk, reference=reference) if reference else None
    if found and found.closed_at:
        raise PermissionDenied
    form = RiskForm(request.POST or None, instance=found)
    if request.method == "POST" and form.is_valid():
        saved = form.save_with_trail(request.user)
        messages.success(request, f"{saved.reference} {'changed' if found else 'added'}.")
        return redirect(saved)
    return render(
        request,
        "improvement_plan/risk_form.html",
        {
            "form": form,
            "risk": found,
            "breadcrumbs": breadcrumbs(
                ("Risks", reverse("improvement_plan:risks")),
                *([(found.reference, found.get_absolute_url())] if found else []),
                ("Change" if found else "Add a risk", None),
            ),
        },
    )


@require_POST
def close_risk(request, reference):
    """Close a risk with the reason: it leaves the register and stays readable, with its trail."""
    require(request.user, "review_risks")
    found = get_object_or_404(Risk, reference=reference, closed_at__isnull=True)
    form = CloseRiskForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["reason"][0])
        return redirect(found)
    found.close(form.cleaned_data["reason"], by=request.user)
    messages.success(request, f"{found.reference} closed. It no longer appears in the register.")
    return redirect(found)
