"""Meeting packs: the scorecards, risks, plan, questions and actions frozen as plain data.

A pack is built as a committee member would see the figures (published only), stored as JSON,
and rendered from that JSON alone, so a later correction never changes a published pack.
"""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from improvement_plan import plain_data as plan_data
from improvement_plan.models import Plan, Risk
from metrics import calculations as calc
from metrics import plain_data
from metrics.models import Measure, Narrative, Polarity, Rag, ServiceArea
from metrics.national import how_we_compare
from scrutiny import clock
from scrutiny.models import MeetingPack, MinuteAction

MOVERS = 5
# The shape a pack is frozen in. 1: scorecard rows, risks and the plan in the pack's own names
# (before December 2026); 2: in the API's shape (metrics.plain_data, improvement_plan.plain_data).
# ``readable`` reads both.
SHAPE = 2


def _scorecards():
    areas = []
    # A quality-assurance area has its own section of the pack, laid out as its report.
    scorecards = ServiceArea.objects.filter(quality_assurance=False).order_by("order", "name")
    for area in scorecards.list_with_headlines(drafts=False):
        if area.period is None:
            continue
        periods, measures = Measure.objects.for_scorecard(area, area.period, drafts=False)
        rows = [plain_data.scorecard_row(measure, periods) for measure in measures]
        areas.append(
            {
                "name": area.name,
                "slug": area.slug,
                "period": area.period.label,
                "periods": [p.label for p in periods],
                "headline": area.headline,
                "measures": rows,
                "compare": how_we_compare([area.pk], ending=area.period.end),
                "narrative": _narrative(area),
            }
        )
    return areas


def _narrative(area):
    """The area's published opening narrative for the pack's period, as paragraphs."""
    found = Narrative.latest(area, area.period, drafts=False)
    return {"paragraphs": found.paragraphs, "source": found.source} if found else None


def _quality(today):
    """Each quality-assurance report as published, for the latest month ending by ``today``."""
    from metrics import quality

    reports = []
    for area in ServiceArea.objects.filter(quality_assurance=True):
        months = [m for m in quality.months(area, drafts=False) if m.end <= today]
        if months:
            reports.append(quality.report(area, months[0], drafts=False))
    return reports


def _finance(today):
    """The latest published finance report for a position on or before ``today``."""
    from metrics import finance
    from metrics.models import FinanceReport

    report = FinanceReport.objects.filter(published=True, as_at__lte=today).first()
    return finance.as_data(report) if report else None


def _work_programme(meeting):
    return [
        {
            "title": item.title,
            "meeting": f"{item.meeting.date:%-d %B %Y}" if item.meeting else "Not yet scheduled",
            "state": item.get_state_display(),
            "requested_by": item.requested_by,
            "note": item.note,
        }
        for item in meeting.committee.work_programme.select_related("meeting")
    ]


def open_risks():
    """Each open risk as committee members read it (signed-off ratings), in the API's shape."""
    return [
        plan_data.risk(risk)
        for risk in Risk.objects.filter(closed_at__isnull=True).rated(drafts=False)
    ]


def current_plan(today):
    """The current plan's overview as committee members read it, in the API's shape."""
    plan = Plan.objects.current()
    return plan_data.plan(plan, drafts=False, today=today) if plan else None


def _questions(meeting):
    return [
        {
            "about": question.about[0],
            "text": question.text,
            "asked_by": question.asked_by.get_full_name() or question.asked_by.username,
            "late": question.late,
            "answer": question.answer,
            "answered_by": question.answered_by.get_full_name() or question.answered_by.username
            if question.answered_by
            else "",
        }
        for question in meeting.questions.answered().select_related(
            "asked_by", "answered_by", "measure", "workstream", "risk", "agenda_item", "meeting"
        )
    ]


