"""The measure library as a workbook: the template for a new council (empty) and the
current library to edit and upload again (a round trip changes nothing)."""

import io

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from metrics.file_templates import instructions_sheet
from metrics.library import PLAN_SHEETS, columns
from metrics.library_loading import choices
from metrics.models import Comparator, Measure, Target

INSTRUCTIONS = [
    "How to fill in the measure library",
    "",
    "Measures: one row per measure. code is short and stable (letters, digits, - and _). "
    "area and section are created when new. unit, polarity, frequency, reporting_basis and "
    "tolerance_kind take the values in their drop-downs (the keys or the labels). tolerance is "
    "in % of the target or in the measure's units; judged and active are yes or no. "
    "national_measure is the key of the DfE's measure it is compared with (listed under How we "
    "compare; empty for none) and national_note says where the definitions differ; leave both "
    "columns out to keep the links as they are.",
    "Targets: measure_code, value, effective_from (2022-04, Apr22 or 2022/23 Q1), optional "
    "effective_to and kind. A quarterly measure's target from a month applies from the quarter "
    "ending then or next. A target with no end runs until the next one starts.",
    "Comparators: measure_code, kind, value (a number, or 'not available' or 'unknown'), as_at "
    "(the month it describes), period_label (e.g. 2021/22), source.",
    "Improvement plan (sheets Plan, Priorities, Workstreams, Actions, Milestones, Metrics): one "
    "Plan row (title, version); priorities by number; workstreams by number with their priority, "
    "lead, and rationale, objectives and deliverables one a line (or separated by ' | '); key "
    "actions, milestones and metrics by reference with their workstream's number; owners "
    "separated by ';'; due_month and month as 2022-09; a metric names its measure's code or "
    "gives the figures as printed. A file with the current plan's version adds to it and "
    "updates it; a new version is started on the plan's page.",
    "Risks: reference, title, register (created when new), description, owner, inherent impact "
    "and likelihood (1 to 5), target score (1 to 25), the codes of the measures that show it "
    "(comma-separated), new_this_quarter (yes or no). Ratings each quarter are recorded by the "
    "review in the product, not here.",
    "Upload the file on the Upload page, choosing 'Measures, targets and comparators'. Nothing "
    "is written until every problem is fixed; you see what would change before confirming.",
]


def _text(value):
    if value is None:
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m")
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def library_workbook():
    book = Workbook()
    book.remove(book.active)
    instructions_sheet(book, INSTRUCTIONS)
    measure_columns = columns("Measures")
    sheets = {
        "Measures": (
            measure_columns,
            [
                [
                    m.code,
                    m.name,
                    m.area.name,
                    m.section.name if m.section else "",
                    *[_text(_cell(m, c)) for c in measure_columns[4:]],
                ]
                for m in Measure.objects.select_related(
                    "area", "section", "national_measure"
                ).order_by("code")
            ],
        ),
        "Targets": (
            columns("Targets"),
            [
                [
                    t.measure.code,
                    _text(t.value),
                    _text(t.effective_from),
                    _text(t.effective_to),
                    t.kind,
                    t.source,
                    t.note,
                ]
                for t in Target.objects.select_related("measure").order_by(
                    "measure__code", "effective_from"
                )
            ],
        ),
        "Comparators": (
            columns("Comparators"),
            [
                [
                    c.measure.code,
                    c.kind,
                    _text(c.value) if c.value is not None else c.availability,
                    _text(c.as_at),
                    c.period_label,
                    c.source,
                    c.label,
                ]
                # those computed from the national statistics are not typed, so not listed
                for c in Comparator.objects.filter(national=False)
                .select_related("measure")
                .order_by("measure__code")
            ],
        ),
    }
    from improvement_plan.models import Risk

    sheets["Risks"] = (
        columns("Risks"),
        [
            [
                r.reference,
                r.title,
                r.register.name,
                r.description,
                r.owner,
                _text(r.inherent_impact),
                _text(r.inherent_likelihood),
                _text(r.target_score),
                ", ".join(sorted(m.code for m in r.measures.all())),
                _text(r.new_this_quarter),
                r.source,
            ]
            for r in Risk.objects.filter(closed_at__isnull=True)
            .select_related("register")
            .prefetch_related("measures")
            .order_by("reference")
        ],
    )
    # The plan's sheets, to fill in: a plan is usually written in Word first.
    for name in PLAN_SHEETS:
        sheets[name] = (columns(name), [])
    options = choices()
    for name, (header, rows) in sheets.items():
        sheet = book.create_sheet(name)
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
        for index, column in enumerate(header, start=1):
            sheet.column_dimensions[sheet.cell(1, index).column_letter].width = 18
            key = "comparator_kind" if (name, column) == ("Comparators", "kind") else column
            if key in options and column != "value":
                listed = ",".join(str(k) for k, _ in options[key] if k)
                rule = DataValidation(type="list", formula1=f'"{listed}"', allow_blank=True)
                sheet.add_data_validation(rule)
                letter = sheet.cell(1, index).column_letter
                rule.add(f"{letter}2:{letter}5000")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cell(measure, column):
    if column == "national_measure":  # the DfE measure's key, as the file reads it back
        return measure.national_measure.key if measure.national_measure_id else ""
    return getattr(measure, column)
