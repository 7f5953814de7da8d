from django.http import Http404
from ninja import Router, Schema

from improvement_plan.models import Risk

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
    current: RatingOut | None
    direction: str
    review_due: str | None
    new_this_quarter: bool
    rating_questioned: str
    measures: list[str]
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
        "direction": risk.direction,
        "review_due": risk.review_due.key if risk.review_due else None,
        "new_this_quarter": risk.new_this_quarter,
        "rating_questioned": risk.questioned,
        "measures": [m.code for m in risk.measures.all()],
        "mitigations": risk.mitigations,
        "history": [_rating(a) for a in risk.assessments.all()],
    }


@router.get("/risks", response=list[RiskOut], summary="Open strategic risks with their ratings")
def risks(request):
    return [_risk(r) for r in Risk.objects.filter(closed_at__isnull=True).rated(request.user)]


@router.get(
    "/risks/{reference}",
    response={200: RiskOut, 404: dict},
    summary="One risk, its ratings by quarter and linked measures",
)
def risk(request, reference: str):
    found = Risk.objects.filter(reference=reference).rated(request.user)
    if not found:
        raise Http404(f"No risk {reference!r}.")
    return _risk(found[0])
