"""Reading and checking a council's measure library from a spreadsheet, before anything is
written: measures, targets and comparators.

One XLSX with sheets ``Measures``, ``Targets`` and ``Comparators`` (any of them), or one CSV of
one kind, recognised by its header. Values may be the keys or the labels the product shows
("Bigger is Better", "% of the target", "Quarterly"). Every problem names the sheet, row and
column. No Django here: what is stored already is passed in.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation

from metrics import calculations as calc
from metrics.figure_files import FileRejected, Problem, _read_csv, column_letter, read_xlsx_sheets

SHEETS = ("Measures", "Targets", "Comparators", "Risks")
# The improvement plan's sheets, read by improvement_plan.plan_loading with the same rules.
PLAN_SHEETS = ("Plan", "Priorities", "Workstreams", "Actions", "Milestones", "Metrics")
# Optional SPC settings of a measure: whole numbers, and two yes/no rules.
SPC_NUMBERS = {"spc_min_points": 12, "spc_run_length": 7, "spc_trend_length": 7}
SPC_FLAGS = {"spc_screen_ranges": True, "spc_two_of_three_counts_beyond": False}
SPC_COLUMNS = [*SPC_NUMBERS, *SPC_FLAGS, "spc_baseline_points"]
# The Measures sheet's columns, in the order the downloaded library gives them.
MEASURE_COLUMNS = [
    "code",
    "name",
    "area",
    "section",
    "unit",
    "polarity",
    "frequency",
    "reporting_basis",
    "tolerance_kind",
    "tolerance",
    "precision",
    "definition",
    "owner",
    "source",
    "deadband_kind",
    "deadband",
    "judged",
    "active",
    *SPC_COLUMNS,
    "national_measure",
    "national_note",
]
MEASURES_REQUIRED = ["code", "name", "area", "unit", "polarity", "frequency"]
COLUMNS = {
    "Measures": {
        "required": MEASURES_REQUIRED,
        "optional": [c for c in MEASURE_COLUMNS if c not in MEASURES_REQUIRED],
    },
    "Targets": {
        "required": ["measure_code", "value", "effective_from"],
        "optional": ["effective_to", "kind", "source", "note"],
    },
    "Comparators": {
        "required": ["measure_code", "kind", "value"],
        "optional": ["as_at", "period_label", "source", "label"],
    },
    "Plan": {
        "required": ["title", "version"],
        "optional": ["heading", "aim", "vision", "overseen_by", "reports_to"],
    },
    "Priorities": {"required": ["number", "title"], "optional": []},
    "Workstreams": {
        "required": ["priority", "number", "title"],
        "optional": ["lead", "rationale", "objectives", "deliverables"],
    },
    "Actions": {
        "required": ["workstream", "reference", "text"],
        "optional": ["owners", "due_month", "order"],
    },
    "Milestones": {
        "required": ["workstream", "reference", "name"],
        "optional": ["month", "order"],
    },
    "Metrics": {
        "required": ["workstream", "reference", "name"],
        "optional": ["measure_code", "printed_values", "order"],
    },
    "Risks": {
        "required": ["reference", "title", "register"],
        "optional": [
            "description",
            "owner",
            "inherent_impact",
            "inherent_likelihood",
            "target_score",
            "measures",
            "new_this_quarter",
            "source",
        ],
    },
}
LENGTHS = {
    "code": 40,
    "name": 300,
    "area": 200,
    "section": 200,
    "owner": 200,
    "label": 200,
    "reference": 20,
    "register": 200,
    "national_note": 500,
}
CODE = re.compile(r"^[-a-zA-Z0-9_]+$")


@dataclass(frozen=True)
class LibraryProblem:
    sheet: str
    row: int | None
    column: str
    field: str
    message: str

    def as_dict(self):
        return asdict(self)


@dataclass
class Library:
    """What a clean file holds, as plain values, in the product's keys."""

    measures: list[dict] = field(default_factory=list)
    targets: list[dict] = field(default_factory=list)
    comparators: list[dict] = field(default_factory=list)
    risks: list[dict] = field(default_factory=list)
    plan: dict = field(default_factory=dict)  # sheet name -> rows


