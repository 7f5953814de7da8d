"""Finance: the revenue budget by service line, high-risk budgets, the COVID-19 split and
external placements, read from the council's own tables and kept as printed.

Amounts are in £000 with overspend positive (variance = outturn − budget). A file is refused
whole when a cell cannot be read (each problem named by sheet, row and column); figures that
can be read but do not add up — a printed variance that is not outturn − budget, a total that
is not the sum of its lines — are kept as printed and flagged (``flags``), never "fixed".
"""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from metrics.library import LibraryProblem as Problem

LINE_COLUMNS = [
    "table",
    "service_area",
    "cost_centre",
    "budget_manager",
    "row_type",
    "full_year_budget_k",
    "outturn_k",
    "variance_dsg_k",
    "variance_non_dsg_k",
    "variance_total_k",
    "variance_pct",
    "feb_forecast_dsg_k",
    "feb_forecast_non_dsg_k",
    "feb_forecast_total_k",
    "change_k",
    "covid_outturn_k",
    "covid_feb_k",
    "net_outturn_k",
    "net_feb_k",
    "net_movement_k",
    "raw_line",
    "notes",
    "source_line",
]
# The file's column for each stored amount (£000).
AMOUNTS = {
    "full_year_budget_k": "budget",
    "outturn_k": "outturn",
    "variance_dsg_k": "variance_dsg",
    "variance_non_dsg_k": "variance_non_dsg",
    "variance_total_k": "variance_total",
    "feb_forecast_dsg_k": "forecast_dsg",
    "feb_forecast_non_dsg_k": "forecast_non_dsg",
    "feb_forecast_total_k": "forecast_total",
    "change_k": "change",
    "covid_outturn_k": "covid_outturn",
    "covid_feb_k": "covid_forecast",
    "net_outturn_k": "net_outturn",
    "net_feb_k": "net_forecast",
    "net_movement_k": "net_movement",
}
AMOUNT_NAMES = {
    "budget": "full-year budget",
    "outturn": "outturn",
    "variance_dsg": "DSG variance",
    "variance_non_dsg": "non-DSG variance",
    "variance_total": "variance",
    "forecast_dsg": "DSG forecast",
    "forecast_non_dsg": "non-DSG forecast",
    "forecast_total": "forecast variance",
    "change": "change since the forecast",
    "covid_outturn": "COVID-19 outturn",
    "covid_forecast": "COVID-19 forecast",
    "net_outturn": "net outturn variance",
    "net_forecast": "net forecast variance",
    "net_movement": "net movement",
}
ROW_TYPES = ("line", "sub-line", "subtotal", "total", "grand total")
TOTALS = ("subtotal", "total", "grand total")
PLACEMENT_COLUMNS = ["series", "year", "month", "placements", "source_line", "notes"]
MONTHS = ["Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar"]
AVERAGE = "Average"
FACT_COLUMNS = ["id", "measure", "value", "unit", "period", "context", "exact_quote", "source_line"]
REPORT_FIELDS = ["year", "position", "as_at", "title", "source"]
SHEETS = {"Report": None, "Lines": LINE_COLUMNS, "Placements": PLACEMENT_COLUMNS,
          "Narrative": FACT_COLUMNS}  # fmt: skip
MAX_TEXT = {"table": 200, "service_area": 200, "cost_centre": 40, "budget_manager": 120,
            "series": 120, "id": 20, "measure": 300, "value": 300, "unit": 40, "period": 60,
            "source_line": 200}  # fmt: skip
TOLERANCE = Decimal("0.5")  # amounts are whole £000: a difference of 1 or more is flagged
_AMOUNT = re.compile(r"^-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")
_PERCENT = re.compile(r"^-?\d+(\.\d+)?%?$")
_YEAR = re.compile(r"^(\d{4})/(\d{2})$")
_SHORT_YEAR = re.compile(r"^(\d{2})/(\d{2})$")


@dataclass
class Finance:
    """A clean file, as plain values in the product's field names."""

    report: dict = field(default_factory=dict)
    lines: list = field(default_factory=list)
    placements: list = field(default_factory=list)
    facts: list = field(default_factory=list)


