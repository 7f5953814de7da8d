from django.http import Http404
from ninja import Field, Path, Router, Schema

from improvement_plan import plain_data
from improvement_plan.models import Plan, Risk
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
    previous: RatingOut | None = Field(
        description="The signed-off rating before the current one: the direction compares them"
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


@router.get(
    "/risks", response=answers(list[RiskOut]), summary="Open strategic risks with their ratings"
)
def risks(request):
    return [
        plain_data.risk(r)
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
    return plain_data.risk(found[0])


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
    return plain_data.plan(current, sees_drafts(request.user), clock.today())