def read_library(name, data, max_bytes):
    """{sheet: DataFrame} from an XLSX's sheets or a CSV recognised by its header."""
    if len(data) > max_bytes:
        raise FileRejected([Problem(None, "", "file", "The file is too large.")])
    if not data.strip():
        raise FileRejected([Problem(None, "", "file", "The file is empty.")])
    if data[:4] == b"PK\x03\x04" or (name or "").lower().endswith(".xlsx"):
        frames = read_xlsx_sheets(data, SHEETS + PLAN_SHEETS)
        if not frames:
            raise FileRejected(
                [
                    Problem(
                        None,
                        "",
                        "file",
                        "The workbook has no sheet named Measures, Targets, "
                        "Comparators, Risks or those of a plan (Plan, Priorities, Workstreams, "
                        "Actions, Milestones, Metrics). Start from the template.",
                    )
                ]
            )
        return frames
    frame = _read_csv(data)
    headers = {_key(h) for h in frame.columns}
    for sheet in SHEETS:
        if set(COLUMNS[sheet]["required"]) <= headers and (
            sheet != "Comparators" or "effective_from" not in headers
        ):
            if sheet in ("Measures", "Risks") or "polarity" not in headers:
                return {sheet: frame}
    raise FileRejected(
        [
            Problem(
                1,
                "",
                "header",
                "The header is not that of measures (code, name, area, "
                "unit, polarity, frequency, …), targets (measure_code, value, effective_from, "
                "…) or comparators (measure_code, kind, value, …).",
            )
        ]
    )


def columns(sheet):
    """A sheet's columns in the order the downloaded library gives them."""
    if sheet == "Measures":
        return list(MEASURE_COLUMNS)
    return COLUMNS[sheet]["required"] + COLUMNS[sheet]["optional"]


def _key(header):
    return "_".join(str(header).strip().lower().replace("-", " ").split())


def choice(text, choices):
    """The key for a value given as a key or a label, any case; None when neither."""
    wanted = " ".join(str(text).strip().lower().split())
    for key, label in choices:
        if wanted in (str(key).lower(), str(label).lower()):
            return key
    return None


def _repeated(rows, sheet, field, within=None):
    """A problem for each row whose ``field`` (a measure's code, a risk's reference) is also
    on an earlier row of the sheet; with ``within``, only among the rows of the same parent (a
    milestone's reference within its workstream)."""
    first, problems = {}, []
    for row in rows:
        value = row[field]
        ident = (row.get(within, ""), value) if within else value
        if ident in first:
            problems.append(
                LibraryProblem(
                    sheet,
                    row["_row"],
                    row["_col"][field],
                    field,
                    f"The {field} {value} is also at row {first[ident]}.",
                )
            )
        first.setdefault(ident, row["_row"])
    return problems


def check_library(frames, *, choices, measures, today):
    """``(Library, problems)``. ``choices`` maps a field to its (key, label) pairs;
    ``measures`` maps each stored code to its frequency and unit."""
    problems = []
    library = Library()
    known = dict(measures)
    if "Measures" in frames:
        library.measures = _rows(frames["Measures"], "Measures", problems, _measure, choices)
        problems += _repeated(library.measures, "Measures", "code")
        for row in library.measures:
            known[row["code"]] = {"frequency": row["frequency"], "unit": row["unit"]}
    if "Targets" in frames:
        library.targets = _rows(frames["Targets"], "Targets", problems, _target, choices, known)
        problems += _overlaps(library.targets)
    if "Comparators" in frames:
        comparator_choices = {**choices, "kind": choices["comparator_kind"]}
        library.comparators = _rows(
            frames["Comparators"], "Comparators", problems, _comparator, comparator_choices, known
        )
    if "Risks" in frames:
        library.risks = _rows(frames["Risks"], "Risks", problems, _risk, choices, known)
        problems += _repeated(library.risks, "Risks", "reference")
    for sheet in PLAN_SHEETS:
        if sheet in frames:
            library.plan[sheet] = _rows(frames[sheet], sheet, problems, _plan_row(sheet), known)
    problems += _plan_links(library.plan)
    if (
        not (
            library.measures
            or library.targets
            or library.comparators
            or library.risks
            or any(library.plan.values())
        )
        and not problems
    ):
        problems.append(LibraryProblem("", None, "", "file", "The file has no rows in it."))
    order = SHEETS + PLAN_SHEETS
    problems.sort(key=lambda p: (order.index(p.sheet) if p.sheet in order else -1, p.row or 0))
    return library, problems


