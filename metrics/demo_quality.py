"""The demo council's quality-assurance report (July 2022), from qa_snapshot_jul_2022.csv.

Every row of the file is placed: each number in a row's ``perf`` cell goes to a measure of the
"Quality assurance" area (by its position in the cell, so nothing is retyped here), the earlier
figures the direction-of-travel words give with their period (Q1 2022/23 is June 2022 for a
measure reported as the latest quarter to date) are loaded beside them, the words themselves are
the published commentary, and the file's notes stay on the figures. Rows that repeat another
row's figure (participation, participative auditing) are checked against it. Loading twice
changes nothing.
"""

import csv
import re
from datetime import date
from decimal import Decimal

from metrics.demo import FIXTURES
from metrics.models import (
    Commentary,
    Frequency,
    Measure,
    Observation,
    Polarity,
    QaRole,
    ReportingBasis,
    Section,
    ServiceArea,
    Target,
    Unit,
)

PAPER = (
    "Children and Families Overview and Scrutiny Committee, 15 September 2022: Children's "
    "Services Quality Assurance report, July 2022"
)
FILE = "qa_snapshot_jul_2022.csv"
JUL22 = date(2022, 7, 1)
JUN22 = date(2022, 6, 1)
MAY22 = date(2022, 5, 1)
APR22 = date(2022, 4, 1)
MAR22 = date(2022, 3, 1)
DEC21 = date(2021, 12, 1)

B, S, P = Polarity.BIGGER, Polarity.SMALLER, Polarity.PLAN
PCT, COUNT = Unit.PERCENT, Unit.COUNT
QUARTER, SNAPSHOT, ROLLING, NONE = (
    ReportingBasis.LATEST_QUARTER,
    ReportingBasis.SNAPSHOT,
    ReportingBasis.ROLLING_YEAR,
    ReportingBasis.NOT_STATED,
)
SECTIONS = [
    "Performance snapshot",
    "Grades by legal status and area of practice",
    "Teams",
    "Feedback",
    "Ambassadors' audit review",
    "Cases of concern and other audits",
    "Audit capacity and representation",
    "Impact from audit",
    "Moderation",
]

