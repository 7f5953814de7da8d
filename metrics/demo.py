"""The demo council's Q1 2022/23 scorecard, from fixtures/gloucestershire-2022/.

Figures are loaded exactly as printed in the committee's papers; every measure, value, target,
comparator and comment keeps the paper and the lines of the extracted text it came from.
Loading twice changes nothing.
"""

import csv
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings

from metrics import calculations as calc
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
PLAN_PAPER = (
    "Children and Families Overview and Scrutiny Committee, 15 September 2022: Children's "
    "Services Continuous Improvement Plan v2.0"
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


def load_narrative():
    """The Q1 2022/23 report's narrative on each measure, verbatim, as published commentary."""
    for row in csv.DictReader(open(FIXTURES / "scorecard_narrative.csv", encoding="utf-8")):
        Commentary.objects.update_or_create(
            measure=Measure.objects.get(code=row["measure_code"]),
            period_kind=Frequency.QUARTERLY,
            period_end=calc.parse_period(row["period"]).end,
            source=f"{PAPER}, narrative (lines {row['source_lines']} of the extracted pack)",
            defaults={"text": row["text"], "published": True},
        )


def load_earlier_targets():
    """Targets for Q4 2021/22 that the plan's monthly metrics give for the same measures."""
    rows = csv.DictReader(open(FIXTURES / "scorecard_earlier_targets.csv", encoding="utf-8"))
    for row in rows:
        measure = Measure.objects.get(code=row["measure_code"])
        month = calc.parse_period(row["period"]).end
        Target.objects.update_or_create(
            measure=measure,
            effective_from=month,
            defaults={
                "effective_to": month,
                "value": _number(row["target"]),
                "kind": row["kind"],
                "source": f"{PLAN_PAPER}, metric {row['plan_metric_id']} "
                f"(lines {row['source_lines']} of the extracted pack)",
                "note": row["note"],
            },
        )


def load_plan_metrics():
    """The improvement plan's monthly metrics that are measures, in an area of their own."""
    plan = json.load(open(FIXTURES / "improvement_plan_v2.json", encoding="utf-8"))
    titles = {w["number"]: w["title"] for p in plan["priorities"] for w in p["workstreams"]}
    choices = {
        row["metric_id"]: row
        for row in csv.DictReader(open(FIXTURES / "plan_metric_measures.csv", encoding="utf-8"))
    }
    monthly = {}
    for row in csv.DictReader(open(FIXTURES / "improvement_plan_metrics.csv", encoding="utf-8")):
        if row["month"]:
            monthly.setdefault(row["metric_id"], []).append(row)
    area, _ = ServiceArea.objects.update_or_create(
        slug="improvement-plan-metrics",
        defaults={
            "name": "Improvement plan metrics",
            "order": 3,
            "description": "The monthly metrics of the Continuous Improvement Plan v2.0",
        },
    )
    measures = []
    for order, (metric_id, rows) in enumerate(monthly.items()):
        choice = choices[metric_id]
        if choice["load_as_measure"] != "yes":
            continue
        number = metric_id.split("-")[0]
        section, _ = Section.objects.update_or_create(
            area=area,
            name=f"{number} {titles[number]}",
            defaults={"order": int(number.replace(".", ""))},
        )
        texts = [r["actual"] for r in rows] + [r["target"] for r in rows]
        decimals = [len(t.rstrip("%").split(".")[1]) for t in texts if "." in t]
        measure, _ = Measure.objects.update_or_create(
            code="CIP-" + metric_id.replace(".", "-"),
            defaults={
                "name": rows[0]["metric"],
                "area": area,
                "section": section,
                "source": f"{PLAN_PAPER}, metric {metric_id} "
                f"(lines {rows[0]['source_lines']} of the extracted pack)",
                "definition": choice["note"],
                "unit": UNITS[choice["unit"]],
                "precision": max(decimals, default=0),
                "polarity": POLARITIES[choice["polarity"]],
                "reporting_basis": ReportingBasis.ROLLING_YEAR
                if "(Rolling Year)" in rows[0]["metric"]
                else ReportingBasis.NOT_STATED,
                "frequency": Frequency.MONTHLY,
                "order": order,
            },
        )
        measures.append(measure)
        note = rows[0]["note"]
        for row in rows:
            Observation.objects.update_or_create(
                measure=measure,
                period_kind=Frequency.MONTHLY,
                period_end=calc.parse_period(row["month"]).end,
                breakdown="",
                defaults={
                    "value": _number(row["actual"]),
                    "published": True,
                    "quality": ""
                    if row["mapping_confidence"] == "high"
                    else Observation.Quality.PROVISIONAL,
                    "note": note,
                    "source": measure.source,
                },
            )
        for start, end, value in _target_runs(rows):
            stretch = choice["stretch_from_april_2022"] and start >= date(2022, 4, 1)
            Target.objects.update_or_create(
                measure=measure,
                effective_from=start,
                defaults={
                    "effective_to": end,
                    "value": value,
                    "kind": Target.Kind.STRETCH if stretch else Target.Kind.STANDARD,
                    "source": measure.source
                    + (f"; {choice['stretch_from_april_2022']}" if stretch else ""),
                },
            )
    return measures


def _target_runs(rows):
    """Consecutive months with the same target, as (first month, last month or None, value);
    the last run stays in force."""
    runs = []
    for row in rows:
        value = _number(row["target"])
        month = calc.parse_period(row["month"]).end
        if value is None:
            continue
        if runs and runs[-1][2] == value:
            runs[-1][1] = month
        else:
            runs.append([month, month, value])
    if runs:
        runs[-1][1] = None
    return [tuple(run) for run in runs]


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
        # A transcriber's note in the name ("… (AMBIGUOUS: row text repeats …)") is for staff:
        # the name is the paper's, the note goes on the figures, which members never read.
        name, _, staff_note = row["measure_name"].partition(" (AMBIGUOUS: ")
        staff_note = f"Transcription: ambiguous, {staff_note.rstrip(')')}" if staff_note else ""
        measure, _ = Measure.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
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
                    "note": staff_note,
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
    # The report's narrative first, then the scorecard's own comment, so that the scorecard's
    # comment is the latest and is the one its Comment column shows.
    load_narrative()
    load_area_narrative()
    for measure, row in zip(measures, rows, strict=True):
        if row["comment"].strip():
            Commentary.objects.update_or_create(
                measure=measure,
                period_kind=Frequency.QUARTERLY,
                period_end=Q1_2022,
                source=_source(row["source_lines"]),
                defaults={"text": row["comment"].strip(), "published": True},
            )
    load_earlier_targets()
    ServiceArea.objects.filter(slug=SOCIAL_CARE[0]).update(
        headline_note="The report gives 29.4% for 2022/23 Q1, as here, and 47% for 2021/22 Q4 "
        "(seed 003, line 6110); the scorecard prints no targets for Q4, so here only the 7 "
        "measures with a Q4 target known from the improvement plan are judged for it."
    )
    plan_measures = load_plan_metrics()
    Measure.objects.filter(pk__in=[m.pk for m in measures + plan_measures]).recompute_statuses()
    return [
        f"Scorecard: {len(measures)} measures; improvement plan: {len(plan_measures)} monthly "
        f"measures; {ServiceArea.objects.count()} service areas, "
        f"{Observation.objects.count()} values, {Target.objects.count()} targets."
    ]


NATIONAL_FILES = Path(settings.BASE_DIR) / "fixtures" / "dfe"


def load_national():
    """Every council's published figures (fixtures/dfe/), and the demo's measures linked to
    their national equivalents (fixtures/gloucestershire-2022/national_links.csv)."""
    from metrics import national_loading
    from metrics.models import NationalMeasure

    report = national_loading.load(
        national_loading.in_loading_order(sorted(NATIONAL_FILES.iterdir())), refresh=False
    )
    links = csv.DictReader(open(FIXTURES / "national_links.csv", encoding="utf-8"))
    linked = []
    for row in links:
        measure = Measure.objects.get(code=row["measure_code"])
        national = NationalMeasure.objects.get(key=row["national_measure"])
        if (measure.national_measure_id, measure.national_note) != (national.pk, row["note"]):
            measure.national_measure, measure.national_note = national, row["note"]
            measure.save(update_fields=["national_measure", "national_note"])
        linked.append(measure)
    national_loading.refresh_comparators()
    return [
        f"National statistics: {report.added} figures added, {report.unchanged} unchanged; "
        f"{len(linked)} measures compared with every council."
    ]


def load_area_narrative():
    """The Q1 2022/23 performance report's opening narrative for Children's Social Care, every
    paragraph verbatim (30 blocks: the 24 numbered paragraphs and the paragraphs that continue
    them), published with the figures."""
    from metrics.models import Narrative

    rows = list(csv.DictReader(open(FIXTURES / "scorecard_area_narrative.csv", encoding="utf-8")))
    text = "\n\n".join(row["text"] for row in rows)
    area = ServiceArea.objects.get(name=rows[0]["area"])
    period = calc.parse_period(rows[0]["period"], Frequency.QUARTERLY)
    source = (
        f"{PAPER}, the report's narrative (lines {rows[0]['source_lines'].split('-')[0]}-"
        f"{rows[-1]['source_lines'].split('-')[1]} of the extracted pack)"
    )
    Narrative.objects.update_or_create(
        area=area,
        period_kind=period.kind,
        period_end=period.end,
        source=source,
        defaults={"text": text, "published": True},
    )


FINANCE_PAPER = (
    "Children and Families Overview and Scrutiny Committee, 15 September 2022: 2021/22 "
    "Revenue Budget Outturn report (Children and Families)"
)


def load_finance():
    """The 2021/22 revenue outturn: its tables, the narrative's figures and ten years of
    external placements, read and checked as an uploaded file is, kept as printed."""
    from metrics import figure_files, finance
    from metrics.models import FinanceReport

    if FinanceReport.objects.filter(year="2021/22", title__startswith="Revenue").exists():
        return ["Finance: already loaded."]
    tables = {}
    for key, name in (
        ("lines", "finance_outturn_2021_22.csv"),
        ("placements", "external_placements_2012_2022.csv"),
        ("facts", "finance_narrative_2021_22.csv"),
    ):
        frame = figure_files.read_table(name, (FIXTURES / name).read_bytes(), 10 * 1024 * 1024)
        tables[key] = finance._records(frame, key)
    checked, problems = finance.check_tables(tables["lines"], tables["placements"], tables["facts"])
    if problems:
        raise ValueError(f"The demo's finance files do not pass their checks: {problems[:3]}")
    checked.report = {
        "year": "2021/22",
        "position": "outturn",
        "as_at": date(2022, 3, 1),
        "title": "Revenue budget outturn 2021/22: Children and Families",
        "source": f"{FINANCE_PAPER} (lines 8570-8911 of the extracted pack)",
    }
    report = finance.store(checked, published=True, context="demo")
    return [
        f"Finance: {report.lines.count()} lines, {report.placements.count()} placement counts, "
        f"{report.facts.count()} figures from the narrative."
    ]
