"""The demo council's strategic risk register at Q1 2022/23, from fixtures/gloucestershire-2022/.

The papers print each rating as "Band Score" (Moderate 12) without impact or likelihood, so
every assessment keeps the printed score, marked as such; nothing is invented.
"""

import csv
import json
import re
from datetime import date, datetime, time

from django.utils import timezone

from improvement_plan.models import (
    KeyAction,
    Milestone,
    Owner,
    Plan,
    PlanMetric,
    Priority,
    PriorityStatus,
    ProgressStatus,
    ProgressUpdate,
    ReportingPeriod,
    Risk,
    RiskAssessment,
    RiskRegister,
    Workstream,
    WorkstreamItem,
)
from metrics import calculations as calc
from metrics import demo as measures_demo
from metrics.models import Measure

FIXTURES = measures_demo.FIXTURES
PAPER = f"{measures_demo.PAPER}, Strategic Risk Register"
# The register's rating columns are the scorecard's quarters; its June 2022 one is "Jun22".
QUARTERS = [(column.removesuffix("_actual"), end) for column, end in measures_demo.QUARTERS]
# Measures the report discusses in the same paragraph as the risk's rating.
LINKED_MEASURES = {
    "SR7.2": (["CSC01"], "lines 6107-6121"),
    "SR7.5": (["CSC02"], "lines 6076-6085"),
    "SR7.7": (["CSC10", "CSC11", "CSC13"], "lines 6202-6221"),
}
RATING = re.compile(r"^(Low|Moderate|High) (\d+)")


def _rating(text):
    match = RATING.match(text.strip())
    if not match:
        return None
    band, score = match.group(1), int(match.group(2))
    if calc.risk_band(score) != band:
        raise ValueError(f"printed rating {text!r} does not agree with the bands")
    return score


def load_risks():
    """Risks, ratings, and the measures and plan workstreams linked to them. The workstream
    links are the transcription's inference (the papers print the risks and the plan apart)."""
    plan = json.load(open(FIXTURES / "improvement_plan_v2.json", encoding="utf-8"))
    context = plan["related_risk_and_kpi_context"]["risks_related_to_plan (links inferred)"]
    workstreams = {item["ref"]: item["likely_workstreams"] for item in context}
    rows = list(csv.DictReader(open(FIXTURES / "risk_register_q1_2022_23.csv", encoding="utf-8")))
    for row in rows:
        register, _ = RiskRegister.objects.get_or_create(name=row["register_table"].strip())
        inherent = int(row["inherent_score"]) if row["inherent_score"].strip() else None
        risk, _ = Risk.objects.update_or_create(
            reference=row["ref"],
            defaults={
                "title": row["title_repaired"] or row["title_description"],
                "owner": row["owner"] if row["owner"].strip() != "?" else "",
                "register": register,
                "inherent_score": inherent,
                "mitigations": row["mitigating_actions"],
                "new_this_quarter": "new risk" in row["Jun21"],
                "source": f"{PAPER} ({row['source_lines']})",
            },
        )
        for column, quarter_end in QUARTERS:
            score = _rating(row[column])
            if score is None:
                continue
            RiskAssessment.objects.update_or_create(
                risk=risk,
                quarter_end=quarter_end,
                defaults={
                    "printed_score": score,
                    # The Q1 2022/23 report prints the mitigations as they stood at its rating.
                    "mitigations": row["mitigating_actions"] if column == "Jun22" else "",
                    "source": f"{PAPER}: printed as '{row[column].strip()}'; impact and "
                    "likelihood not printed",
                },
            )
        codes, lines = LINKED_MEASURES.get(risk.reference, ([], ""))
        risk.measures.set(Measure.objects.filter(code__in=codes))
        risk.workstreams.set(
            Workstream.objects.filter(
                priority__plan=Plan.objects.current(),
                number__in=workstreams.get(risk.reference, []),
            )
        )
    return [
        f"Risk register: {Risk.objects.count()} risks, "
        f"{RiskAssessment.objects.count()} quarterly ratings."
    ]