# code: (name, section, unit, polarity, basis, role, target (kind, value, row) or None, definition)
MEASURES = {
    "QA01": ("Audits completed to the accepted standard and uploaded", 0, COUNT, B, NONE,
             QaRole.AUDITS, ("baseline", "45", "Q001"),
             "Case-file audits completed in the month to the accepted standard. Baseline "
             "target 45 a month; the stretch target is 86 a month (lines 8287-8288)."),
    "QA02": ("Audit completion rate", 0, PCT, B, NONE, QaRole.COMPLETION,
             ("standard", "90", "Q002"),
             "Share of the audits assigned in the month that met the upload standard."),
    "QA03": ("Audits rated Good or Outstanding", 0, PCT, B, QUARTER, QaRole.GOOD,
             ("short_term", "50", "Q003"),
             "Share of audits in the quarter to date graded Good or Outstanding. Breakdowns: "
             "by legal status and by area of practice."),
    "QA04": ("Audits rated Requires improvement", 0, PCT, P, QUARTER,
             QaRole.REQUIRES_IMPROVEMENT, None,
             "Share of audits in the quarter to date graded Requires improvement."),
    "QA05": ("Audits rated Inadequate", 0, PCT, S, QUARTER, QaRole.INADEQUATE,
             ("short_term", "9", "Q005"),
             "Share of audits in the quarter to date graded Inadequate."),
    "QA06": ("Audit actions from the previous month completed within timescale", 0, PCT, B,
             QUARTER, QaRole.FOLLOW_UP, ("standard", "80", "Q006"), ""),
    "QA07": ("Quality of assessment: assessments evaluated Good or better", 0, PCT, B, QUARTER,
             "", ("short_term", "50", "Q007"), ""),
    "QA08": ("SMART planning: plans evaluated Good or better", 0, PCT, B, QUARTER, "",
             ("standard", "50", "Q008"), ""),
    "QA09": ("Management oversight and supervision evaluated Good or better", 0, PCT, B,
             QUARTER, "", ("standard", "50", "Q009"), ""),
    "QA10": ("Child or young person (aged 4 and over) involved in the audit", 0, PCT, B,
             QUARTER, "", ("standard", "80", "Q010"), ""),
    "QA11": ("Family involved in the audit", 0, PCT, B, QUARTER, "",
             ("standard", "80", "Q011"), ""),
    "QA12": ("Social worker involved in the audit", 0, PCT, B, QUARTER, "",
             ("standard", "95", "Q012"), ""),
    "QA13": ("Team manager involved in the audit", 0, PCT, B, QUARTER, "",
             ("standard", "95", "Q013"), ""),
    "QA14": ("IRO or child protection chair involved in the audit", 0, PCT, B, QUARTER, "",
             ("standard", "95", "Q014"), ""),
    "QA20": ("Teams meeting both quality targets (Good 50%, Inadequate 9%) in the last six "
             "months", 2, COUNT, B, NONE, "", None, "Of 44 teams (25%)."),
    "QA21": ("Teams with 40% or more of practice rated weaker (leadership review)", 2, COUNT,
             S, NONE, "", None, "In the last six months."),
    "QA22": ("Children and young people rating the service positively", 3, PCT, B, QUARTER,
             "", None, "Of those giving feedback as part of an audit."),
    "QA23": ("Parents and carers rating the service positively", 3, PCT, B, QUARTER, "",
             None, "Of those giving feedback as part of an audit."),
    "QA24": ("Reasonable or good relationship between worker and child", 4, PCT, B,
             SNAPSHOT, "", None, "Care-experienced ambassadors' review of audited files."),
    "QA25": ("Case summaries with a good focus on the child, in accessible language", 4, PCT,
             B, SNAPSHOT, "", None, "Care-experienced ambassadors' review of audited files."),
    "QA26": ("Practice examples drawing through the child's views or direct work", 4, PCT, B,
             SNAPSHOT, "", None, "Care-experienced ambassadors' review of audited files."),
    "QA27": ("Information about the child's likes, dislikes, interests and achievements", 4,
             PCT, B, SNAPSHOT, "", None,
             "Care-experienced ambassadors' review of audited files."),
    "QA28": ("Appropriate language (Language that Cares) and decisions easy to follow", 4,
             PCT, B, SNAPSHOT, "", None,
             "Care-experienced ambassadors' review of audited files."),
    "QA29": ("New cases of concern raised to Heads of Service", 5, COUNT, P, SNAPSHOT, "",
             None, ""),
    "QA30": ("Children tracked as cases of concern", 5, COUNT, S, SNAPSHOT, "", None, ""),
    "QA31": ("Fostering moderated audits completed", 5, COUNT, B, SNAPSHOT, "", None, ""),
    "QA32": ("Early Help audits rated Requires improvement", 5, PCT, S, SNAPSHOT, "", None,
             ""),
    "QA33": ("Youth Support audits rated Good", 5, PCT, B, SNAPSHOT, "", None, ""),
    "QA34": ("Staff trained in the audit methodology", 6, COUNT, B, SNAPSHOT, "", None,
             "Breakdowns: auditors and moderators."),
    "QA35": ("Teams not audited in the month", 6, COUNT, S, SNAPSHOT, "", None, ""),
    "QA36": ("Audits in the last 12 months as a share of children open", 6, PCT, B, ROLLING,
             "", ("stretch", "23", "Q049"),
             "521 audits of 4,517 children open. 23% is what the stretch target of 86 audits "
             "a month would give."),
    "QA37": ("Children's views not obtained in the audit, by reason", 6, COUNT, P, QUARTER,
             "", None, "Breakdowns: inappropriate, unreachable, declined."),
    "QA38": ("Care-planning actions from audit (last three auditing months)", 7, COUNT, P,
             NONE, "", None,
             "From 86 audits of 119. Breakdowns: on time, late, no team manager update, not "
             "yet transferred."),
    "QA39": ("Non-care-planning actions from audit (last three months)", 7, COUNT, P, NONE,
             "", None,
             "Breakdowns: on time, late, overdue, not yet due, no team manager update."),
    "QA40": ("Audit actions completed on time", 7, PCT, B, SNAPSHOT, "", None,
             "Compared with the previous month's report."),
    "QA41": ("Children whose care plan was amended from audit learning (last six months)", 7,
             COUNT, B, NONE, "", None, ""),
    "QA42": ("Actions completed from audit learning (last six months)", 7, COUNT, B, NONE,
             "", None, ""),
    "QA43": ("Audits graded up by moderators", 8, PCT, P, SNAPSHOT, QaRole.MODERATED_UP,
             None, "A moderator effect of 10-15% is expected (lines 8192-8193)."),
    "QA44": ("Audits graded down by moderators", 8, PCT, P, SNAPSHOT,
             QaRole.MODERATED_DOWN, None,
             "A moderator effect of 10-15% is expected (lines 8192-8193)."),
    "QA45": ("Inadequate grades identified by moderators", 8, PCT, P, SNAPSHOT, "", None,
             "Share of the audits graded Inadequate whose grade came from the moderator."),
}  # fmt: skip