def part_of(table):
    """Which part of the paper a table is, from its name: the high-risk analysis, the COVID-19
    analysis, or otherwise the budget by service line."""
    lower = table.lower()
    if "high risk" in lower or "high-risk" in lower:
        return "high_risk"
    if "covid" in lower:
        return "covid"
    return "lines"


def amount(text):
    """'-1,388' -> Decimal('-1388'); '' -> None; raises ValueError if it is not an amount."""
    text = (text or "").strip().replace("\u2212", "-")
    if not text:
        return None
    if not _AMOUNT.match(text):
        raise ValueError(text)
    return Decimal(text.replace(",", ""))


def percent(text):
    text = (text or "").strip().replace("\u2212", "-")
    if not text:
        return None
    if not _PERCENT.match(text):
        raise ValueError(text)
    return Decimal(text.rstrip("%"))


# --------------------------------------------------------------------------------------------
# Reading and checking
# --------------------------------------------------------------------------------------------


def read_and_check(data, name, max_bytes=20 * 1024 * 1024):
    """(Finance or None, problems) for an uploaded workbook: the template's Report and Lines
    sheets, and Placements and Narrative when present."""
    from metrics import figure_files

    if len(data) > max_bytes:
        return None, [Problem("", None, "", "file", f"The file is larger than "
                              f"{max_bytes // 1048576} MB.")]  # fmt: skip
    if not (data[:4] == b"PK\x03\x04" or (name or "").lower().endswith(".xlsx")):
        return None, [
            Problem(
                "",
                None,
                "",
                "file",
                "Upload the finance template as an Excel "
                "workbook (.xlsx): its Report sheet says which year and position the "
                "figures are.",
            )  # fmt: skip
        ]
    sheets, problems = {}, []
    for sheet in SHEETS:  # one at a time, so that a problem names its sheet
        try:
            sheets.update(figure_files.read_xlsx_sheets(data, [sheet]))
        except figure_files.FileRejected as rejected:
            problems += [
                Problem(sheet if p.row else "", p.row, p.column, p.field, p.message)
                for p in rejected.problems
            ]
            if any(p.row is None for p in rejected.problems):
                return None, problems  # the workbook itself cannot be read
    if problems:
        return None, problems
    missing = [s for s in ("Report", "Lines") if s not in sheets]
    if missing:
        return None, [
            Problem(
                s,
                None,
                "",
                "sheet",
                f"The workbook has no {s} sheet. Download the finance "
                "template and keep its sheet names.",
            )  # fmt: skip
            for s in missing
        ]
    report, problems = check_report(_records(sheets["Report"], "Report")[0])
    frames = {name: _records(frame, name) for name, frame in sheets.items() if name != "Report"}
    finance, more = check_tables(
        frames.get("Lines"), frames.get("Placements"), frames.get("Narrative")
    )
    finance.report = report
    problems += more
    return (None if problems else finance), problems


def _records(frame, sheet):
    """(header, [dict per row]) of a sheet read as strings; the Report sheet as key/value."""
    headers = [str(h).strip() for h in frame.columns]
    rows = [
        {h: ("" if v is None else str(v)).strip() for h, v in zip(headers, values, strict=False)}
        for values in frame.itertuples(index=False)
    ]
    if sheet == "Report":  # two columns: field, value (the header row is the first pair)
        pairs = {headers[0].lower(): headers[1] if len(headers) > 1 else ""}
        for row in rows:
            values = list(row.values())
            if values and values[0]:
                pairs[values[0].strip().lower()] = values[1] if len(values) > 1 else ""
        return pairs, sheet
    return headers, rows