def _actions(meeting, today):
    return [
        {
            "reference": action.reference,
            "minute": action.minute,
            "raised": f"{action.meeting.date:%-d %B %Y}",
            "text": action.text,
            "owners": action.owners,
            "due": f"{action.due:%-d %B %Y}" if action.due else "",
            "status": action.get_status_display(),
            "overdue": action.is_overdue(today),
        }
        for action in MinuteAction.objects.filter(committee=meeting.committee)
        .open()
        .select_related("meeting", "due_meeting")
    ]


def build_snapshot(meeting, today):
    return {
        "shape": SHAPE,
        "meeting": {
            "committee": meeting.committee.name,
            "date": meeting.date.isoformat(),
            "date_label": f"{meeting.date:%A %-d %B %Y}",
            "time": meeting.time.strftime("%H:%M") if meeting.time else "",
            "place": meeting.place,
            "agenda": [
                {
                    "number": item.number,
                    "title": item.title,
                    "officer": item.presenting_officer,
                    "covers": item.get_covers_display(),
                    "summary": item.summary,
                    "recommendations": item.recommendations,
                    "decisions": item.decisions,
                    "has_report": bool(item.report),
                }
                for item in meeting.items.all()
            ],
        },
        "as_at": today.isoformat(),
        "scorecards": _scorecards(),
        "quality": _quality(today),
        "finance": _finance(today),
        "risks": open_risks(),
        "plan": current_plan(today),
        "questions": _questions(meeting),
        "actions": _actions(meeting, today),
        "work_programme": _work_programme(meeting),
    }


def _measures(snapshot):
    return {
        (area["slug"], m["code"]): {**m, "area": area["name"]}
        for area in snapshot["scorecards"]
        for m in area["measures"]
    }


JUDGED = (Rag.GREEN, Rag.AMBER, Rag.RED)
DIFFERENCE_UNITS = {
    "percent": "percentage points",
    "rate_10k": "per 10,000 children",
    "days_fte": "days per FTE",
    "days": "days",
}


def moved_by(row, earlier):
    """How far a figure moved, in words a reader can check against the two figures: the
    difference for a percentage or a rate ("6.5 percentage points"), the change as a share of
    the earlier figure for a count ("12.3%")."""
    if row["value"] is None or earlier is None:
        return ""
    difference = abs(row["value"] - earlier)
    unit = row.get("unit", "")
    if unit in DIFFERENCE_UNITS:
        return f"{difference:,.1f} {DIFFERENCE_UNITS[unit]}"
    if not earlier:
        return f"{difference:,.0f}"
    return f"{difference / abs(earlier) * 100:,.1f}%"


