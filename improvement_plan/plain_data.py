"""A risk and the improvement plan's overview as plain data: one shape each. The API answers
with it (its field names are the API's published contract) and a meeting pack freezes it, so
what a committee read on the day and what a program reads today say the same thing in the same
words. ``scrutiny.packs.readable`` reads a pack frozen in an earlier shape."""

from collections import Counter

from improvement_plan.models import KeyAction, statuses


def rating(assessment):
    """One quarter's rating of a risk, or None."""
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


def risk(found):
    """A risk from ``RiskQuerySet.rated``: its current, previous and proposed ratings (the
    proposed only for a reader who may see drafts), direction, review and links."""
    return {
        "reference": found.reference,
        "title": found.title,
        "owner": found.owner,
        "risk_register": found.register.name,
        "inherent_score": found.inherent,
        "inherent_band": found.inherent_band,
        "current": rating(found.current),
        "previous": rating(found.previous),
        "proposed": rating(found.proposed),
        "direction": found.direction,
        "review_due": found.review_due.key if found.review_due else None,
        "new_this_quarter": found.new_this_quarter,
        "rating_questioned": found.questioned,
        "measures": [m.code for m in found.measures.all()],
        "workstreams": [w.number for w in found.workstreams.all() if w.priority.plan.is_current],
        "mitigations": found.mitigations,
        "history": [rating(a) for a in found.ratings],
    }


def plan(current, drafts, today):
    """The plan's priorities and workstreams with their latest statuses (signed off, unless
    ``drafts``), key actions counted by status, overdue actions as at ``today`` and the
    trajectories of their metrics since the plan began."""
    priorities = current.overview(drafts, today)
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


def _action_counts(current):
    """For each workstream, its key actions counted by status (as the plan words them)."""
    counts = {}
    for status, workstream_id in KeyAction.objects.filter(
        workstream__priority__plan=current
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
