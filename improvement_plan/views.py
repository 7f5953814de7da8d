import copy

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from improvement_plan.forms import CloseRiskForm, RiskForm
from improvement_plan.models import IMPACTS, LIKELIHOODS, Risk, RiskAssessment
from metrics import calculations as calc
from metrics import charts
from scrutiny import clock
from scrutiny.audit import AuditEntry
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
    owners = sorted({r.owner for r in rated if r.owner})
    chosen = {
        "band": request.GET.get("band", "") if request.GET.get("band") in BANDS else "",
        "owner": request.GET.get("owner", "") if request.GET.get("owner") in owners else "",
        "questioned": request.GET.get("questioned") == "yes",
        "sort": request.GET.get("sort", "") if request.GET.get("sort") in RISK_SORTS else "",
    }
    shown = [
        r
        for r in rated
        if (not chosen["band"] or (r.current and r.current.band == chosen["band"]))
        and (not chosen["owner"] or r.owner == chosen["owner"])
        and (not chosen["questioned"] or r.questioned)
    ]
    shown.sort(key=RISK_SORTS[chosen["sort"]][1])
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
            "owners": owners,
            "bands": BANDS,
            "sorts": [(k, label) for k, (label, _) in RISK_SORTS.items()],
            "chosen": chosen,
            "closed": Risk.objects.filter(closed_at__isnull=False).order_by("reference"),
            "breadcrumbs": [("Dashboard", reverse("home")), ("Risks", None)],
        },
    )


def heat_map(request):
    require(request.user, "view_published")
    rated = Risk.objects.filter(closed_at__isnull=True).rated(sees_drafts(request.user))
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
                        # Where each stood the quarter before, when that was rated in full.
                        "was": [
                            r
                            for r in rated
                            if r.previous
                            and r.previous.impact == impact
                            and r.previous.likelihood == likelihood
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
            "by_score": [
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
            ],
            "not_rated": [r for r in unplaced if not r.current],
            "breadcrumbs": [
                ("Dashboard", reverse("home")),
                ("Risks", reverse("improvement_plan:risks")),
                ("Heat map", None),
            ],
        },
    )


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
            "breadcrumbs": [
                ("Dashboard", reverse("home")),
                ("Risks", reverse("improvement_plan:risks")),
                (found.reference, None),
            ],
        },
    )