def changes(snapshot, previous):
    """What changed since ``previous`` (the last pack's snapshot, in today's shape); without
    one, since the period before, as each row carries it."""
    now = _measures(snapshot)
    then = _measures(previous) if previous else {}

    def before(key, row):
        """The figure compared with: the last pack's row, or the row's period before."""
        if previous is None:
            return row["previous"]
        return then.get(key)

    new_reds, new_greens, newly_judged, movers = [], [], [], []
    for key, row in now.items():
        earlier = before(key, row)
        was = earlier["rag"] if earlier else None
        if row["rag"] in JUDGED and was and was not in JUDGED:
            # No target (or no figure) last time: judged for the first time, not "new red".
            newly_judged.append({**row, "was": was})
        elif row["rag"] == Rag.RED and was in JUDGED and was != Rag.RED:
            new_reds.append(row)
        elif row["rag"] == Rag.GREEN and was in JUDGED and was != Rag.GREEN:
            new_greens.append(row)
        old_number = earlier["value"] if earlier else None
        sign = int(calc.polarity_sign(row["polarity"]))
        # calc.movement ranks the movers, as the dashboard does; the size is said in the
        # measure's own terms (percentage points for a percentage, % for a count).
        moved = calc.movement(row["value"], old_number, sign)
        if moved is not None and round(moved * 100, 1):
            how = "changed" if sign == 0 else "better" if moved > 0 else "worse"
            movers.append(
                {**row, "from": earlier["value_text"], "change": round(moved * 100, 1),
                 "how": how, "moved": moved_by(row, old_number)}
            )  # fmt: skip
    movers.sort(key=lambda m: -abs(m["change"]))
    movers = movers[:MOVERS]
    # Published figures corrected since the last pack (or ever, for a first pack).
    revised = [
        row
        for key, row in now.items()
        if row["revision"] and _revision(row) != _revision(then.get(key))
    ]

    old_risks = {r["reference"]: r for r in previous["risks"]} if previous else {}
    risk_changes = []
    for risk in snapshot["risks"]:
        if previous is None:
            was = _band(risk["previous"])
        else:
            old = old_risks.get(risk["reference"])
            was = _band(old["current"]) if old else ""
        if was and _band(risk["current"]) and was != _band(risk["current"]):
            risk_changes.append({**risk, "from": was})

    plan_changes = []
    if previous and previous.get("plan") and snapshot.get("plan"):
        old = {w["number"]: w for p in previous["plan"]["priorities"] for w in p["workstreams"]}
        for priority in snapshot["plan"]["priorities"]:
            for w in priority["workstreams"]:
                was = old.get(w["number"])
                if was and _judged(was) != _judged(w):
                    plan_changes.append({**w, "was": was})
    return {
        "against": "the last pack" if previous else "the period before",
        "new_reds": new_reds,
        "new_greens": new_greens,
        "newly_judged": newly_judged,
        "movers": movers,
        "better": [m for m in movers if m["how"] == "better"],
        "worse": [m for m in movers if m["how"] == "worse"],
        "changed": [m for m in movers if m["how"] == "changed"],
        "revised": revised,
        "risks": risk_changes,
        "plan": plan_changes,
        "plan_compared": bool(previous),
    }


def _revision(row):
    return ((row or {}).get("revision") or {}).get("text")


def _band(rating):
    return rating["band"] if rating else ""


def _judged(workstream):
    return workstream["status"]["actions_status"], workstream["status"]["impact_status"]


def readable(snapshot):
    """A frozen snapshot in today's shape (``SHAPE``): a pack frozen in the first shape, with
    the pack's own names, is read into it, saying only what it said then (it kept no target
    as a number, no SPC and no key actions by status). Nothing is stored."""
    if snapshot.get("shape", 1) >= SHAPE:
        return snapshot
    s = {
        **snapshot,
        "shape": SHAPE,
        "scorecards": [
            {
                **area,
                "measures": [_row_1(m, area.get("periods", [])) for m in area.get("measures", [])],
            }
            for area in snapshot.get("scorecards", [])
        ],
        "risks": [_risk_1(r) for r in snapshot.get("risks", [])],
    }
    if snapshot.get("plan"):
        s["plan"] = {
            **snapshot["plan"],
            "priorities": [
                {
                    "number": p.get("number"),
                    "title": p.get("title", ""),
                    "status": _status_1(p),
                    "workstreams": [_workstream_1(w) for w in p.get("workstreams", [])],
                }
                for p in snapshot["plan"].get("priorities", [])
            ],
        }
    if "changes" in snapshot:
        changes = snapshot["changes"]
        areas = snapshot.get("scorecards", [])
        periods = {
            (a.get("slug"), m.get("code")): a.get("periods", [])
            for a in areas
            for m in a.get("measures", [])
        }
        # A change names its area as frozen; the area's periods are found by its slug.
        slugs = {a.get("name"): a.get("slug") for a in areas}

        def rows(key):
            # A change keeps its row and what it adds (area, was, from, change, how, moved).
            return [
                {
                    **{k: v for k, v in m.items() if k not in ROW_1},
                    **_row_1(m, periods.get((slugs.get(m.get("area")), m.get("code")), [])),
                }
                for m in changes.get(key, [])
            ]

        s["changes"] = {
            **changes,
            **{key: rows(key) for key in CHANGED_ROWS},
            "risks": [{**_risk_1(r), "from": r.get("from", "")} for r in changes.get("risks", [])],
            "plan": [
                {**_workstream_1(w), "was": _workstream_1(w.get("was", {}))}
                for w in changes.get("plan", [])
            ],
        }
    return s


