"""The scorecard as a table of plain values, and as CSV or a formatted XLSX workbook."""

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from metrics import calculations as calc
from metrics.models import Direction, Rag

FILLS = {"green": "CCE5D8", "amber": "FBE3C9", "red": "F4CCC8"}
DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")


def safe(value):
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(DANGEROUS_START):
        return "'" + value
    return value


def scorecard_table(area, periods, measures, breakdown=""):
    header = [
        "Section",
        "Code",
        "Measure",
        "Good performance",
        "Reporting basis",
        *[p.short_label for p in periods],
        "Target",
        "Target kind",
        "Status",
        "Direction",
        "Direction over the year",
        "Comparator",
        "Comment",
        "Published",
        "Area",
    ]
    rows = []
    rag_names = dict(Rag.choices)
    direction_names = dict(Direction.choices)
    for measure in measures:
        status = measure.status
        comparator = "; ".join(c.summary for c in measure.shown_comparators)
        rows.append(
            [
                measure.section.name if measure.section else "",
                measure.code,
                measure.name,
                measure.get_polarity_display(),
                measure.get_reporting_basis_display(),
                *[calc.as_float(s.value) if s else None for s in measure.history],
                calc.as_float(status.target) if status else None,
                status.target_kind if status else "",
                rag_names.get(status.rag if status else "no_value", ""),
                direction_names.get(status.direction, "") if status else "",
                direction_names.get(status.direction_year, "") if status else "",
                comparator,
                measure.comment.text if measure.comment else "",
                ("Yes" if status.published else "Draft") if status else "",
                breakdown or "Whole authority",
            ]
        )
    return {
        "header": header,
        "rows": rows,
        "rag_column": header.index("Status"),
        "status_keys": [m.status.rag if m.status else "no_value" for m in measures],
    }


def as_csv(table):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table["header"])
    for row in table["rows"]:
        writer.writerow(["" if v is None else safe(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def as_xlsx(table, title):
    book = Workbook()
    sheet = book.active
    sheet.title = "Scorecard"[:31]
    sheet.append([safe(title)])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(table["header"])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE7EE")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row, key in zip(table["rows"], table["status_keys"], strict=True):
        sheet.append([safe(v) for v in row])
        status_cell = sheet.cell(row=sheet.max_row, column=table["rag_column"] + 1)
        if key in FILLS:
            status_cell.fill = PatternFill("solid", fgColor=FILLS[key])
    sheet.freeze_panes = "D3"
    widths = {"A": 22, "B": 10, "C": 60}
    for letter, width in widths.items():
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=3):
        row[2].alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
