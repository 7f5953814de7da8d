"""The demo council's Q1 2022/23 scorecard, from fixtures/gloucestershire-2022/.

Figures are loaded exactly as printed in the committee's papers; every measure, value, target,
comparator and comment keeps the paper and the lines of the extracted text it came from.
Loading twice changes nothing.
"""

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings

from metrics.models import (
    Commentary,
    Comparator,
    Frequency,
    Measure,
    Observation,
    Polarity,
    ReportingBasis,
    Section,
    ServiceArea,
    Target,
    Unit,
)

FIXTURES = Path(settings.BASE_DIR) / "fixtures" / "gloucestershire-2022"
PAPER = (
    "Children and Families Overview and Scrutiny Committee, 15 September 2022: Continuous "
    "Improvement Board Performance and Risk Report, Quarter 1 2022/23"
)
QUARTERS = [
    ("Jun21", date(2021, 6, 1)),
    ("Sep21", date(2021, 9, 1)),
    ("Dec21", date(2021, 12, 1)),
    ("Mar22", date(2022, 3, 1)),
    ("Jun22_actual", date(2022, 6, 1)),
]
Q1_2022 = date(2022, 6, 1)

AREAS = {
    "Good Management": (
        "childrens-good-management",
        "Children & Young People – Good Management",
        2,
    ),
}
SOCIAL_CARE = ("childrens-social-care", "Children's Social Care", 1)
SECTION_ORDER = [
    "Quality Assurance",
    "Contact Activity",
    "Children in Need of Help & Protection",
    "Children in Care",
    "Care Experienced Young People",
    "Good Management",
]

# Targets the papers call stretch targets, implemented in April 2022, with the lines that say so.
STRETCH_TARGETS = {
    "CSC02": "6079-6081",
    "CSC08": "6177-6178",
    "CSC13": "6203-6204",
    "CSC15": "6191-6192",
}
# Comparators the narrative dates ("peer group average of 21.3%, Mar-21"); the others' dates are
# not printed, so they are left empty.
COMPARATOR_AS_AT = {"CSC03": "6141-6143", "CSC11": "6206-6208"}
POLARITIES = {label: value for value, label in Polarity.choices}
BASES = {label: value for value, label in ReportingBasis.choices}
UNITS = {"percent": Unit.PERCENT, "days per FTE": Unit.DAYS_PER_FTE, "count": Unit.COUNT}


def _number(text):
    """'44.0%' -> Decimal('44.0'); '' -> None."""
    text = text.strip().rstrip("%").strip()
    return Decimal(text) if text else None


def _source(lines):
    return f"{PAPER}, scorecard (lines {lines} of the extracted pack)"


def _precision(row):
    decimals = [len(row[c].rstrip("%").split(".")[1]) for c, _ in QUARTERS if "." in row[c]]
    return max(decimals, default=0)


def load_scorecard():
    rows = list(csv.DictReader(open(FIXTURES / "scorecard_q1_2022_23.csv", encoding="utf-8")))
    measures = []
    for order, row in enumerate(rows):
        slug, area_name, area_order = AREAS.get(row["section"], SOCIAL_CARE)
        area, _ = ServiceArea.objects.update_or_create(
            slug=slug, defaults={"name": area_name, "order": area_order}
        )
        section, _ = Section.objects.update_or_create(
            area=area,
            name=row["section"],
            defaults={"order": SECTION_ORDER.index(row["section"])},
        )
        code = row["measure_code"]
        measure, _ = Measure.objects.update_or_create(
            code=code,
            defaults={
                "name": row["measure_name"],
                "area": area,
                "section": section,
                "source": _source(row["source_lines"]),
                "unit": UNITS[row["unit"]],
                "precision": _precision(row),
                "polarity": POLARITIES[row["polarity"]],
                "reporting_basis": BASES[row["reporting_basis"]],
                "frequency": Frequency.QUARTERLY,
                "order": order,
            },
        )
        measures.append(measure)
        for column, period_end in QUARTERS:
            Observation.objects.update_or_create(
                measure=measure,
                period_kind=Frequency.QUARTERLY,
                period_end=period_end,
                breakdown="",
                defaults={
                    "value": _number(row[column]),
                    "published": True,
                    "source": _source(row["source_lines"]),
                },
            )
        target = _number(row["Jun22_target"])
        if target is not None:
            stretch_lines = STRETCH_TARGETS.get(code)
            Target.objects.update_or_create(
                measure=measure,
                effective_from=Q1_2022,
                defaults={
                    "value": target,
                    "kind": Target.Kind.STRETCH if stretch_lines else Target.Kind.STANDARD,
                    "source": _source(row["source_lines"])
                    + (
                        f"; stretch target from April 2022 (lines {stretch_lines})"
                        if stretch_lines
                        else ""
                    ),
                    "note": "Targets before Quarter 1 2022/23 are not printed in the scorecard.",
                },
            )
        comparator = row["comparator_group"].strip()
        if comparator:
            availability = {
                "n/a": Comparator.Availability.NOT_AVAILABLE,
                "?": Comparator.Availability.UNKNOWN,
            }.get(comparator, Comparator.Availability.VALUE)
            dated = COMPARATOR_AS_AT.get(code)
            Comparator.objects.update_or_create(
                measure=measure,
                kind=Comparator.Kind.PEER_GROUP,
                defaults={
                    "label": "Peer group average",
                    "availability": availability,
                    "value": _number(comparator)
                    if availability == Comparator.Availability.VALUE
                    else None,
                    "as_at": date(2021, 3, 1) if dated else None,
                    "period_label": "Mar-21" if dated else "",
                    "source": _source(row["source_lines"])
                    + (f"; dated Mar-21 in the narrative (lines {dated})" if dated else ""),
                },
            )
        if row["comment"].strip():
            Commentary.objects.update_or_create(
                measure=measure,
                period_kind=Frequency.QUARTERLY,
                period_end=Q1_2022,
                defaults={
                    "text": row["comment"].strip(),
                    "published": True,
                    "source": _source(row["source_lines"]),
                },
            )
    Measure.objects.filter(pk__in=[m.pk for m in measures]).recompute_statuses()
    return [
        f"Scorecard: {len(measures)} measures in "
        f"{ServiceArea.objects.count()} service areas, "
        f"{Observation.objects.count()} values, {Target.objects.count()} targets."
    ]