def check_report(pairs):
    """The Report sheet: which year, position and month the figures are, the paper's title."""
    problems = []
    report = {}

    def bad(key, message):
        problems.append(Problem("Report", None, "B", key, message))

    year = pairs.get("year", "").strip()
    match = _YEAR.match(year)
    if not match or int(match.group(2)) != (int(match.group(1)) + 1) % 100:
        bad("year", f"The year '{year[:20]}' is not a financial year such as 2021/22.")
    report["year"] = year
    position = pairs.get("position", "").strip().lower()
    if position not in ("outturn", "forecast"):
        bad("position", f"The position '{position[:20]}' must be outturn or forecast.")
    report["position"] = position
    as_at = pairs.get("as_at", "").strip()[:10]
    try:
        day = date.fromisoformat(as_at[:7] + "-01")
        report["as_at"] = day
    except ValueError:
        bad("as_at", f"'{as_at}' is not a month such as 2022-03 (the month of the position).")
    title = pairs.get("title", "").strip()
    if not title:
        bad("title", "Give the paper's title, e.g. Revenue budget outturn 2021/22.")
    report["title"] = title[:300]
    report["source"] = pairs.get("source", "").strip()
    return report, problems


def check_tables(lines, placements=None, facts=None, names=("Lines", "Placements", "Narrative")):
    """Check each table's (header, rows); returns (Finance, problems)."""
    finance = Finance()
    problems = []
    for (kind, table), sheet in zip(((0, lines), (1, placements), (2, facts)), names, strict=True):
        if table is None:
            continue
        headers, rows = table
        expected = (LINE_COLUMNS, PLACEMENT_COLUMNS, FACT_COLUMNS)[kind]
        header_problems = _check_header(sheet, headers, expected)
        if header_problems:
            problems += header_problems
            continue
        checker = (_check_lines, _check_placements, _check_facts)[kind]
        clean, found = checker(sheet, rows)
        problems += found
        setattr(finance, ("lines", "placements", "facts")[kind], clean)
    if lines is not None and not finance.lines and not problems:
        problems.append(Problem(names[0], None, "", "file", "There are no service lines."))
    return finance, problems


def _letter(index):
    from metrics.figure_files import column_letter

    return column_letter(index)


def _check_header(sheet, headers, expected):
    unknown = [h for h in headers if h not in expected]
    missing = [h for h in expected if h not in headers]
    problems = [
        Problem(
            sheet,
            1,
            f"{_letter(headers.index(h))} ({h})",
            "header",
            f"Unknown column '{h[:40]}'. The columns are: {', '.join(expected)}.",
        )  # fmt: skip
        for h in unknown
    ]
    if missing:
        problems.append(
            Problem(
                sheet,
                1,
                "",
                "header",
                f"Missing column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}.",
            )  # fmt: skip
        )
    return problems


class _Rows:
    """One sheet's rows as they are checked: each filled row in turn with the problems found in
    it (its text over MAX_TEXT first), the keys seen so far, and the clean rows kept."""

    def __init__(self, sheet, columns):
        self.sheet, self.columns = sheet, columns
        self.clean, self.problems, self.seen = [], [], {}

    def where(self, name):
        return f"{_letter(self.columns.index(name))} ({name})"

    def each(self, rows):
        """Each filled row with its number; ``self.found`` holds its problems."""
        for number, row in enumerate(rows, start=2):
            if not any(row.values()):
                continue
            self.number, self.found = number, []
            for name in self.columns:
                limit = MAX_TEXT.get(name)
                if limit and len(row.get(name, "")) > limit:
                    self.problem(name, f"The {name} is {len(row[name])} characters long; at "
                                       f"most {limit} are kept.")  # fmt: skip
            yield number, row

    def problem(self, name, message, where=None):
        where = self.where(name) if where is None else where
        self.found.append(Problem(self.sheet, self.number, where, name, message))

    def once(self, key, name, described):
        """Refuse a row whose key an earlier row had (unless it is already refused)."""
        if key in self.seen and not self.found:
            self.problem(name, f"{described} (first at row {self.seen[key]}).")
        self.seen.setdefault(key, self.number)

    def keep(self, clean):
        """The row's problems are reported; the row is kept only if it has none."""
        self.problems += self.found
        if not self.found:
            self.clean.append(clean)