PLAN_PAPER = (
    "Children and Families Overview and Scrutiny Committee, 15 September 2022: Appendix 1 "
    "Improvement Plan v2.0 2022"
)
STATUSES = {label: value for value, label in ProgressStatus.choices}
BOARD_DAY = date(2022, 7, 28)


def _lines(source_lines):
    return f"{PLAN_PAPER} (lines {source_lines} of the extracted pack)"


def load_plan():
    """The Continuous Improvement Plan v2.0 as printed, with the statuses reported to the
    Improvement Board of 28 July 2022. Actions carry no status in the papers, so each is 'Not
    reported'; no milestone month is printed (the Gantt shading is lost), so none is set. A
    second, empty reporting period (July to September 2022) is opened so that updates can be
    written in the demo; it holds no figures or statuses of its own."""
    data = json.load(open(FIXTURES / "improvement_plan_v2.json", encoding="utf-8"))
    printed = data["plan"]
    plan, _ = Plan.objects.update_or_create(
        version="v2.0",
        defaults={
            "title": "Continuous Improvement Plan",
            "heading": printed["heading"],
            "aim": printed["aim"],
            "vision": printed["strapline"],
            "overseen_by": printed["governance"]["overseen_by"],
            "reports_to": "\n".join(
                body["body"] + (f" (chaired by {body['chair']})" if body["chair"] else "")
                for body in printed["governance"]["reports_to"]
            ),
            "reporting_months": 3,
            "source": f"{PLAN_PAPER}; {printed['title_note']}",
            "trajectory_note": "The covering report counts 18 metrics showing progress, 16 no "
            "significant change and 22 regressed over the five months March to July 2022 (seed "
            "003, lines 3307-3310); it does not say how no significant change was judged, so "
            "the counts here, made by the rule above, differ.",
        },
    )
    if not Plan.objects.exclude(pk=plan.pk).filter(is_current=True).exists():
        Plan.objects.filter(pk=plan.pk).update(is_current=True)
    reported, _ = ReportingPeriod.objects.update_or_create(
        plan=plan,
        start=date(2022, 4, 1),
        defaults={
            "end": date(2022, 6, 30),
            "reported_to": printed["dashboard_reporting_period"],
            "reported_on": BOARD_DAY,
        },
    )
    ReportingPeriod.objects.get_or_create(
        plan=plan, start=date(2022, 7, 1), defaults={"end": date(2022, 9, 30)}
    )
    board_time = timezone.make_aware(datetime.combine(BOARD_DAY, time(12)))
    measures = {m.code: m for m in Measure.objects.filter(code__startswith="CIP-")}
    counts = {"actions": 0, "milestones": 0, "metrics": 0}
    for printed_priority in data["priorities"]:
        priority, _ = Priority.objects.update_or_create(
            plan=plan,
            number=printed_priority["number"],
            defaults={"title": printed_priority["title"]},
        )
        status = printed_priority["dashboard_status"]
        PriorityStatus.objects.update_or_create(
            priority=priority,
            period=reported,
            recorded_by=None,
            defaults={
                "actions_status": STATUSES[status["actions_status"]],
                "impact_status": STATUSES[status["impact_status"]],
                "recorded_at": board_time,
                "note": f"Read from the dashboard's X marks ({status['confidence']} confidence): "
                f"{status['evidence']}",
                "source": _lines(status["source_lines"]),
            },
        )
        for printed_workstream in printed_priority["workstreams"]:
            counts_for = _load_workstream(
                priority, printed_workstream, reported, board_time, measures
            )
            for key in counts:
                counts[key] += counts_for[key]
    return [
        f"Improvement plan {plan.version}: {Workstream.objects.filter(priority__plan=plan).count()}"
        f" workstreams, {counts['actions']} key actions, {counts['milestones']} milestones, "
        f"{counts['metrics']} metrics."
    ]