class ReviewForm(forms.Form):
    impact = forms.TypedChoiceField(
        coerce=int,
        widget=forms.RadioSelect,
        choices=[(n, f"{n} {name}") for n, name in IMPACTS.items()],
        error_messages={"required": "Choose the impact, from 1 (insignificant) to 5 (critical)."},
    )
    likelihood = forms.TypedChoiceField(
        coerce=int,
        widget=forms.RadioSelect,
        choices=[(n, f"{n} {name}") for n, name in LIKELIHOODS.items()],
        error_messages={"required": "Choose the likelihood, from 1 (rare) to 5 (almost certain)."},
    )
    rationale = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "class": "govuk-textarea"}),
        help_text="Required when the rating changes: what in the figures or the service "
        "changed it.",
    )

    mitigations = forms.CharField(
        label="Mitigating actions",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "class": "govuk-textarea"}),
        help_text="As they stand after this review. Earlier versions are kept on the risk's page.",
    )

    def __init__(self, *args, previous=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.previous = previous

    def clean(self):
        cleaned = super().clean()
        impact, likelihood = cleaned.get("impact"), cleaned.get("likelihood")
        if impact and likelihood and self.previous and self.previous.score is not None:
            if (
                impact * likelihood != self.previous.score
                and not cleaned.get("rationale", "").strip()
            ):
                self.add_error(
                    "rationale",
                    f"Say why the rating changes from {self.previous.band} {self.previous.score}.",
                )
        return cleaned


def review(request, reference):
    """A quarterly review (service leads and directors): impact and likelihood, and why."""
    require(request.user, "review_risks")
    get_object_or_404(Risk, reference=reference)
    (found,) = Risk.objects.filter(reference=reference).rated(sees_drafts(request.user))
    quarter = found.review_due or calc.quarter_period(calc.financial_year_of(clock.today()), 1)
    existing = found.assessments.filter(quarter_end=quarter.end).first()
    # Correcting a review not yet signed off compares with the quarter before it.
    form = ReviewForm(
        request.POST or None,
        previous=found.current,
        initial={
            "mitigations": existing.mitigations
            if existing and existing.is_proposed
            else found.mitigations
        },
    )
    if request.method == "POST" and form.is_valid():
        before = copy.copy(existing) if existing else None
        assessment = existing or RiskAssessment(risk=found, quarter_end=quarter.end)
        assessment.impact = form.cleaned_data["impact"]
        assessment.likelihood = form.cleaned_data["likelihood"]
        assessment.printed_score = None
        assessment.rationale = form.cleaned_data["rationale"].strip()
        assessment.assessed_by = request.user
        assessment.assessed_at = timezone.now()
        # Corrected after being returned: it waits for sign-off again.
        assessment.returned_at, assessment.returned_by, assessment.return_comment = None, None, ""
        # A review posted without the field (an older form) leaves the mitigations as they are.
        assessment.mitigations = (
            form.cleaned_data["mitigations"].strip()
            if "mitigations" in request.POST
            else found.mitigations.strip()
        )
        with transaction.atomic():
            assessment.save()
            AuditEntry.record_changes(
                assessment,
                before,
                user=request.user,
                reason=assessment.rationale,
                context=f"risk review {found.reference} {quarter.label}",
                fields=["impact", "likelihood", "printed_score", "rationale"],
            )
            Risk.objects.filter(pk=found.pk).update(review_overdue_since=None)
        messages.success(
            request,
            f"Review for {quarter.label} recorded: {assessment.band} "
            f"{assessment.score}. A director signs it off.",
        )
        return redirect(found)
    return render(
        request,
        "improvement_plan/review.html",
        {
            "risk": found,
            "form": form,
            "quarter": quarter,
            "returned": existing if existing and existing.returned_at else None,
            "breadcrumbs": [
                ("Dashboard", reverse("home")),
                ("Risks", reverse("improvement_plan:risks")),
                (found.reference, found.get_absolute_url()),
                ("Review", None),
            ],
        },
    )


def _waiting_review(risk):
    """The review recorded in the product and waiting for sign-off, if any."""
    return (
        risk.assessments.filter(signed_off_at__isnull=True, assessed_at__isnull=False)
        .order_by("-quarter_end")
        .first()
    )


@require_POST
def sign_off(request, reference):
    require(request.user, "sign_off")
    found = get_object_or_404(Risk, reference=reference)
    assessment = _waiting_review(found)
    if assessment is None:
        messages.error(request, "There is no review waiting to be signed off.")
    else:
        assessment.signed_off_by = request.user
        assessment.signed_off_at = timezone.now()
        with transaction.atomic():
            assessment.save(update_fields=["signed_off_by", "signed_off_at"])
            AuditEntry.record_changes(
                assessment,
                None,
                user=request.user,
                context="risk sign-off",
                fields=["signed_off_by", "signed_off_at"],
            )
            # The review's mitigating actions reach readers with its rating, once signed off.
            if assessment.mitigations and assessment.mitigations != found.mitigations.strip():
                found.mitigations = assessment.mitigations
                AuditEntry.save_with_trail(
                    found,
                    user=request.user,
                    reason=assessment.rationale,
                    context=f"risk review {found.reference} {assessment.quarter.label}",
                    fields=["mitigations"],
                )
        messages.success(request, f"Signed off the review for {assessment.quarter.label}.")
    return _back(request, found)


def _back(request, found):
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = found.get_absolute_url()
    return redirect(target)


@require_POST
def return_review(request, reference):
    """Send the review waiting for sign-off back to its author with a comment."""
    require(request.user, "sign_off")
    found = get_object_or_404(Risk, reference=reference)
    assessment = _waiting_review(found)
    comment = request.POST.get("comment", "").strip()
    if assessment is None:
        messages.error(request, "There is no review waiting to be signed off.")
    elif not comment:
        messages.error(request, "Say what should change: the comment is sent back.")
    else:
        before = copy.copy(assessment)
        assessment.returned_at, assessment.returned_by = timezone.now(), request.user
        assessment.return_comment = comment[:2000]
        with transaction.atomic():
            assessment.save(update_fields=["returned_at", "returned_by", "return_comment"])
            AuditEntry.record_changes(
                assessment, before, user=request.user, reason=assessment.return_comment,
                context="risk review returned", fields=["returned_at", "return_comment"],
            )  # fmt: skip
        messages.success(request, f"Returned the review for {assessment.quarter.label}.")
    return _back(request, found)


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
            "breadcrumbs": [
                ("Dashboard", reverse("home")),
                ("Risks", reverse("improvement_plan:risks")),
                ("Overdue reviews", None),
            ],
        },
    )


RISK_FIELDS = [
    "reference",
    "title",
    "description",
    "owner",
    "register",
    "inherent_impact",
    "inherent_likelihood",
    "target_score",
    "new_this_quarter",
]


def _linked(risk):
    return (
        [m.code for m in risk.measures.all()],
        [w.number for w in risk.workstreams.all()],
    )


def risk_form(request, reference=None):
    """Add a risk to the register, or change one (with the reason), as its owners do."""
    require(request.user, "review_risks")
    found = get_object_or_404(Risk, reference=reference) if reference else None
    if found and found.closed_at:
        raise PermissionDenied
    form = RiskForm(request.POST or None, instance=found)
    if request.method == "POST" and form.is_valid():
        before = copy.copy(Risk.objects.get(pk=found.pk)) if found else None
        old_measures, old_workstreams = _linked(found) if found else ([], [])
        reason = form.cleaned_data["reason"].strip()
        with transaction.atomic():
            saved = form.save()
            context = "risk changed" if found else "risk added"
            AuditEntry.record_changes(
                saved, before, user=request.user, reason=reason, context=context, fields=RISK_FIELDS
            )
            measures, workstreams = _linked(saved)
            for field, old, new in (
                ("measures", old_measures, measures),
                ("workstreams", old_workstreams, workstreams),
            ):
                AuditEntry.record_set(
                    saved, field, old, new, user=request.user, reason=reason, context=context
                )
        messages.success(request, f"{saved.reference} {'changed' if found else 'added'}.")
        return redirect(saved)
    return render(
        request,
        "improvement_plan/risk_form.html",
        {
            "form": form,
            "risk": found,
            "breadcrumbs": [
                ("Dashboard", reverse("home")),
                ("Risks", reverse("improvement_plan:risks")),
                *([(found.reference, found.get_absolute_url())] if found else []),
                ("Change" if found else "Add a risk", None),
            ],
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
    found.closed_at = timezone.localdate()
    found.closed_reason = form.cleaned_data["reason"].strip()
    AuditEntry.save_with_trail(
        found,
        user=request.user,
        reason=found.closed_reason,
        context="risk closed",
        fields=["closed_at", "closed_reason"],
    )
    messages.success(request, f"{found.reference} closed. It no longer appears in the register.")
    return redirect(found)
