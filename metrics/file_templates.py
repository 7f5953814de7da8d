"""The ready-made templates for loading figures: XLSX (with drop-downs and instructions) and CSV."""

import csv
import io
from datetime import date

from django.conf import settings
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation

from metrics import calculations as calc
from metrics.figure_files import INFO_COLUMNS, LONG_COLUMNS
from metrics.models import Measure, Observation
from scrutiny import clock

DUE_PER_MEASURE = 4


def instructions_sheet(workbook, lines, index=None):
    """The "Instructions" sheet every downloadable template opens with: a bold title line,
    then one line of text a row, in one wide column."""
    sheet = workbook.create_sheet("Instructions", index)
    for line in lines:
        sheet.append([line])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.column_dimensions["A"].width = 110
    return sheet


def due_rows(today=None, area=None):
    """(measure, period, breakdown) for each period that has ended and has no whole-authority
    figure, after each active measure's latest one: at most four per measure, oldest first.
    For one ``area`` (the quality-assurance template), also a row for each breakdown the
    measure has had (the grades by legal status, team or area of practice)."""
    today = today or clock.today()
    this_month = date(today.year, today.month, 1)
    measures = (
        Measure.objects.filter(active=True)
        .select_related("area")
        .order_by("area__order", "order", "code")
    )
    breakdowns = {}
    if area is not None:
        measures = measures.filter(area=area)
        for measure_id, breakdown in (
            Observation.objects.filter(measure__area=area)
            .exclude(breakdown="")
            .values_list("measure_id", "breakdown")
            .distinct()
            .order_by("measure_id", "breakdown")
        ):
            breakdowns.setdefault(measure_id, []).append(breakdown)
    latest = {}
    for measure_id, kind, end in (
        Observation.objects.filter(breakdown="", value__isnull=False)
        .order_by("measure_id", "period_end")
        .values_list("measure_id", "period_kind", "period_end")
    ):
        latest[(measure_id, kind)] = end
    rows = []
    for measure in measures:
        end = latest.get((measure.pk, measure.frequency))
        if end is None:
            continue
        period = calc.Period(end, measure.frequency)
        for _ in range(DUE_PER_MEASURE):
            period = calc.Period(
                calc.add_months(period.end, calc.MONTHS_IN[period.kind]), period.kind
            )
            if period.end >= this_month:
                break
            for breakdown in ["", *breakdowns.get(measure.pk, [])]:
                rows.append((measure, period, breakdown))
    return rows


INSTRUCTIONS = [
    "How to load figures",
    "",
    "1. Fill in the Figures sheet: one row per figure. The rows already there are the periods "
    "now due for each measure; delete a row if you have no figure for it.",
    "2. measure_code: pick from the list (the Measures sheet has every code and name).",
    "3. period: the month the period ends in, as YYYY-MM (2022-09 for 2022/23 Q2), or "
    "2022/23 Q2, or Sep22.",
    "4. area: leave empty for the whole authority, or give the locality, team or group.",
    "5. value: the figure, as a number (a percentage as 67.1, not 0.671). Numerator and "
    "denominator are optional; when given, the value must be numerator ÷ denominator.",
    "6. The grey columns are there to check against and cannot be typed in: the measure's "
    "name and unit, its last figure and period, the target in force for the period, and the "
    "day the figures are due. They are ignored when the file is read.",
    "7. Save as .xlsx (or CSV) and upload it. Nothing is loaded until every row passes its "
    "checks and you have confirmed the preview.",
    "",
    "Do not use formulas, macros or links to other workbooks: type or paste the values.",
]


def due_by(period):
    """The day a period's figures are due: FIGURES_DUE_DAY of the month after it ends."""
    month = calc.add_months(period.end, 1)
    return date(month.year, month.month, min(settings.FIGURES_DUE_DAY, 28))