# A first-shape scorecard row's own keys.
ROW_1 = {
    "code", "name", "section", "polarity", "unit", "values", "numbers", "value", "number",
    "target", "rag", "direction", "previous_rag", "previous_value", "previous_number",
    "commentary", "comparators", "revision",
}  # fmt: skip
POLARITY_KEYS = {label: key for key, label in Polarity.choices}
# The lists of a pack's changes that hold scorecard rows.
CHANGED_ROWS = (
    "new_reds", "new_greens", "newly_judged", "movers", "better", "worse", "changed", "revised",
)  # fmt: skip


def _text_1(text):
    return "" if text == "No value" else text


def _row_1(m, periods):
    # Early packs may lack a key a later one has: what a pack did not say stays unsaid.
    numbers, texts = m.get("numbers") or [], m.get("values") or []
    return {
        "code": m.get("code", ""),
        "name": m.get("name", ""),
        "section": m.get("section") or None,
        "unit": m.get("unit", ""),
        "polarity": POLARITY_KEYS.get(m.get("polarity"), calc.PLAN),
        "value": m.get("number"),
        "value_text": _text_1(m.get("value", "")),
        "target": None,
        "target_text": m.get("target", ""),
        "rag": m.get("rag", Rag.NO_VALUE),
        "direction": m.get("direction", ""),
        "comparators_shown": m.get("comparators", []),
        "revision": {"text": m["revision"]} if m.get("revision") else None,
        "history": [
            {
                "period": period,
                "value": numbers[i] if i < len(numbers) else None,
                "value_text": texts[i] if i < len(texts) else "",
            }
            for i, period in enumerate(periods)
        ],
        "previous": {
            "rag": m["previous_rag"],
            "value": m.get("previous_number"),
            "value_text": _text_1(m.get("previous_value", "")),
        }
        if m.get("previous_rag")
        else None,
        "commentary": m.get("commentary", ""),
    }


def _risk_1(r):
    return {
        "reference": r.get("reference", ""),
        "title": r.get("title", ""),
        "owner": r.get("owner", ""),
        "current": {
            "band": r["band"],
            "score": r.get("score"),
            "quarter_label": r.get("quarter", ""),
        }
        if r.get("band")
        else None,
        "previous": {"band": r["previous_band"], "score": r.get("previous_score")}
        if r.get("previous_band")
        else None,
        "direction": r.get("direction", ""),
        "rating_questioned": r.get("questioned", ""),
    }


def _status_1(record):
    return {k: record.get(k) for k in ("period", "actions_status", "impact_status")}


def _workstream_1(w):
    # A shape-1 pack kept only the number of key actions, not their statuses.
    return {
        "number": w.get("number", ""),
        "title": w.get("title", ""),
        "lead": w.get("lead", ""),
        "status": _status_1(w),
        "actions": w.get("actions", 0),
        "overdue_actions": w.get("overdue", 0),
        "metrics": w.get("metrics", {}),
        "on_target_while_metrics_regress": w.get("mixed_message", False),
    }


def publish(meeting, user, note="", today=None):
    """Freeze the pack for ``meeting`` as it stands: the next version, the earlier kept."""
    today = today or clock.today()
    with transaction.atomic():
        # Lock the meeting's packs so two publishers cannot both make the same version.
        list(MeetingPack.objects.select_for_update().filter(meeting=meeting))
        last = (
            MeetingPack.objects.filter(
                meeting__committee=meeting.committee, meeting__date__lte=meeting.date
            )
            .order_by("-meeting__date", "-version")
            .first()
        )
        snapshot = build_snapshot(meeting, today)
        snapshot["changes"] = changes(snapshot, last.readable() if last else None)
        version = (meeting.packs.aggregate(v=Max("version"))["v"] or 0) + 1
        snapshot["version"] = version
        return MeetingPack.objects.create(
            meeting=meeting,
            version=version,
            published_at=timezone.now(),
            published_by=user,
            note=note,
            snapshot=snapshot,
        )