def _rows(frame, sheet, problems, read_row, choices, *extra):
    headers = [str(h) for h in frame.columns]
    keys = [_key(h) for h in headers]
    allowed = COLUMNS[sheet]["required"] + COLUMNS[sheet]["optional"]
    columns = {}
    for index, key in enumerate(keys):
        where = f"{column_letter(index)} ({headers[index]})"
        if key not in allowed:
            problems.append(
                LibraryProblem(
                    sheet,
                    1,
                    where,
                    "header",
                    f"Unknown column '{headers[index][:40]}'. The columns are: "
                    + ", ".join(allowed)
                    + ".",
                )
            )
        elif key in columns:
            problems.append(
                LibraryProblem(sheet, 1, where, "header", f"Column {key} appears twice.")
            )
        columns[key] = where
    missing = [c for c in COLUMNS[sheet]["required"] if c not in columns]
    if missing:
        problems.append(
            LibraryProblem(sheet, 1, "", "header", f"The {', '.join(missing)} column is missing.")
        )
    if missing or any(p.sheet == sheet and p.row == 1 for p in problems):
        return []
    rows = []
    for number, values in enumerate(frame.itertuples(index=False), start=2):
        cells = {key: str(v).strip() for key, v in zip(keys, values, strict=True)}
        if not any(cells.values()):
            continue
        found = []

        def problem(name, message, found=found, number=number):
            found.append(LibraryProblem(sheet, number, columns.get(name, ""), name, message))

        for name, limit in LENGTHS.items():
            if len(cells.get(name, "")) > limit:
                problem(name, f"The {name} is {len(cells[name])} characters; at most {limit}.")
        row = read_row(cells, problem, choices, *extra)
        problems += found
        if not found and row is not None:
            rows.append({**row, "_row": number, "_col": columns})
    return rows


def _decimal(text, problem, name, required=True):
    if not text:
        if required:
            problem(name, f"The {name} is empty.")
        return None
    try:
        number = Decimal(text.rstrip("%").replace(",", ""))
    except InvalidOperation:
        problem(name, f"'{text[:40]}' is not a number.")
        return None
    if not number.is_finite() or abs(number) > Decimal("9999999999"):
        problem(name, f"'{text[:40]}' is not a number the product can keep.")
        return None
    return number


def _pick(cells, name, problem, choices, default=None):
    text = cells.get(name, "")
    if not text:
        if default is None:
            problem(name, f"The {name.replace('_', ' ')} is empty.")
        return default
    key = choice(text, choices[name])
    if key is None:
        labels = "; ".join(str(label) for _, label in choices[name])
        problem(name, f"Unknown {name.replace('_', ' ')} '{text[:40]}'. Use one of: {labels}.")
    return key


def _flag(cells, name, problem, default):
    text = cells.get(name, "").lower()
    if not text:
        return default
    if text in ("yes", "true", "y", "1"):
        return True
    if text in ("no", "false", "n", "0"):
        return False
    problem(name, f"'{text[:20]}' is not yes or no.")
    return default