def _context(rows):
    """For each (measure, breakdown): its latest figure and period; for each row, the target
    in force in its period."""
    from metrics.models import Target

    measure_ids = {m.pk for m, _, _ in rows}
    latest = {}
    for measure_id, breakdown, kind, end, value in (
        Observation.objects.filter(measure_id__in=measure_ids, value__isnull=False)
        .order_by("period_end")
        .values_list("measure_id", "breakdown", "period_kind", "period_end", "value")
    ):
        latest[(measure_id, breakdown)] = (calc.Period(end, kind), value)
    targets = {}
    for target in Target.objects.filter(measure_id__in=measure_ids).order_by("effective_from"):
        targets.setdefault(target.measure_id, []).append(target)

    def target_for(measure, period):
        found = None
        for t in targets.get(measure.pk, []):
            if t.effective_from <= period.end and (
                t.effective_to is None or t.effective_to >= period.end
            ):
                found = t
        return found.value if found else None

    return latest, target_for


def xlsx_template(today=None, area=None):
    workbook = Workbook()
    figures = workbook.active
    figures.title = "Figures"
    figures.append(LONG_COLUMNS + INFO_COLUMNS)
    for cell in figures[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE7EE")
    rows = due_rows(today, area)
    latest, target_for = _context(rows)
    grey = PatternFill("solid", fgColor="F3F2F1")
    for measure, period, breakdown in rows:
        last = latest.get((measure.pk, breakdown))
        target = target_for(measure, period)
        figures.append(
            [measure.code, period.key, breakdown, None, None, None, ""]
            + [
                measure.name,
                measure.get_unit_display(),
                measure.format_value(last[1]) if last else "",
                last[0].label if last else "",
                measure.format_value(target) if target is not None else "No target",
                due_by(period).isoformat(),
            ]
        )
    # Only the figures may be typed in the rows given; the measure, period and the columns to
    # check against are locked (no password: it guards against slips, not people). Rows below
    # are open for figures the template did not expect.
    figures.protection.sheet = True
    figures.protection.formatRows = False
    figures.protection.formatColumns = False
    last_row = len(rows) + 1
    for row in figures.iter_rows(min_row=2, max_row=last_row):
        for cell in row[3:7]:
            cell.protection = Protection(locked=False)
        for cell in row[7:]:
            cell.fill = grey
    for row in figures.iter_rows(min_row=last_row + 1, max_row=last_row + 500, max_col=7):
        for cell in row:
            cell.protection = Protection(locked=False)
    figures.freeze_panes = "A2"
    widths = (14, 12, 18, 10, 12, 13, 40, 50, 12, 12, 12, 12, 12)
    for letter, width in zip("ABCDEFGHIJKLM", widths, strict=True):
        figures.column_dimensions[letter].width = width

    catalogue = workbook.create_sheet("Measures")
    catalogue.append(["measure_code", "name", "service area", "frequency", "unit", "polarity"])
    for cell in catalogue[1]:
        cell.font = Font(bold=True)
    measures = Measure.objects.filter(active=True).select_related("area").order_by("code")
    if area is not None:
        measures = measures.filter(area=area)
    for measure in measures:
        catalogue.append(
            [
                measure.code,
                measure.name,
                measure.area.name,
                measure.get_frequency_display(),
                measure.get_unit_display(),
                measure.get_polarity_display(),
            ]
        )
    catalogue.column_dimensions["B"].width = 80
    last = max(catalogue.max_row, 2)
    codes = DataValidation(
        type="list",
        formula1=f"=Measures!$A$2:$A${last}",
        allow_blank=False,
        showErrorMessage=True,
        errorTitle="Unknown measure code",
        error="Pick a measure code from the list.",
    )
    figures.add_data_validation(codes)
    codes.add("A2:A10000")
    numbers = DataValidation(
        type="decimal",
        operator="between",
        formula1="-9999999999",
        formula2="9999999999",
        allow_blank=True,
        showErrorMessage=True,
        error="Type a number.",
    )
    figures.add_data_validation(numbers)
    numbers.add("D2:F10000")

    instructions_sheet(workbook, INSTRUCTIONS, 0)
    due = workbook.create_sheet("Periods now due")
    due.append(["measure_code", "name", "period", "period label", "area", "due by"])
    for measure, period, breakdown in rows:
        due.append(
            [measure.code, measure.name, period.key, period.label, breakdown,
             due_by(period).isoformat()]
        )  # fmt: skip
    workbook.active = workbook.sheetnames.index("Figures")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_template(today=None, area=None):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(LONG_COLUMNS)
    for measure, period, breakdown in due_rows(today, area):
        writer.writerow([measure.code, period.key, breakdown, "", "", "", ""])
    return buffer.getvalue().encode("utf-8-sig")