def _check_lines(sheet, rows):
    checked = _Rows(sheet, LINE_COLUMNS)
    for number, row in checked.each(rows):
        if not row["table"]:
            checked.problem("table", "The table is empty.")
        if not row["service_area"]:
            checked.problem("service_area", "The service line's name is empty.")
        row_type = row["row_type"].strip().lower()
        if row_type not in ROW_TYPES:
            checked.problem("row_type", f"'{row['row_type'][:30]}' is not a row type: use "
                                        f"{', '.join(ROW_TYPES)}.")  # fmt: skip
        values = {}
        for column, key in AMOUNTS.items():
            try:
                values[key] = amount(row[column])
            except ValueError:
                checked.problem(column, f"'{row[column][:30]}' is not an amount in £000 (e.g. "
                                        "-1,388 or 15317).")  # fmt: skip
        try:
            values["variance_pct"] = percent(row["variance_pct"])
        except ValueError:
            checked.problem("variance_pct", f"'{row['variance_pct'][:30]}' is not a percentage "
                                            "such as -25.4%.")  # fmt: skip
        if not any(v is not None for v in values.values()) and not checked.found:
            checked.problem("amounts", f"{row['service_area'][:60]} has no amounts.", where="")
        checked.once(
            (row["table"], row["service_area"], row["cost_centre"]),
            "service_area",
            f"{row['service_area'][:60]} is in {row['table'][:60]} twice",
        )
        checked.keep({
            "part": part_of(row["table"]),
            "table": row["table"],
            "row": number,
            "name": row["service_area"],
            "cost_centre": row["cost_centre"],
            "budget_holder": row["budget_manager"],
            "row_type": row_type,
            **values,
            "notes": row["notes"],
            "source": row["source_line"],
        })  # fmt: skip
    return checked.clean, checked.problems


def _check_placements(sheet, rows):
    checked = _Rows(sheet, PLACEMENT_COLUMNS)
    for _number, row in checked.each(rows):
        if not row["series"]:
            checked.problem("series", "The type of placement (series) is empty.")
        match = _SHORT_YEAR.match(row["year"])
        if not match or int(match.group(2)) != (int(match.group(1)) + 1) % 100:
            checked.problem("year", f"'{row['year'][:20]}' is not a financial year such as "
                                    "21/22.")  # fmt: skip
        if row["month"] not in [*MONTHS, AVERAGE]:
            checked.problem("month", f"'{row['month'][:20]}' is not a month: use Apr … Mar, or "
                                     "Average.")  # fmt: skip
        text = row["placements"].replace(",", "")
        if not text.isdigit():
            checked.problem("placements", f"'{row['placements'][:20]}' is not a whole number of "
                                          "placements.")  # fmt: skip
        checked.once(
            (row["series"], row["year"], row["month"]),
            "month",
            f"{row['series'][:60]} {row['year']} {row['month']} is in the file twice",
        )
        checked.keep({
            "series": row["series"], "year": row["year"], "month": row["month"],
            "placements": int(text) if text.isdigit() else None, "notes": row["notes"],
            "source": row["source_line"],
        })  # fmt: skip
    return checked.clean, checked.problems


def _check_facts(sheet, rows):
    checked = _Rows(sheet, FACT_COLUMNS)
    for _number, row in checked.each(rows):
        for name in ("id", "measure", "value"):
            if not row[name]:
                checked.problem(name, f"The {name} is empty.")
        checked.once(row["id"], "id", f"{row['id']} is in the file twice")
        checked.keep({
            "key": row["id"], "measure": row["measure"], "value": row["value"],
            "unit": row["unit"], "period": row["period"], "context": row["context"],
            "quote": row["exact_quote"], "source": row["source_line"],
        })  # fmt: skip
    return checked.clean, checked.problems


# --------------------------------------------------------------------------------------------
# What does not add up: kept as printed, flagged
# --------------------------------------------------------------------------------------------


def _differs(printed, computed):
    return printed is not None and computed is not None and abs(printed - computed) > TOLERANCE


def _flag(row, key, printed, computed, rule):
    return {
        "table": row["table"],
        "name": row["name"],
        "row": row["row"],
        "field": AMOUNT_NAMES.get(key, key),
        "printed": printed,
        "computed": computed,
        "difference": printed - computed,
        "rule": rule,
    }


