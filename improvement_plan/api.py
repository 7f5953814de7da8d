from collections import Counter

from django.http import Http404
from ninja import Field, Path, Router, Schema

from improvement_plan.models import KeyAction, Plan, Risk, statuses
from scrutiny import clock
from scrutiny.api_schema import REFERENCE, answers
from scrutiny.roles import sees_drafts

router = Router(tags=["risks"])


class RatingOut(Schema):
    quarter: str
    quarter_label: str
    score: int | None
    band: str
    impact: int | None
    likelihood: int | None
    score_only: bool
    rationale: str
    signed_off: bool


class RiskOut(Schema):
    reference: str
    title: str
    owner: str
    risk_register: str
    inherent_score: int | None
    inherent_band: str
    current: RatingOut | None = Field(
        description="The latest signed-off rating: the one committee members read"
    )
    proposed: RatingOut | None = Field(
        description="A review waiting for sign-off; shown only to those who may see drafts"
    )
    direction: str
    review_due: str | None
    new_this_quarter: bool
    rating_questioned: str
    measures: list[str]
    workstreams: list[str]
    mitigations: str
    history: list[RatingOut]


def _rating(assessment):
    if assessment is None:
        return None
    return {
        "quarter": assessment.quarter.key,
        "quarter_label": assessment.quarter.label,
        "score": assessment.score,
        "band": assessment.band,
        "impact": assessment.impact,
        "likelihood": assessment.likelihood,
        "score_only": assessment.score_only,
        "rationale": assessment.rationale,
        "signed_off": assessment.signed_off_at is not None,
    }


def _risk(risk):
    return {
        "reference": risk.reference,
        "title": risk.title,
        "owner": risk.owner,
        "risk_register": risk.register.name,
        "inherent_score": risk.inherent,
        "inherent_band": risk.inherent_band,
        "current": _rating(risk.current),
        "proposed": _rating(risk.proposed),
        "direction": risk.direction,
        "review_due": risk.review_due.key if risk.review_due else None,
        "new_this_quarter": risk.new_this_quarter,
        "rating_questioned": risk.questioned,
        "measures": [m.code for m in risk.measures.all()],
        "workstreams": [w.number for w in risk.workstreams.all() if w.priority.plan.is_current],
        "mitigations": risk.mitigations,
        "history": [_rating(a) for a in risk.ratings],
    }


@router.get(
    "/risks", response=answers(list[RiskOut]), summary="Open strategic risks with their ratings"
)
def risks(request):
    return [
        _risk(r)
        for r in Risk.objects.filter(closed_at__isnull=True).rated(sees_drafts(request.user))
    ]


@router.get(
    "/risks/{reference}",
    response=answers(RiskOut, not_found=True),
    summary="One risk, its ratings by quarter and linked measures",
)
def risk(
    request,
    reference: str = Path(..., description="The risk's reference, e.g. SR7.5", pattern=REFERENCE),
):
    found = Risk.objects.filter(reference=reference).rated(sees_drafts(request.user))
    if not found:
        raise Http404(f"No risk {reference!r}.")
    return _risk(found[0])


class PlanStatusOut(Schema):
    period: str | None
    actions_status: str | None
    impact_status: str | None


class WorkstreamOut(Schema):
    number: str
    title: str
    lead: str
    status: PlanStatusOut
    actions: dict[str, int]
    overdue_actions: int
    metrics: dict[str, int]
    on_target_while_metrics_regress: bool


class PriorityOut(Schema):
    number: int
    title: str
    status: PlanStatusOut
    workstreams: list[WorkstreamOut]


class PlanOut(Schema):
    title: str
    version: str
    as_at: str
    reporting_period: str | None
    actions: dict[str, int]
    overdue_actions: int
    priorities: list[PriorityOut]


@router.get(
    "/plan",
    response=answers(PlanOut, not_found=True),
    summary="The current improvement plan: priorities, workstreams, statuses and actions",
    tags=["improvement plan"],
)
def plan(request):
    """Statuses are the latest signed off; overdue is as at today; metrics count trajectories
    since the plan began (improved, no significant change, regressed, not comparable)."""
    current = Plan.objects.current()
    if current is None:
        raise Http404("No improvement plan has been loaded.")
    today = clock.today()
    priorities = current.overview(sees_drafts(request.user), today)
    counts = _action_counts(current)
    period = current.current_period()
    return {
        "title": current.title,
        "version": current.version,
        "as_at": today.isoformat(),
        "reporting_period": period.label if period else None,
        "actions": dict(sum(counts.values(), Counter())),
        "overdue_actions": sum(w.overdue_count for p in priorities for w in p.rows),
        "priorities": [
            {
                "number": priority.number,
                "title": priority.title,
                "status": statuses(priority.status),
                "workstreams": [_workstream(w, counts) for w in priority.rows],
            }
            for priority in priorities
        ],
    }


def _action_counts(plan):
    """For each workstream, its key actions counted by status (as the plan words them)."""
    counts = {}
    for status, workstream_id in KeyAction.objects.filter(
        workstream__priority__plan=plan
    ).values_list("status", "workstream_id"):
        counts.setdefault(workstream_id, Counter())[KeyAction.Status(status).label] += 1
    return counts


def _workstream(w, counts):
    return {
        "number": w.number,
        "title": w.title,
        "lead": w.lead,
        "status": statuses(w.update),
        "actions": dict(counts.get(w.pk, {})),
        "overdue_actions": w.overdue_count,
        "metrics": w.trajectories,
        "on_target_while_metrics_regress": w.mixed_message,
    }
