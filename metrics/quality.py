"""The quality-assurance report, read from the engine's statuses of an area's audit measures.

Case-file audits are measures like any other (a target, RAG, direction of travel, SPC); what a
measure stands for in the report is its ``qa_role``, and grades by legal status, team or area
of practice are its breakdowns ("Legal status: Children in care"). Everything here is plain data
for the page, the API and the pack, read from the view the reader may see (``drafts``).
"""

from collections import defaultdict

from metrics import calculations as calc
from metrics.models import (
    Commentary,
    Frequency,
    MeasureStatus,
    Observation,
    QaRole,
    Rag,
)

GRADES = (
    (QaRole.GOOD, "Good or better"),
    (QaRole.REQUIRES_IMPROVEMENT, "Requires improvement"),
    (QaRole.INADEQUATE, "Inadequate"),
)
REMAINDER = "Requires improvement (the rest)"
OTHER_GROUP = "Other"


def months(area, drafts):
    """The months with audit figures the reader may see, latest first."""
    ends = (
        MeasureStatus.objects.in_view(drafts)
        .filter(measure__area=area, period_kind=Frequency.MONTHLY, value__isnull=False)
        .values_list("period_end", flat=True)
        .distinct()
        .order_by("-period_end")
    )
    return [calc.Period(end, Frequency.MONTHLY) for end in ends]


def report(area, month, drafts):
    """Everything the QA page shows for ``month`` (a calc.Period): the snapshot, audits against
    their targets, the grade mix over time and by category, moderation, and the other audit
    measures by section."""
    measures = list(area.measures.filter(active=True).select_related("section"))
    statuses = list(
        MeasureStatus.objects.in_view(drafts).filter(
            measure__in=measures, period_kind=Frequency.MONTHLY, period_end__lte=month.end
        )
    )
    by_key = {(s.measure_id, s.breakdown, s.period_end): s for s in statuses}
    # Notes on figures are for staff: they may be the loader's or the transcriber's words.
    notes = {
        (o.measure_id, o.breakdown): o.note
        for o in Observation.objects.filter(
            measure__in=measures, period_kind=Frequency.MONTHLY, period_end=month.end
        ).exclude(note="")
    } if drafts else {}  # fmt: skip
    comments = {
        c.measure_id: c.text
        for c in (Commentary.objects if drafts else Commentary.objects.filter(published=True))
        .filter(measure__in=measures, period_kind=Frequency.MONTHLY, period_end=month.end)
        .order_by("written_at")
    }
    role = {m.qa_role: m for m in measures if m.qa_role}

    def row(measure, breakdown=""):
        status = by_key.get((measure.pk, breakdown, month.end))
        return {
            "code": measure.code,
            "name": measure.name,
            "breakdown": breakdown,
            "url": measure.get_absolute_url(),
            "value": measure.format_value(status.value) if status else "No value",
            "number": calc.as_float(status.value) if status else None,
            "target": measure.format_value(status.target)
            if status and status.target is not None
            else "",
            "target_kind": status.target_kind if status else "",
            "rag": status.rag if status else Rag.NO_VALUE,
            "direction": status.direction if status else "",
            "previous": measure.format_value(status.previous_value)
            if status and status.previous_value is not None
            else "",
            "comment": comments.get(measure.pk, "") if not breakdown else "",
            "note": notes.get((measure.pk, breakdown), ""),
        }

    breakdowns = defaultdict(set)
    for s in statuses:
        if s.breakdown:
            breakdowns[s.measure_id].add(s.breakdown)
    sections = []
    for measure in measures:
        section = measure.section.name if measure.section else ""
        if not sections or sections[-1]["name"] != section:
            sections.append({"name": section, "rows": []})
        sections[-1]["rows"].append(row(measure))
        for breakdown in sorted(breakdowns[measure.pk]):
            sections[-1]["rows"].append(row(measure, breakdown))
    snapshot = sections.pop(0) if sections else {"name": "", "rows": []}
    # The snapshot is the report's own table: the grades by category have their own below.
    snapshot["rows"] = [r for r in snapshot["rows"] if not r["breakdown"]]
    return {
        "area": area.name,
        "slug": area.slug,
        "month": month.label,
        "snapshot": snapshot,
        "audits": _audits(role, by_key, month),
        "grades": _grades_over_time(role, by_key, month),
        "categories": _grades_by_category(role, by_key, breakdowns, month),
        "moderation": _moderation(role, by_key, month),
        "sections": sections,
    }