def _minus(a, b):
    return None if a is None or b is None else a - b


def _line_flags(row):
    """A row's own arithmetic: variance = outturn − budget, DSG + non-DSG = total, change =
    variance − forecast, the percentage of budget, and the COVID-19 net figures."""
    found = []
    g = row.get
    checks = [
        ("variance_total", _minus(g("outturn"), g("budget")), "outturn − budget"),
        ("variance_total", _plus(g("variance_dsg"), g("variance_non_dsg")), "DSG + non-DSG"),
        ("forecast_total", _plus(g("forecast_dsg"), g("forecast_non_dsg")), "DSG + non-DSG"),
    ]
    if g("variance_total") is not None:
        checks.append(("change", _minus(g("variance_total"), g("forecast_total")),
                       "variance − forecast"))  # fmt: skip
    else:
        checks.append(("change", _minus(g("variance_non_dsg"), g("forecast_non_dsg")),
                       "non-DSG variance − non-DSG forecast"))  # fmt: skip
    if g("covid_outturn") is not None or g("net_outturn") is not None:
        checks += [
            ("net_outturn", _minus(g("variance_non_dsg"), g("covid_outturn") or 0),
             "non-DSG variance − COVID-19"),
            ("net_forecast", _minus(g("forecast_non_dsg"), g("covid_forecast") or 0),
             "non-DSG forecast − COVID-19"),
            ("net_movement", _minus(g("net_outturn"), g("net_forecast")),
             "net outturn − net forecast"),
        ]  # fmt: skip
    for key, computed, rule in checks:
        if _differs(g(key), computed):
            found.append(_flag(row, key, g(key), computed, rule))
    budget, variance, pct = g("budget"), g("variance_total"), g("variance_pct")
    if pct is not None and budget and variance is not None:
        computed = (variance / budget * 100).quantize(Decimal("0.1"))
        if abs(pct - computed) > Decimal("0.05"):
            found.append(_flag(row, "variance_pct", pct, computed, "variance ÷ budget"))
    return found


def _plus(a, b):
    return None if a is None or b is None else a + b


SUMMED = list(AMOUNT_NAMES)


def _sum(rows, key):
    return sum((r.get(key) or Decimal(0)) for r in rows)


def _is_sum_of(row, members):
    """True when every amount the row has is the sum of the members' (a subtotal printed as a
    line, as the COVID-19 table prints "Other Commissioned Children's Services")."""
    keys = [k for k in SUMMED if row.get(k) is not None]
    return len(members) >= 2 and keys and all(not _differs(row[k], _sum(members, k)) for k in keys)


def _total_flags(total, members, rule):
    return [
        _flag(total, key, total[key], _sum(members, key), rule)
        for key in SUMMED
        if total.get(key) is not None and _differs(total[key], _sum(members, key))
    ]


def flags(lines):
    """Every place the printed figures do not add up, as plain dicts: each row's own
    arithmetic, sub-lines against their line, each subtotal against the lines above it since
    the last total, and a table's last total against its subtotals and the lines outside them.
    ``lines`` are plain dicts in file order (as stored or as read)."""
    found = []
    tables = {}
    for row in lines:
        tables.setdefault(row["table"], []).append(row)
        found += _line_flags(row)
    for rows in tables.values():
        last_total = max((i for i, r in enumerate(rows) if r["row_type"] in TOTALS), default=None)
        top, run, parent, subs = [], [], None, []
        for i, row in enumerate(rows + [None]):
            if row is None or row["row_type"] != "sub-line":
                if parent is not None and subs:
                    found += _total_flags(parent, subs, "the sub-lines below it")
                subs = []
            if row is None:
                break
            kind = row["row_type"]
            if kind == "sub-line":
                subs.append(row)
                continue
            if kind == "line":
                parent = row
                if _is_sum_of(row, run):
                    top = top[: len(top) - len(run)] + [row]
                    run = []
                else:
                    top.append(row)
                    run.append(row)
                continue
            parent = None
            if i == last_total:
                found += _total_flags(row, top, "the subtotals and lines above it")
            else:
                found += _total_flags(row, run, "the lines above it")
                top = top[: len(top) - len(run)] + [row]
                run = []
    return found