def _load_workstream(priority, printed, period, board_time, measures):
    workstream, _ = Workstream.objects.update_or_create(
        priority=priority,
        number=printed["number"],
        defaults={
            "title": printed["title"],
            "lead": printed["lead"],
            "rationale_heading": printed["rationale"]["heading_as_printed"],
            "source": _lines(printed["source_lines"]),
        },
    )
    rationale_kind = (
        WorkstreamItem.Kind.OFSTED_FINDING
        if printed["rationale"]["kind"].startswith("Ofsted")
        else WorkstreamItem.Kind.LOCAL
    )
    workstream.items.all().delete()
    WorkstreamItem.objects.bulk_create(
        WorkstreamItem(
            workstream=workstream,
            kind=kind,
            text=item["text"],
            order=order,
            source=_lines(item["source_lines"]),
        )
        for kind, items in (
            (rationale_kind, printed["rationale"]["items"]),
            (WorkstreamItem.Kind.OBJECTIVE, printed["objectives"]),
            (WorkstreamItem.Kind.DELIVERABLE, printed["deliverables"]),
        )
        for order, item in enumerate(items)
    )
    for order, item in enumerate(printed["key_actions"]):
        action, created = KeyAction.objects.get_or_create(
            workstream=workstream,
            reference=item["id"],
            defaults={"status": KeyAction.Status.NOT_REPORTED, "text": item["action"]},
        )
        action.text = item["action"]
        action.owners_as_printed = item["owners"]
        action.due_month = (
            date.fromisoformat(item["timescale_parsed"] + "-01")
            if item["timescale_parsed"]
            else None
        )
        action.due_as_printed = item["timescale"]
        action.note = "; ".join(n for n in (item["note"], item["timescale_note"]) if n)
        action.order = order
        action.source = _lines(item["source_lines"])
        action.save()
        action.owners.set(
            Owner.objects.get_or_create(
                name=owner["name"],
                defaults={
                    "kind": Owner.Kind.PERSON if owner["kind"] == "person" else Owner.Kind.TEAM
                },
            )[0]
            for owner in item["owners_split"]
        )
    for order, item in enumerate(printed["key_milestones"]):
        Milestone.objects.update_or_create(
            workstream=workstream,
            reference=item["id"],
            defaults={
                "name": item["name"],
                "order": order,
                "note": "The month is not in the papers: the chart's shading was lost."
                if item["month"] is None
                else "",
                "source": _lines(item["source_lines"]),
            },
        )
    for order, item in enumerate(printed["metrics"]):
        measure = measures.get("CIP-" + item["id"].replace(".", "-"))
        PlanMetric.objects.update_or_create(
            workstream=workstream,
            reference=item["id"],
            defaults={
                "name": item["name"],
                "measure": measure,
                "printed_values": "" if measure else item["raw_source_text"],
                "note": item["note"],
                "order": order,
                "source": _lines(item["source_lines"]),
            },
        )
    status = printed["status"]
    if not workstream.updates.filter(period=period).exists():
        ProgressUpdate.objects.create(
            workstream=workstream,
            period=period,
            actions_status=STATUSES[status["actions_status"]],
            impact_status=STATUSES[status["impact_status"]],
            comment=printed["comment_about_overall_status"],
            progress_made="\n".join(i["text"] for i in printed["progress_made_this_period"]),
            actions_next="\n".join(i["text"] for i in printed["actions_next_period"]),
            written_at=board_time,
            signed_off_at=board_time,
            sign_off_note=f"Reported to the {period.reported_to}; the papers do not say who "
            "signed it off",
            source=_lines(status["source_lines"]),
        )
    return {
        "actions": len(printed["key_actions"]),
        "milestones": len(printed["key_milestones"]),
        "metrics": len(printed["metrics"]),
    }