def _measure(cells, problem, choices):
    code = cells.get("code", "")
    if not code:
        problem("code", "The code is empty.")
    elif not CODE.match(code):
        problem("code", f"'{code[:40]}' is not a code: use letters, digits, - and _ only.")
    if not cells.get("name"):
        problem("name", "The name is empty.")
    if not cells.get("area"):
        problem("area", "The area is empty.")
    row = {
        "code": code,
        "name": cells.get("name", ""),
        "area": cells.get("area", ""),
        "section": cells.get("section", ""),
        "unit": _pick(cells, "unit", problem, choices),
        "polarity": _pick(cells, "polarity", problem, choices),
        "frequency": _pick(cells, "frequency", problem, choices),
        "reporting_basis": _pick(cells, "reporting_basis", problem, choices, default=""),
        "tolerance_kind": _pick(cells, "tolerance_kind", problem, choices, default=calc.RELATIVE),
        "deadband_kind": _pick(cells, "deadband_kind", problem, choices, default=calc.RELATIVE),
        "definition": cells.get("definition", ""),
        "owner": cells.get("owner", ""),
        "source": cells.get("source", ""),
        "judged": _flag(cells, "judged", problem, True),
        "active": _flag(cells, "active", problem, True),
    }
    for name, default in (
        ("tolerance", calc.DEFAULT_TOLERANCE_PERCENT),
        ("deadband", calc.DEFAULT_DEADBAND_PERCENT),
    ):
        value = _decimal(cells.get(name, ""), problem, name, required=False)
        row[name] = Decimal(str(default)) if value is None else value
        if value is not None and value < 0:
            problem(name, f"The {name} cannot be negative.")
    for name, default in SPC_NUMBERS.items():
        text = cells.get(name, "")
        row[name] = int(text) if text.isdigit() and 2 <= int(text) <= 100 else default
        if text and row[name] == default and text != str(default):
            problem(name, f"'{text[:10]}' is not a whole number from 2 to 100.")
    for name, default in SPC_FLAGS.items():
        row[name] = _flag(cells, name, problem, default)
    text = cells.get("spc_baseline_points", "")
    row["spc_baseline_points"] = int(text) if text.isdigit() and int(text) >= 12 else None
    if text and row["spc_baseline_points"] is None:
        problem("spc_baseline_points", f"'{text[:10]}' is not a number of points, 12 or more.")
    # The link to the DfE's measure changes only when its column is in the file, so that an
    # older library without it never unlinks a measure.
    if "national_measure" in cells:
        row["national_measure"] = _pick(cells, "national_measure", problem, choices, default="")
    if "national_note" in cells:
        row["national_note"] = cells["national_note"]
    precision = cells.get("precision", "")
    row["precision"] = 1
    if precision:
        if precision.isdigit() and int(precision) <= 4:
            row["precision"] = int(precision)
        else:
            problem("precision", f"'{precision[:10]}' is not a number of decimal places (0 to 4).")
    return row


def _period(text, frequency, problem, name):
    """A target's month, moved to the end of the period it falls in for a quarterly or annual
    measure: a quarterly target "from April 2022" applies from the quarter ending June."""
    try:
        period = calc.parse_period(text)
    except ValueError as error:
        problem(name, str(error))
        return None
    end = period.end
    if frequency == calc.QUARTER:
        while end.month not in (3, 6, 9, 12):
            end = calc.add_months(end, 1)
    elif frequency == calc.YEAR:
        while end.month != 3:
            end = calc.add_months(end, 1)
    if period.kind not in (calc.MONTH, frequency):
        reported = {calc.MONTH: "monthly", calc.QUARTER: "quarterly", calc.YEAR: "yearly"}
        problem(
            name,
            f"'{text}' is a {'quarter' if period.kind == calc.QUARTER else 'year'}, but the "
            f"measure is reported {reported[frequency]}: give a month or a "
            f"{'quarter' if frequency == calc.QUARTER else 'period'} it reports.",
        )
        return None
    return end


def _known_measure(cells, problem, known):
    """The row's measure code and what is known of it (from the file or stored), or a problem."""
    code = cells.get("measure_code", "")
    if code not in known:
        problem("measure_code", f"Unknown measure code '{code[:40]}'.")
    return code, known.get(code)