# --------------------------------------------------------------------------------------------
# Storing, the one shape, undoing
# --------------------------------------------------------------------------------------------


def store(finance, user=None, *, upload=None, published=False, context=""):
    """Keep a clean file as a new report (the earlier ones stay), in one transaction, with its
    loading in the audit trail."""
    from metrics.models import FinanceFact, FinanceLine, FinanceReport, PlacementCount
    from scrutiny.audit import AuditEntry

    with transaction.atomic():
        report = FinanceReport.objects.create(
            **finance.report,
            loaded_by=user,
            upload=upload,
            published=published,
            published_at=timezone.now() if published else None,
            published_by=user if published else None,
        )
        FinanceLine.objects.bulk_create(FinanceLine(report=report, **row) for row in finance.lines)
        PlacementCount.objects.bulk_create(
            PlacementCount(report=report, **row) for row in finance.placements
        )
        FinanceFact.objects.bulk_create(FinanceFact(report=report, **row) for row in finance.facts)
        AuditEntry.record_changes(report, None, user=user, context=context or "finance load")
    return report


def publish(report, user):
    from scrutiny.audit import AuditEntry

    with transaction.atomic():
        before = type(report).objects.select_for_update().get(pk=report.pk)
        report.published, report.published_at, report.published_by = True, timezone.now(), user
        report.save(update_fields=["published", "published_at", "published_by"])
        AuditEntry.record_changes(
            report, before, user=user, context="finance publish", fields=["published"]
        )


def roll_back(report, user, reason):
    """Remove a loaded report (members then read the one before it); every stored field of it
    is kept in the audit trail."""
    from scrutiny.audit import AuditEntry

    with transaction.atomic():
        AuditEntry.record_deletion(report, user=user, reason=reason, context="finance rollback")
        report.delete()


def _m(value):
    """£000 as £ million to three places: 17286 -> '£17.286m'."""
    return None if value is None else f"£{value / 1000:,.3f}m".replace("£-", "−£")


def _k(value):
    return "" if value is None else f"{value:,.0f}".replace("-", "−")


def as_data(report, staff=False):
    """The report as plain data: what the page shows, the pack freezes and the API returns.
    Notes on lines and placements (the loader's or transcriber's) are for ``staff`` only."""
    lines = [_line_dict(line) for line in report.lines.all()]
    if not staff:
        for line in lines:
            line["notes"] = ""
    raised = flags(lines)
    parts = []
    for key, title in (("lines", "Budget by service line"), ("high_risk", "High-risk budgets"),
                       ("covid", "COVID-19 split (non-DSG)")):  # fmt: skip
        rows = [r for r in lines if r["part"] == key]
        if rows:
            columns = [
                {"key": k, "label": COLUMN_LABELS[k]}
                for k in COLUMN_LABELS
                if any(r[k] is not None for r in rows)
            ]
            parts.append({"part": key, "title": title, "table": rows[0]["table"], "rows": rows,
                          "columns": columns})  # fmt: skip
    return _plain(
        {
            "id": report.pk,
            "title": report.title,
            "year": report.year,
            "position": report.get_position_display(),
            "as_at": f"{report.as_at:%B %Y}",
            "source": report.source,
            "published": report.published,
            "headline": _headline(lines),
            "parts": parts,
            "flags": [
                {
                    **f,
                    "printed_text": _k(f["printed"]),
                    "computed_text": _k(f["computed"]),
                    "difference_text": _k(f["difference"]),
                    "rounding": abs(f["difference"]) <= 1,
                }
                for f in raised
            ],  # fmt: skip
            "flagged_rows": sorted({f["row"] for f in raised if abs(f["difference"]) > 1}),
            "placements": _placements(report, staff),
            "facts": [
                {
                    k: getattr(f, k)
                    for k in (
                        "key",
                        "measure",
                        "value",
                        "unit",
                        "period",
                        "context",
                        "quote",
                        "source",
                    )
                }  # fmt: skip
                for f in report.facts.all()
            ],
        }
    )


