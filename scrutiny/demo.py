"""The demo council's scrutiny records: the February 2022 inspection, the committee, its
meetings, work programme and actions, from the papers in fixtures/gloucestershire-2022/."""

import json
from datetime import date, time
from pathlib import Path

from django.conf import settings

from improvement_plan.models import (
    Inspection,
    Judgement,
    Plan,
    Recommendation,
    RecommendationLink,
    Workstream,
)
from scrutiny.models import (
    AgendaItem,
    Committee,
    Meeting,
    MeetingPack,
    Membership,
    MinuteAction,
    WorkProgrammeItem,
)
from scrutiny.packs import publish

FIXTURES = Path(settings.BASE_DIR) / "fixtures" / "gloucestershire-2022"
REPORT = (
    "Ofsted, Inspection of Gloucestershire local authority children's services, 7 to 18 "
    "February 2022, as printed in the committee's agenda pack"
)


def load_inspection():
    data = json.load(open(FIXTURES / "improvement_plan_v2.json", encoding="utf-8"))
    inspection, _ = Inspection.objects.update_or_create(
        title="Inspection of Gloucestershire local authority children's services",
        starts_on=date(2022, 2, 7),
        defaults={
            "kind": "ILACS standard inspection",
            "ends_on": date(2022, 2, 18),
            "published_on": date(2022, 4, 1),
            "lead_inspector": "Andrew Waugh, Her Majesty’s Inspector",
            "source": f"{REPORT}; published 1 April 2022 according to the Department for "
            "Education's letter of that day",
        },
    )
    grades = {label: value for value, label in Judgement.Grade.choices}
    judgements = data["plan"]["ofsted_inspection"]["judgements_from_covering_report"]
    inspection.judgements.all().delete()
    Judgement.objects.bulk_create(
        Judgement(inspection=inspection, area=area, grade=grades[grade], order=order)
        for order, (area, grade) in enumerate(
            (a, g) for a, g in judgements.items() if a != "source_lines"
        )
    )
    plan = Plan.objects.current()
    workstreams = {w.number: w for w in Workstream.objects.filter(priority__plan=plan)}
    for order, printed in enumerate(data["ofsted_recommendations"]):
        recommendation, _ = Recommendation.objects.update_or_create(
            inspection=inspection,
            reference=printed["id"],
            defaults={
                "text": printed["text"],
                "order": order,
                "source": f"Improvement Plan v2.0, line {printed['source_lines']} of the "
                "extracted pack; the reference is ours, the report numbers none",
            },
        )
        for link in printed["addressed_by"]:
            if link["workstream"] not in workstreams:
                continue
            RecommendationLink.objects.update_or_create(
                recommendation=recommendation,
                workstream=workstreams[link["workstream"]],
                defaults={
                    "kind": RecommendationLink.Kind.EXPLICIT
                    if link["link"] == "explicit"
                    else RecommendationLink.Kind.INFERRED,
                    "evidence": link["evidence"],
                },
            )
    return [
        f"Inspection: {inspection.judgements.count()} judgements, "
        f"{inspection.recommendations.count()} recommendations."
    ]


def load_committee():
    """The committee, its members, meetings, agenda, work programme and the actions in the
    minutes of 14 July 2022, from committee.json; then the pack for 15 September 2022,
    published once (the demo's version 1) as the figures stand in the papers."""
    data = json.load(open(FIXTURES / "committee.json", encoding="utf-8"))
    printed = data["committee"]
    committee, _ = Committee.objects.update_or_create(
        slug=printed["slug"], defaults={"name": printed["name"], "source": data["source"]}
    )
    for member in printed["members"]:
        Membership.objects.update_or_create(
            committee=committee,
            name=member["name"],
            defaults={"role": member["role"], "source": f"Lines {member['lines']}"},
        )
    meetings = {}
    for item in data["meetings"]:
        meeting, _ = Meeting.objects.update_or_create(
            committee=committee,
            date=date.fromisoformat(item["date"]),
            defaults={
                "time": time.fromisoformat(item["time"]) if item["time"] else None,
                "place": item["place"],
                "status": item["status"],
                "source": f"Lines {item['lines']}. {item.get('agenda_note', '')}".strip(),
            },
        )
        meetings[item["date"]] = meeting
        for order, agenda in enumerate(item["agenda"]):
            AgendaItem.objects.update_or_create(
                meeting=meeting,
                number=agenda["number"],
                defaults={
                    "title": agenda["title"],
                    "presenting_officer": agenda["officer"],
                    "covers": agenda["covers"],
                    "summary": agenda.get("summary", ""),
                    "recommendations": agenda.get("recommendations", ""),
                    "order": order,
                    "source": f"Lines {agenda['lines']}"
                    + (
                        f"; purpose and recommendations: {agenda['summary_lines']}"
                        if agenda.get("summary_lines")
                        else ""
                    ),
                },
            )
    for day in data["meeting_dates_from_work_programme"]:
        meetings[day], _ = Meeting.objects.get_or_create(
            committee=committee,
            date=date.fromisoformat(day),
            defaults={"source": "Date from the draft work programme 2022 (lines 8926-8991)"},
        )
    for item in data["work_programme"]:
        WorkProgrammeItem.objects.update_or_create(
            committee=committee,
            title=item["title"],
            meeting=meetings[item["meeting"]] if item["meeting"] else None,
            defaults={
                "state": item["state"],
                "requested_by": item["requested_by"],
                "note": item["note"],
                "source": f"Lines {item['lines']}",
            },
        )
    for item in data["actions"]:
        MinuteAction.objects.update_or_create(
            reference=item["reference"],
            defaults={
                "committee": committee,
                "meeting": meetings[item["meeting"]],
                "minute": item["minute"],
                "text": item["text"],
                "owners": item["owners"],
                "due_meeting": meetings[item["due_meeting"]],
                "source": f"Minutes of 14 July 2022, lines {item['lines']}; the reference is ours",
            },
        )
    september = meetings["2022-09-15"]
    if not september.packs.exists():
        publish(
            september, None, note="Published when the demo was loaded, from the papers' figures."
        )
    return [
        f"Committee: {committee.memberships.count()} members, {committee.meetings.count()} "
        f"meetings, {committee.work_programme.count()} work programme items, "
        f"{committee.actions.count()} action from the minutes, "
        f"{MeetingPack.objects.filter(meeting__committee=committee).count()} published pack."
    ]