def _target(cells, problem, choices, known):
    code, measure = _known_measure(cells, problem, known)
    if measure is None:
        return None
    value = _decimal(cells.get("value", ""), problem, "value")
    if value is not None and measure["unit"] == "percent" and not 0 <= value <= 100:
        problem("value", f"A percentage target must be between 0 and 100; got {value}.")
    start = _period(
        cells.get("effective_from", ""), measure["frequency"], problem, "effective_from"
    )
    end = None
    if cells.get("effective_to"):
        end = _period(cells["effective_to"], measure["frequency"], problem, "effective_to")
        if start and end and end < start:
            problem("effective_to", "The target ends before it starts.")
    return {
        "measure_code": code,
        "value": value,
        "effective_from": start,
        "effective_to": end,
        "kind": _pick(cells, "kind", problem, choices, default="standard"),
        "source": cells.get("source", ""),
        "note": cells.get("note", ""),
        "frequency": measure["frequency"],
    }


def _comparator(cells, problem, choices, known):
    code, measure = _known_measure(cells, problem, known)
    if measure is None:
        return None
    text = cells.get("value", "")
    availability = choice(text, choices["availability"]) if text and not text[0].isdigit() else None
    value = None
    if availability in (None, "value"):
        availability = "value"
        value = _decimal(text, problem, "value")
        if value is not None and measure["unit"] == "percent" and not 0 <= value <= 100:
            problem("value", f"A percentage must be between 0 and 100; got {value}.")
    as_at = None
    if cells.get("as_at"):
        try:
            as_at = calc.parse_period(cells["as_at"]).end
        except ValueError as error:
            problem("as_at", str(error))
    return {
        "measure_code": code,
        "kind": _pick(cells, "kind", problem, choices),
        "availability": availability,
        "value": value,
        "as_at": as_at,
        "period_label": cells.get("period_label", "")[:40],
        "label": cells.get("label", ""),
        "source": cells.get("source", ""),
    }


def _risk(cells, problem, choices, known):
    for name in ("reference", "title", "register"):
        if not cells.get(name):
            problem(name, f"The {name} is empty.")
    scores = {}
    for name in ("inherent_impact", "inherent_likelihood"):
        text = cells.get(name, "")
        scores[name] = None
        if text:
            if text.isdigit() and 1 <= int(text) <= 5:
                scores[name] = int(text)
            else:
                problem(name, f"'{text[:10]}' is not from 1 to 5.")
    if (scores["inherent_impact"] is None) != (scores["inherent_likelihood"] is None):
        problem("inherent_likelihood", "Give both impact and likelihood, or neither.")
    target = None
    if cells.get("target_score"):
        text = cells["target_score"]
        if text.isdigit() and 1 <= int(text) <= 25:
            target = int(text)
        else:
            problem("target_score", f"'{text[:10]}' is not a score from 1 to 25.")
    codes = [c.strip() for c in re.split(r"[,;\s]+", cells.get("measures", "")) if c.strip()]
    for code in codes:
        if code not in known:
            problem("measures", f"Unknown measure code '{code[:40]}'.")
    return {
        "reference": cells.get("reference", ""),
        "title": cells.get("title", ""),
        "description": cells.get("description", ""),
        "owner": cells.get("owner", ""),
        "register": cells.get("register", ""),
        **scores,
        "target_score": target,
        "measures": codes,
        "new_this_quarter": _flag(cells, "new_this_quarter", problem, False),
        "source": cells.get("source", ""),
    }


def _lines(text):
    """Points written one a line, or separated by " | " in a single cell."""
    return [p.strip() for p in re.split(r"\n| \| ", text or "") if p.strip()]