def _plain(value):
    """Decimals as floats, all the way down, so the pack's JSON can keep it."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


COLUMN_LABELS = {
    "budget": "Budget",
    "outturn": "Outturn",
    "variance_dsg": "Variance: DSG",
    "variance_non_dsg": "Variance: non-DSG",
    "variance_total": "Variance",
    "variance_pct": "Variance % of budget",
    "forecast_dsg": "Forecast: DSG",
    "forecast_non_dsg": "Forecast: non-DSG",
    "forecast_total": "Forecast variance",
    "change": "Change since the forecast",
    "covid_outturn": "COVID-19: outturn",
    "covid_forecast": "COVID-19: forecast",
    "net_outturn": "Net of COVID-19: outturn",
    "net_forecast": "Net of COVID-19: forecast",
    "net_movement": "Net movement",
}


def _line_dict(line):
    row = {
        k: getattr(line, k)
        for k in (
            "part",
            "table",
            "row",
            "name",
            "cost_centre",
            "budget_holder",
            "row_type",
            "notes",
            "source",
            *AMOUNT_NAMES,
            "variance_pct",
        )  # fmt: skip
    }
    row["text"] = {k: _k(row[k]) for k in AMOUNT_NAMES}
    row["text"]["variance_pct"] = (
        "" if row["variance_pct"] is None else f"{row['variance_pct']}%".replace("-", "−")
    )
    return row


def _headline(lines):
    """The year's totals from the last total of the budget by service line and of the COVID-19
    split: overspend positive."""
    totals = [r for r in lines if r["part"] == "lines" and r["row_type"] in TOTALS]
    if not totals:
        return None
    total = totals[-1]
    covid = [r for r in lines if r["part"] == "covid" and r["row_type"] in TOTALS]
    budget, non_dsg = total["budget"], total["variance_non_dsg"]
    share = (non_dsg / budget * 100).quantize(Decimal("0.01")) if budget and non_dsg else None
    covid_total = covid[-1]["covid_outturn"] if covid else None
    return {
        "budget": _m(budget),
        "outturn": _m(total["outturn"]),
        "non_dsg": _m(non_dsg),
        "dsg": _m(total["variance_dsg"]),
        "variance": _m(total["variance_total"]),
        "non_dsg_share": None if share is None else f"{share}%",
        "covid": _m(covid_total),
        "underlying": _m(covid[-1]["net_outturn"]) if covid else None,
        "overspend": non_dsg is not None and non_dsg > 0,
    }


def _placements(report, staff=False):
    counts = list(report.placements.order_by("pk"))
    series = list(dict.fromkeys(c.series for c in counts))
    years = sorted({c.year for c in counts})
    averages = {s: {} for s in series}
    monthly = {s: {} for s in series}
    for c in counts:
        if c.month == AVERAGE:
            averages[c.series][c.year] = c.placements
        else:
            monthly[c.series][(c.year, c.month)] = c.placements
    months = [(y, m) for y in years for m in MONTHS]
    labels = [_month_label(y, m) for y, m in months]
    return {
        "series": series,
        "years": years,
        "averages": [{"year": y, "values": [averages[s].get(y) for s in series]} for y in years],
        "labels": labels,
        "monthly": {s: [monthly[s].get(k) for k in months] for s in series},
        "notes": sorted({c.notes for c in counts if c.notes}) if staff else [],
    }


def _month_label(year, month):
    start = 2000 + int(year[:2])
    return f"{month} {start if MONTHS.index(month) < 9 else start + 1}"


# --------------------------------------------------------------------------------------------
# On the upload path
# --------------------------------------------------------------------------------------------


def check_upload(upload):
    from metrics.models import Upload

    data = upload.contents()
    finance, problems = read_and_check(data, upload.original_name)
    if problems:
        upload.status = Upload.Status.INVALID
        upload.problem_count = len(problems)
        upload.problems = [p.as_dict() for p in problems[:1000]]
    else:
        raised = flags(finance.lines)
        upload.status = Upload.Status.READY
        upload.rows = len(finance.lines) + len(finance.placements) + len(finance.facts)
        upload.summary = {
            "finance": {
                "year": finance.report["year"],
                "position": finance.report["position"],
                "as_at": f"{finance.report['as_at']:%B %Y}",
                "title": finance.report["title"],
                "lines": len(finance.lines),
                "placements": len(finance.placements),
                "facts": len(finance.facts),
                "flags": [
                    f"{f['name']} ({f['table']}): the {f['field']} printed is {_k(f['printed'])}"
                    f", but {f['rule']} gives {_k(f['computed'])}"
                    for f in raised
                ],
            }
        }
    upload.stage, upload.percent = "Checked", 100
    upload.save()
    return upload


def commit_upload(upload, user, reason=""):
    """Load a checked finance workbook as a new draft report, checked again first."""
    from metrics.loading import Refused
    from metrics.models import Upload

    data = upload.contents()
    with transaction.atomic():
        locked = upload.locked(Upload.Status.READY)
        finance, problems = read_and_check(data, upload.original_name)
        if problems:
            raise Refused("The file no longer passes its checks. Upload it again to see why.")
        store(finance, user, upload=locked, context=f"upload {upload.pk}")
        locked.status = Upload.Status.COMMITTED
        locked.committed_at = timezone.now()
        locked.committed_by = user
        locked.reason = (reason or "").strip()
        locked.new_count = len(finance.lines)
        locked.statuses_ready_at = timezone.now()  # nothing to recompute: no polling
        locked.stage, locked.percent = "Loaded", 100
        locked.save()
    return locked


def roll_back_upload(upload, user, reason):
    from metrics.models import FinanceReport, Upload

    with transaction.atomic():
        locked = upload.locked(Upload.Status.COMMITTED)
        report = FinanceReport.objects.filter(upload=locked).first()
        if report is not None:
            roll_back(report, user, reason)
        locked.status = Upload.Status.ROLLED_BACK
        locked.reason = reason
        locked.save()
    return locked


INSTRUCTIONS = [
    "How to load a finance report",
    "",
    "1. Report sheet: the financial year (2022/23), the position (outturn, or forecast during "
    "the year), the month it is at (2023-03) and the paper's title. Source is optional.",
    "2. Lines sheet: one row per service line as the paper prints it. 'table' names the "
    "paper's table: a table whose name mentions 'high risk' holds the high-risk budgets, one "
    "that mentions 'COVID' the COVID-19 split, any other the budget by service line.",
    "   row_type is line, sub-line (part of the line above), subtotal, total or grand total.",
    "   Amounts are in £000 as printed (-1,388 or -1388); a variance is outturn - budget, so an "
    "overspend is positive. Leave a cell empty when the paper prints nothing.",
    "3. Placements sheet (optional): external placements by type (series), year (21/22), "
    "month (Apr … Mar, or Average) and count.",
    "4. Narrative sheet (optional): the figures the paper gives in words, with the words.",
    "",
    "Every cell is checked before anything is loaded. Figures that do not add up (a variance "
    "that is not outturn - budget, a total that is not its lines' sum) are kept as printed "
    "and shown as differences; a loaded report is a draft until it is published.",
]


def template_workbook():
    from io import BytesIO

    from openpyxl import Workbook
    from openpyxl.styles import Font

    from metrics.file_templates import instructions_sheet

    book = Workbook()
    book.remove(book.active)
    instructions_sheet(book, INSTRUCTIONS)
    report = book.create_sheet("Report")
    for pair in (("field", "value"), ("year", ""), ("position", "outturn"), ("as_at", ""),
                 ("title", ""), ("source", "")):  # fmt: skip
        report.append(pair)
    report.column_dimensions["B"].width = 60
    for name, columns in (("Lines", LINE_COLUMNS), ("Placements", PLACEMENT_COLUMNS),
                          ("Narrative", FACT_COLUMNS)):  # fmt: skip
        table = book.create_sheet(name)
        table.append(columns)
        for cell in table[1]:
            cell.font = Font(bold=True)
        table.freeze_panes = "A2"
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