LEGAL = "Legal status: "
PRACTICE = "Area of practice: "
MONTHS = {
    "July 21": date(2021, 7, 1), "Aug 21": date(2021, 8, 1), "Sep 21": date(2021, 9, 1),
    "Oct 21": date(2021, 10, 1), "Nov 21": date(2021, 11, 1), "Dec 21": date(2021, 12, 1),
    "Feb 22": date(2022, 2, 1), "Mar 22": MAR22, "Apr 22": APR22, "May 22": MAY22,
    "Jun 22": JUN22, "Jul 22": JUL22, "July 22": JUL22,
}  # fmt: skip

# row: [(code, breakdown, month or None for the row's period column, index of the number in
# the perf cell)]; a row whose figures repeat another's is checked, not loaded twice.
PLACES = {
    **{f"Q{n:03d}": [(f"QA{n:02d}", "", JUL22, 0)] for n in range(1, 15)},
    "Q015": [("QA03", LEGAL + "Children subject to assessment", JUL22, 0)],
    "Q016": [("QA05", LEGAL + "Children subject to assessment", JUL22, 0)],
    "Q017": [("QA03", LEGAL + "Children in need of help", JUL22, 0)],
    "Q018": [("QA05", LEGAL + "Children in need of help", JUL22, 0)],
    "Q019": [("QA03", LEGAL + "Children in need of protection", JUL22, 0)],
    "Q020": [("QA05", LEGAL + "Children in need of protection", JUL22, None)],
    "Q021": [("QA03", LEGAL + "Children with disabilities", JUL22, 0)],
    "Q022": [("QA05", LEGAL + "Children with disabilities", JUL22, 0)],
    "Q023": [("QA03", LEGAL + "Children in care", JUL22, 0)],
    "Q024": [("QA05", LEGAL + "Children in care", JUL22, 0)],
    "Q025": [("QA03", LEGAL + "Care leavers", JUL22, 0)],
    "Q026": [("QA05", LEGAL + "Care leavers", JUL22, 0)],
    "Q027": [("QA03", PRACTICE + "Relational intervention and review", JUL22, 0)],
    "Q028": [("QA03", PRACTICE + "Planning and review", JUL22, 0)],
    "Q029": [("QA03", PRACTICE + "Permanence", JUL22, 0)],
    "Q030": [("QA05", PRACTICE + "Risk assessment and response", JUL22, 0)],
    "Q031": [("QA20", "", JUL22, 0)],
    "Q032": [("QA21", "", JUL22, 0)],
    "Q033": [("=QA10", "", JUL22, 0)],
    "Q034": [("=QA11", "", JUL22, 0)],
    "Q035": [("QA22", "", JUL22, 0)],
    "Q036": [("QA23", "", JUL22, 0)],
    "Q037": [("QA24", "", JUL22, 0)],
    "Q038": [("QA25", "", JUL22, 0)],
    "Q039": [("QA26", "", JUL22, 0)],
    "Q040": [("QA27", "", JUL22, 0)],
    "Q041": [("QA28", "", JUL22, 0)],
    "Q042": [("QA29", "", JUL22, 0)],
    "Q043": [("QA30", "", JUL22, 0)],
    "Q044": [("QA31", "", JUL22, 0)],
    "Q045": [("QA32", "", JUL22, 2)],
    "Q046": [("QA33", "", JUL22, 2)],
    "Q047": [("QA34", "", JUL22, 0), ("QA34", "Auditors", JUL22, 1),
             ("QA34", "Moderators", JUL22, 2)],
    "Q048": [("QA35", "", JUL22, 0)],
    "Q049": [("QA36", "", JUL22, 0)],
    "Q050": [("=QA12", "", JUL22, 0), ("=QA13", "", JUL22, 1), ("=QA14", "", JUL22, 2)],
    "Q051": [("QA37", "Inappropriate", JUL22, 0), ("QA37", "Unreachable", JUL22, 2),
             ("QA37", "Declined", JUL22, 4)],
    "Q052": [("QA38", "On time", JUL22, 0), ("QA38", "Late", JUL22, 2),
             ("QA38", "No team manager update", JUL22, 4),
             ("QA38", "Not yet transferred", JUL22, 6)],
    "Q053": [("QA39", "On time", JUL22, 0), ("QA39", "Late", JUL22, 2),
             ("QA39", "Overdue", JUL22, 4), ("QA39", "Not yet due", JUL22, 6),
             ("QA39", "No team manager update", JUL22, 8)],
    "Q054": [("QA40", "", JUL22, 0)],
    "Q055": [("QA41", "", JUL22, 0), ("QA42", "", JUL22, 1)],
    **{f"Q{n:03d}": [("QA43", "", None, 0), ("QA44", "", None, 1), ("QA45", "", None, 2)]
       for n in range(56, 62)},
    **{f"Q{n:03d}": [("QA01", "", None, 0)] for n in range(62, 74)},
    "Q074": [],  # the 12-month average: checked against the months, not stored
}  # fmt: skip