def _plan_row(sheet):
    def read(cells, problem, known):
        for name in COLUMNS[sheet]["required"]:
            if not cells.get(name):
                problem(name, f"The {name.replace('_', ' ')} is empty.")
        row = {
            name: cells.get(name, "")
            for name in COLUMNS[sheet]["required"] + COLUMNS[sheet]["optional"]
        }
        if sheet == "Priorities" and row["number"] and not row["number"].isdigit():
            problem("number", f"'{row['number'][:10]}' is not a whole number.")
        for name in ("order",):
            if row.get(name) and not row[name].isdigit():
                problem(name, f"'{row[name][:10]}' is not a whole number.")
        for name in ("due_month", "month"):
            if row.get(name):
                try:
                    row[name] = calc.parse_period(row[name]).end
                except ValueError as error:
                    problem(name, str(error))
            elif name in row:
                row[name] = None
        if sheet == "Metrics":
            if row["measure_code"] and row["measure_code"] not in known:
                problem("measure_code", f"Unknown measure code '{row['measure_code'][:40]}'.")
            if not row["measure_code"] and not row["printed_values"]:
                problem("measure_code", "Give the measure's code, or the figures as printed.")
        for name in ("rationale", "objectives", "deliverables"):
            if name in row:
                row[name] = _lines(row[name])
        if "owners" in row:
            row["owners"] = [o.strip() for o in row["owners"].split(";") if o.strip()]
        return row

    return read


def _plan_links(plan):
    """Each workstream's priority, and each action's, milestone's and metric's workstream,
    must be in the file; numbers and references must not repeat."""
    problems = []
    if len(plan.get("Plan", [])) > 1:
        row = plan["Plan"][1]
        problems.append(LibraryProblem("Plan", row["_row"], "", "plan", "Give one plan: one row."))
    priorities = {r["number"] for r in plan.get("Priorities", [])}
    workstreams = {r["number"] for r in plan.get("Workstreams", [])}
    for sheet, key, parent, parents in (
        ("Priorities", "number", None, None),
        ("Workstreams", "number", "priority", priorities),
        ("Actions", "reference", "workstream", workstreams),
        ("Milestones", "reference", "workstream", workstreams),
        ("Metrics", "reference", "workstream", workstreams),
    ):
        within = parent if sheet in ("Milestones", "Metrics") else None
        problems += _repeated(plan.get(sheet, []), sheet, key, within)
        for row in plan.get(sheet, []):
            if parent and row[parent] not in parents:
                problems.append(
                    LibraryProblem(
                        sheet,
                        row["_row"],
                        row["_col"][parent],
                        parent,
                        f"There is no {parent} {row[parent]} in the file.",
                    )
                )
    if any(plan.get(s) for s in PLAN_SHEETS[1:]) and not plan.get("Plan"):
        problems.append(
            LibraryProblem(
                "Plan",
                None,
                "",
                "plan",
                "The Plan sheet is missing: give the plan's title and version.",
            )
        )
    return problems


def _overlaps(targets):
    """Targets of one measure in the file that cover the same months."""
    problems = []
    by_measure = {}
    for target in targets:
        by_measure.setdefault(target["measure_code"], []).append(target)
    for code, rows in by_measure.items():
        rows.sort(key=lambda t: t["effective_from"])
        for earlier, later in zip(rows, rows[1:], strict=False):
            if earlier["effective_from"] == later["effective_from"] or (
                earlier["effective_to"] and earlier["effective_to"] >= later["effective_from"]
            ):
                problems.append(
                    LibraryProblem(
                        "Targets",
                        later["_row"],
                        later["_col"]["effective_from"],
                        "effective_from",
                        f"This target of {code} overlaps the one at row {earlier['_row']}.",
                    )
                )
    return problems


def end_open_targets(targets):
    """A target with no end runs until the next target of the same measure starts: the end
    month is set to the period before it (one month, quarter or year earlier). Returns the
    targets whose end was set, for the preview to say so."""
    ended = []
    by_measure = {}
    for target in targets:
        by_measure.setdefault(target["measure_code"], []).append(target)
    for rows in by_measure.values():
        rows.sort(key=lambda t: t["effective_from"])
        for earlier, later in zip(rows, rows[1:], strict=False):
            if earlier["effective_to"] is None:
                step = calc.MONTHS_IN[earlier["frequency"]]
                earlier["effective_to"] = calc.add_months(later["effective_from"], -step)
                ended.append(earlier)
    return ended
