"""The demo council's scrutiny records: the February 2022 inspection, from the papers in
fixtures/gloucestershire-2022/ and the inspection report in the committee's pack."""

import json
from datetime import date
from pathlib import Path

from django.conf import settings

from improvement_plan.models import Plan, Workstream
from scrutiny.models import Inspection, Judgement, Recommendation, RecommendationLink

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