# Earlier figures the direction-of-travel words give with their period:
# (row, code, breakdown, month, value).
EARLIER = [
    ("Q002", "QA02", "", JUN22, "72"),
    ("Q002", "QA02", "", MAY22, "63"),
    ("Q003", "QA03", "", JUN22, "40"),
    ("Q003", "QA03", "", MAR22, "37"),
    ("Q006", "QA06", "", JUN22, "15"),
    ("Q007", "QA07", "", MAR22, "34"),
    ("Q007", "QA07", "", JUN22, "44"),
    ("Q008", "QA08", "", MAR22, "31"),
    ("Q008", "QA08", "", JUN22, "39"),
    ("Q010", "QA10", "", JUN22, "35"),
    ("Q010", "QA10", "", MAR22, "45"),
    ("Q011", "QA11", "", JUN22, "66"),
    ("Q011", "QA11", "", MAR22, "66"),
    ("Q014", "QA14", "", JUN22, "100"),
    ("Q014", "QA14", "", MAR22, "100"),
    ("Q015", "QA03", LEGAL + "Children subject to assessment", DEC21, "35"),
    ("Q015", "QA03", LEGAL + "Children subject to assessment", JUN22, "47"),
    ("Q017", "QA03", LEGAL + "Children in need of help", DEC21, "23"),
    ("Q017", "QA03", LEGAL + "Children in need of help", JUN22, "44"),
    ("Q021", "QA03", LEGAL + "Children with disabilities", JUN22, "22"),
    ("Q022", "QA05", LEGAL + "Children with disabilities", JUN22, "11"),
    ("Q023", "QA03", LEGAL + "Children in care", JUN22, "54"),
    ("Q026", "QA05", LEGAL + "Care leavers", JUN22, "22"),
    ("Q029", "QA03", PRACTICE + "Permanence", JUN22, "53"),
    ("Q037", "QA24", "", JUN22, "70"),
    ("Q037", "QA24", "", MAY22, "63"),
    ("Q037", "QA24", "", APR22, "30"),
    ("Q038", "QA25", "", JUN22, "50"),
    ("Q038", "QA25", "", MAY22, "50"),
    ("Q038", "QA25", "", APR22, "60"),
    ("Q039", "QA26", "", MAY22, "63"),
    ("Q039", "QA26", "", APR22, "50"),
    ("Q040", "QA27", "", JUN22, "40"),
    ("Q040", "QA27", "", MAY22, "75"),
    ("Q041", "QA28", "", JUN22, "50"),
    ("Q041", "QA28", "", MAY22, "50"),
    ("Q041", "QA28", "", APR22, "70"),
    ("Q054", "QA40", "", JUN22, "31"),
]