def _series(measure, by_key, month, breakdown="", count=13):
    """(period, status or None) for the ``count`` months to ``month``."""
    periods = [month]
    while len(periods) < count:
        periods.insert(0, periods[0].previous())
    if measure is None:
        return [(p, None) for p in periods]
    return [(p, by_key.get((measure.pk, breakdown, p.end))) for p in periods]


def _audits(role, by_key, month):
    audits, rate = role.get(QaRole.AUDITS), role.get(QaRole.COMPLETION)
    if audits is None:
        return None
    rates = dict(_series(rate, by_key, month))
    rows = [
        {
            "month": p.label,
            "audits": calc.as_float(s.value) if s else None,
            "target": calc.as_float(s.target) if s else None,
            "target_kind": s.target_kind if s else "",
            "rate": calc.as_float(rates[p].value) if rates.get(p) else None,
        }
        for p, s in _series(audits, by_key, month)
    ]
    rows = [r for r in rows if r["audits"] is not None or r["rate"] is not None]
    counted = [r["audits"] for r in rows if r["audits"] is not None]
    return {
        "name": audits.name,
        "definition": audits.definition,
        "rows": rows,
        "total": sum(counted),
        "months": len(counted),
        "average": round(sum(counted) / len(counted)) if counted else None,
    }


def _mix(good, ri, inadequate):
    """The grade mix as parts that add to 100: Requires improvement is the rest when only
    Good or better and Inadequate are given."""
    parts = {"Good or better": good, "Requires improvement": ri, "Inadequate": inadequate}
    if ri is None and good is not None and inadequate is not None:
        parts = {"Good or better": good, REMAINDER: round(100 - good - inadequate, 1),
                 "Inadequate": inadequate}  # fmt: skip
    return parts


def _grades_over_time(role, by_key, month):
    measures = [role.get(r) for r, _ in GRADES]
    if not any(measures):
        return None
    series = [dict(_series(m, by_key, month)) for m in measures]
    rows = []
    for period in series[0]:
        good, ri, bad = (calc.as_float(s[period].value) if s.get(period) else None for s in series)
        if good is None and ri is None and bad is None:
            continue
        rows.append({"month": period.label, "parts": _mix(good, ri, bad)})
    return {"rows": rows, "names": _names(rows)}


ORDER = ["Good or better", "Requires improvement", REMAINDER, "Inadequate"]


def _names(rows):
    """The parts any row has a figure for, in the order of the grades."""
    given = {name for r in rows for name, value in r["parts"].items() if value is not None}
    return [name for name in ORDER if name in given] + sorted(given - set(ORDER))


def _grades_by_category(role, by_key, breakdowns, month):
    good, bad = role.get(QaRole.GOOD), role.get(QaRole.INADEQUATE)
    ri = role.get(QaRole.REQUIRES_IMPROVEMENT)
    if good is None and bad is None:
        return []
    every = set()
    for measure in (good, ri, bad):
        if measure is not None:
            every |= breakdowns[measure.pk]
    groups = defaultdict(list)
    for breakdown in sorted(every):
        group, _, name = breakdown.rpartition(": ")
        shares, previous = [], None
        for measure in (good, ri, bad):
            status = by_key.get((measure.pk, breakdown, month.end)) if measure else None
            shares.append(calc.as_float(status.value) if status else None)
            if measure is good and status:
                previous = calc.as_float(status.previous_value)
        groups[group or OTHER_GROUP].append(
            {"name": name, "parts": _mix(*shares), "previous_good": previous}
        )
    return [{"group": g, "rows": rows, "names": _names(rows)} for g, rows in groups.items()]


def _moderation(role, by_key, month):
    up, down = role.get(QaRole.MODERATED_UP), role.get(QaRole.MODERATED_DOWN)
    if up is None or down is None:
        return None
    ups, downs = dict(_series(up, by_key, month)), dict(_series(down, by_key, month))
    rows = []
    for period in ups:
        u = calc.as_float(ups[period].value) if ups.get(period) else None
        d = calc.as_float(downs[period].value) if downs.get(period) else None
        if u is None or d is None:
            continue
        rows.append(
            {
                "month": period.label,
                "parts": {
                    "Graded up": u,
                    "Agreed": round(100 - u - d, 1),
                    "Graded down": d,
                },
            }
        )
    return {
        "rows": rows,
        "names": ["Graded up", "Agreed", "Graded down"],
        "definition": up.definition,
    }