def numbers(cell):
    """The numbers in a perf cell, in order: '4 (5%) / 7 (8%)' -> [4, 5, 7, 8]."""
    return [Decimal(n) for n in re.findall(r"\d+(?:\.\d+)?", cell.replace(",", ""))]


def _source(row):
    return f"{PAPER}, {row['block']} (row {row['id']}; lines {row['source_lines']} of the pack)"


def _figure(measure, breakdown, month, value, note, source):
    Observation.objects.update_or_create(
        measure=measure,
        period_kind=Frequency.MONTHLY,
        period_end=month,
        breakdown=breakdown,
        defaults={"value": value, "note": note, "source": source, "published": True},
    )


def load_quality():
    rows = {r["id"]: r for r in csv.DictReader(open(FIXTURES / FILE, encoding="utf-8"))}
    missing = set(rows) ^ set(PLACES)
    if missing:
        raise ValueError(f"{FILE}: rows not placed or not in the file: {sorted(missing)}")
    area, _ = ServiceArea.objects.update_or_create(
        slug="quality-assurance",
        defaults={"name": "Quality assurance", "order": 3, "quality_assurance": True},
    )
    sections = [
        Section.objects.update_or_create(area=area, name=name, defaults={"order": i})[0]
        for i, name in enumerate(SECTIONS)
    ]
    measures = {}
    for order, (code, spec) in enumerate(MEASURES.items()):
        name, section, unit, polarity, basis, role, target, definition = spec
        measures[code], _ = Measure.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "area": area,
                "section": sections[section],
                "definition": definition,
                "source": PAPER,
                "unit": unit,
                "precision": 0,
                "polarity": polarity,
                "reporting_basis": basis,
                "frequency": Frequency.MONTHLY,
                "qa_role": role,
                "judged": target is not None,
                "order": order,
            },
        )
        if target:
            kind, value, row_id = target
            Target.objects.update_or_create(
                measure=measures[code],
                effective_from=date(2021, 4, 1),
                defaults={"kind": kind, "value": Decimal(value), "source": _source(rows[row_id])},
            )
    loaded = {}
    for row_id, places in PLACES.items():
        row = rows[row_id]
        found = numbers(row["perf"])
        for code, breakdown, month, index in places:
            month = month or MONTHS[row["period"]]
            value = None if index is None else found[index]
            if code.startswith("="):  # the same figure as another row: it must agree
                if loaded[(code[1:], breakdown, month)] != value:
                    raise ValueError(f"{FILE} row {row_id}: {value} disagrees with {code[1:]}")
                continue
            note = row["notes"].strip()
            if value is None:
                note = f"Printed as “{row['perf']}”, not one figure. {note}".strip()
            loaded[(code, breakdown, month)] = value
            _figure(measures[code], breakdown, month, value, note, _source(row))
        if row_id in {f"Q{n:03d}" for n in range(1, 15)} and row["direction_of_travel"]:
            Commentary.objects.update_or_create(
                measure=measures[places[0][0]],
                period_kind=Frequency.MONTHLY,
                period_end=JUL22,
                source=_source(row) + ", direction of travel",
                defaults={"text": row["direction_of_travel"].strip(), "published": True},
            )
    for row_id, code, breakdown, month, value in EARLIER:
        row = rows[row_id]
        if value not in row["direction_of_travel"]:
            raise ValueError(f"{FILE} row {row_id}: {value} is not in its direction of travel")
        note = f"From the direction of travel: “{row['direction_of_travel']}”"
        source = _source(row) + ", direction of travel"
        _figure(measures[code], breakdown, month, Decimal(value), note, source)
    months = [v for (code, b, m), v in loaded.items() if code == "QA01" and not b]
    average = numbers(rows["Q074"]["perf"])[0]
    if round(sum(months) / len(months)) != average:
        raise ValueError(f"{FILE} row Q074: the average of the months is not {average}")
    Measure.objects.filter(area=area).recompute_statuses()
    return [
        f"Quality assurance: {len(measures)} measures, "
        f"{Observation.objects.filter(measure__area=area).count()} figures from {len(rows)} rows."
    ]
