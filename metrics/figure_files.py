"""Reading and checking a file of figures, before anything is written.

A file is CSV (UTF-8 with or without BOM, or Windows-1252) or XLSX, in one of two layouts:

- *long*: one row per figure, columns ``measure_code, period, area, value, numerator,
  denominator, note`` (``area`` empty for the whole authority);
- *wide*: one row per measure as in the council's scorecard, ``measure_code`` then one column
  per period (``Jun22``, ``2022-06``, ``2022/23 Q1``); an optional ``measure_name`` and ``area``.

``check`` returns the clean figures and every problem found, each with the row and column it is
in and what to do about it. No Django here: the measures are passed in as a catalogue.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd

from metrics import calculations as calc

LONG_COLUMNS = ["measure_code", "period", "area", "value", "numerator", "denominator", "note"]
REQUIRED_LONG = ["measure_code", "period", "value"]
# Read-only columns the template gives beside each row to check against; ignored when read.
INFO_COLUMNS = ["measure_name", "unit", "last_value", "last_period", "target", "due_by"]
WIDE_FIXED = ["measure_code", "measure_name", "area"]
ALIASES = {
    "code": "measure_code",
    "measure": "measure_code",
    "measure code": "measure_code",
    "breakdown": "area",
    "locality": "area",
    "name": "measure_name",
    "measure name": "measure_name",
    "comment": "note",
    "notes": "note",
}
MAX_VALUE = Decimal("9999999999")  # the database keeps 14 digits, 4 after the point
MAX_AREA = 120  # Observation.breakdown
MAX_NOTE = 2000
MAX_COLUMNS = 1000  # far more than any real layout: 80 years of monthly columns
MAX_ROWS = 2_000_000
MAX_CELLS = 30_000_000
XLSX_MAX_UNCOMPRESSED = 400 * 1024 * 1024
XLSX_MAX_RATIO = 200
_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?$")


@dataclass(frozen=True)
class Problem:
    row: int | None  # the row as a spreadsheet numbers it: the header is row 1
    column: str  # "B (period)", or "" for the whole file
    field: str
    message: str

    def as_dict(self):
        return asdict(self)


@dataclass(frozen=True)
class MeasureInfo:
    id: int
    code: str
    frequency: str
    unit: str
    active: bool = True
    qa_role: str = ""  # its part in the quality-assurance report, if any
    area_id: int = 0
    name: str = ""


class FileRejected(Exception):
    """The file cannot be read at all: the problems say why."""

    def __init__(self, problems):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


def _file_problem(message):
    return FileRejected([Problem(None, "", "file", message)])


def column_letter(index):
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


# Reading --------------------------------------------------------------------------------------


def read_table(name, data, max_bytes):
    """The file as a DataFrame of strings with its header, or FileRejected."""
    if len(data) > max_bytes:
        raise _file_problem(
            f"The file is {len(data) / 1048576:.1f} MB; the largest accepted is "
            f"{max_bytes / 1048576:.0f} MB. Split it into smaller files."
        )
    if not data.strip():
        raise _file_problem("The file is empty.")
    lower = (name or "").lower()
    if data[:4] == b"PK\x03\x04" or lower.endswith((".xlsx", ".xlsm")):
        return _read_xlsx(data)
    if (
        lower.endswith((".xls", ".ods", ".numbers"))
        or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    ):
        raise _file_problem(
            "Save the file as .xlsx or .csv: other spreadsheet formats are not read."
        )
    return _read_csv(data)


def _decode(data):
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise _file_problem(
            "The file is not text in UTF-8 or Windows-1252. Save it as CSV (UTF-8) or XLSX."
        ) from None


def _read_csv(data):
    text = _decode(data)
    if "\x00" in text:
        raise _file_problem("The file is not a CSV file (it contains binary data).")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            sep=delimiter,
            skipinitialspace=True,
            engine="c",
        )
    except pd.errors.EmptyDataError:
        raise _file_problem("The file is empty.") from None
    except (pd.errors.ParserError, ValueError) as error:
        raise _file_problem(f"The file could not be read as CSV: {error}".strip()) from None
    return frame


def _read_xlsx(data):
    books = _open_xlsx(data)
    names = books[1].sheetnames
    try:
        return _sheet_table(books, "Figures" if "Figures" in names else names[0])
    finally:
        for book in books:
            book.close()


def read_xlsx_sheets(data, wanted):
    """{sheet name: DataFrame of strings} for the ``wanted`` sheets a workbook has, read with
    the same safety checks as a file of figures."""
    books = _open_xlsx(data)
    present = {name.strip().lower(): name for name in books[1].sheetnames}
    try:
        return {
            name: _sheet_table(books, present[name.lower()])
            for name in wanted
            if name.lower() in present
        }
    finally:
        for book in books:
            book.close()


def _open_xlsx(data):
    from openpyxl import load_workbook

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        raise _file_problem("The file is not a valid XLSX workbook.") from None
    names = {entry.filename for entry in entries}
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise _file_problem("The workbook contains macros. Save it as a plain .xlsx workbook.")
    if any(n.startswith("xl/externalLinks/") for n in names):
        raise _file_problem(
            "The workbook links to other files. Paste the values in and remove the links."
        )
    unpacked = sum(entry.file_size for entry in entries)
    if unpacked > XLSX_MAX_UNCOMPRESSED or unpacked > XLSX_MAX_RATIO * max(len(data), 1):
        raise _file_problem(
            "The workbook unpacks to far more than its size; it is refused as unsafe."
        )
    try:
        formulas = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        values = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a damaged file
        raise _file_problem("The workbook could not be opened. Save it again as .xlsx.") from None
    return formulas, values


def _sheet_table(books, sheet_name):
    formulas, values = books
    rows = []
    problems = []
    for (number, formula_cells), (_, value_cells) in zip(
        _sparse_rows(formulas[sheet_name]), _sparse_rows(values[sheet_name]), strict=False
    ):
        if number > MAX_ROWS + 1:
            raise _file_problem(
                f"The sheet has more than {MAX_ROWS:,} rows of figures. Split it into smaller "
                "files."
            )
        while len(rows) < number - 1:
            rows.append([])  # a row the sheet leaves out is an empty row
        cells = []
        for formula_cell, value_cell in zip(formula_cells, value_cells, strict=False):
            column, value = value_cell["column"], value_cell["value"]
            if column > MAX_COLUMNS:
                if value is None:
                    continue
                raise _file_problem(
                    f"Cell {column_letter(column - 1)}{number} is beyond column "
                    f"{column_letter(MAX_COLUMNS - 1)}: a sheet of figures has at most "
                    f"{MAX_COLUMNS:,} columns."
                )
            if formula_cell["data_type"] == "f" and value is None:
                problems.append(
                    Problem(
                        number,
                        column_letter(column - 1),
                        "cell",
                        "This cell holds a formula with no saved result. Type the value in, or "
                        "open and save the workbook in Excel so that the result is kept.",
                    )
                )
            cells.extend([""] * (column - 1 - len(cells)))
            cells.append(_cell_text(value))
        rows.append(cells)
    if problems:
        raise FileRejected(problems)
    while rows and not any(rows[-1]):
        rows.pop()
    if not rows:
        raise _file_problem("The file is empty.")
    width = max(len(r) for r in rows)
    if width * len(rows) > MAX_CELLS:
        raise _file_problem(
            f"The sheet spans {len(rows):,} rows and {width:,} columns, more than the "
            f"{MAX_CELLS:,} cells a file of figures may hold. Split it into smaller files."
        )
    rows = [r + [""] * (width - len(r)) for r in rows]
    header = rows[0]
    while header and header[-1] == "" and all(r[len(header) - 1] == "" for r in rows):
        header = header[:-1]
    width = len(header)
    return pd.DataFrame([r[:width] for r in rows[1:]], columns=header, dtype=str)


def _sparse_rows(sheet):
    """``(row number, cells)`` for the rows a read-only sheet holds, each cell a dict with its
    ``column``, ``value`` and ``data_type``.

    openpyxl's own iteration pads every row to the sheet's declared dimension, and a sheet may
    declare any size (``A1:XFD1048576`` takes a 1.7 KB file to 17 billion cells), so the cells
    are read as the file stores them: work and memory follow what is in the file."""
    from openpyxl.worksheet._reader import WorkSheetParser

    book = sheet.parent
    with sheet._get_source() as source:
        parser = WorkSheetParser(
            source,
            sheet._shared_strings,
            data_only=book.data_only,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        yield from parser.parse()


def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return repr(value)
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m")
    return str(value).strip()


# Checking -------------------------------------------------------------------------------------


def _canonical(header):
    key = " ".join(str(header).strip().lower().replace("_", " ").split())
    key = ALIASES.get(key, key)
    return key.replace(" ", "_")


def _looks_like_period(header):
    try:
        calc.parse_period(header)
        return True
    except ValueError:
        return False


def check(frame, catalogue, today):
    """Clean figures and problems. ``catalogue`` maps measure code to MeasureInfo; ``today``
    is the day no figure may be later than (the caller's, so this stays pure).

    Returns ``(figures, problems, layout)``: ``figures`` is a DataFrame with columns
    measure_id, period_kind, period_end, breakdown, value, numerator, denominator, note, row
    (Decimals for the numbers), holding only rows with no problem.
    """
    problems = []
    headers = [str(h) for h in frame.columns]
    canonical = [_canonical(h) for h in headers]
    where = {name: i for i, name in enumerate(canonical)}

    def col(name):
        index = where[name]
        return f"{column_letter(index)} ({headers[index]})"

    if len(set(canonical)) != len(canonical):
        repeated = sorted({c for c in canonical if canonical.count(c) > 1})
        return None, [Problem(1, "", "header", f"Column {', '.join(repeated)} appears twice.")], ""
    if "measure_code" not in where:
        return (
            None,
            [
                Problem(
                    1,
                    "",
                    "header",
                    "There is no measure_code column. The first row must name the columns: "
                    + ", ".join(LONG_COLUMNS)
                    + " (or measure_code then one column per period).",
                )
            ],
            "",
        )
    if "period" in where or "value" in where:
        layout = "long"
        for i, name in enumerate(canonical):
            if name not in LONG_COLUMNS and name not in INFO_COLUMNS:
                problems.append(
                    Problem(
                        1,
                        f"{column_letter(i)} ({headers[i]})",
                        "header",
                        f"Unknown column '{headers[i]}'. "
                        f"The columns are: {', '.join(LONG_COLUMNS)}.",
                    )
                )
        for name in REQUIRED_LONG:
            if name not in where:
                problems.append(Problem(1, "", "header", f"The {name} column is missing."))
        if problems:
            return None, problems, layout
        long = pd.DataFrame(
            {name: (frame.iloc[:, where[name]] if name in where else "") for name in LONG_COLUMNS}
        )
        long["row"] = np.arange(2, len(frame) + 2)
        long["_col_period"] = col("period")
        long["_col_value"] = col("value")
        long["_col_code"] = col("measure_code")
        long["_col_numerator"] = col("numerator") if "numerator" in where else ""
        long["_col_denominator"] = col("denominator") if "denominator" in where else ""
        long["_col_area"] = col("area") if "area" in where else ""
        long["_col_note"] = col("note") if "note" in where else ""
    else:
        layout = "wide"
        period_columns = []
        for i, name in enumerate(canonical):
            if name in WIDE_FIXED:
                continue
            if _looks_like_period(headers[i]):
                period_columns.append(i)
            else:
                problems.append(
                    Problem(
                        1,
                        f"{column_letter(i)} ({headers[i]})",
                        "header",
                        f"Unknown column '{headers[i]}': in a wide file every column after "
                        "measure_code, measure_name and area is a period such as Jun22, 2022-06 "
                        "or 2022/23 Q1.",
                    )
                )
        if not period_columns and not problems:
            problems.append(Problem(1, "", "header", "There are no period columns."))
        if problems:
            return None, problems, layout
        parts = []
        for i in period_columns:
            part = pd.DataFrame(
                {
                    "measure_code": frame.iloc[:, where["measure_code"]],
                    "period": headers[i],
                    "area": frame.iloc[:, where["area"]] if "area" in where else "",
                    "value": frame.iloc[:, i],
                    "numerator": "",
                    "denominator": "",
                    "note": "",
                    "row": np.arange(2, len(frame) + 2),
                    "_col_period": f"{column_letter(i)} ({headers[i]})",
                    "_col_value": f"{column_letter(i)} ({headers[i]})",
                    "_col_code": col("measure_code"),
                    "_col_numerator": "",
                    "_col_denominator": "",
                    "_col_area": col("area") if "area" in where else "",
                    "_col_note": "",
                }
            )
            parts.append(part[part["value"].str.strip() != ""])
        long = pd.concat(parts, ignore_index=True)
    if long.empty:
        return None, [Problem(None, "", "file", "The file has no figures in it.")], layout
    figures, row_problems = _check_rows(long, catalogue, today)
    return figures, problems + _naming_the_measure(row_problems, long, catalogue), layout


def _naming_the_measure(problems, long, catalogue):
    """Each row's problem also says which measure the row is for, so that it can be found
    without the file open ("… This row is CSC05, % Initial visits in time.")."""
    if not problems:
        return problems
    rows = long[long["row"].isin({problem.row for problem in problems})]
    codes = dict(
        zip(rows["row"].tolist(), rows["measure_code"].astype(str).str.strip(), strict=True)
    )
    named = []
    for problem in problems:
        info = catalogue.get(codes.get(problem.row, ""))
        if info is not None and info.name and problem.field != "measure_code":
            problem = Problem(
                problem.row,
                problem.column,
                problem.field,
                f"{problem.message} This row is {info.code}, {info.name}.",
            )
        named.append(problem)
    return named


def _problems(mask, frame, column_key, field, message):
    """A Problem for each row where ``mask`` is true. ``message`` is a text, a Series of texts,
    or a function given the rows with the problem that returns one text for each (so that a
    message quoting the row is made only for rows that have the problem, not for a million
    that do not)."""
    if not mask.any():
        return []
    chosen = frame[mask]
    if callable(message):
        texts = list(message(chosen))
    elif isinstance(message, pd.Series):
        texts = message[chosen.index].tolist()
    else:
        texts = [message] * len(chosen)
    return [
        Problem(int(row), column, field, text)
        for row, column, text in zip(chosen["row"], chosen[column_key], texts, strict=True)
    ]


def _stripped(series):
    """The column as texts without surrounding spaces ("" for an empty cell), each distinct
    text stripped once: a file's codes, periods and areas repeat in every row."""
    codes, texts = pd.factorize(series.to_numpy(dtype=object), use_na_sentinel=True)
    stripped = np.asarray([*(str(text).strip() for text in texts.tolist()), ""], dtype=object)
    return pd.Series(stripped[codes], index=series.index, dtype=str)


def _numbers(series):
    """Read a column of numbers exactly: (Decimal or None, the same as a float or NaN, ok,
    empty) per row.

    Each distinct text is read once (a column of figures repeats itself: 68.9 stands in many
    rows, and an unused column is one empty text), with one regular-expression match and one
    Decimal, which keeps every figure exact to its last decimal place; the answers are then
    spread to the rows.
    """
    codes, texts = pd.factorize(series.to_numpy(dtype=object), use_na_sentinel=True)
    values, floats, ok, empty = [], [], [], []
    match = _NUMBER.match
    for text in [*texts.tolist(), None]:  # the last stands for a missing cell (code -1)
        text = "" if text is None else str(text).strip()
        if text.endswith("%"):
            text = text[:-1].rstrip()
        number = None
        if text and match(text) and text != ".":
            number = Decimal(text.replace(",", "")) if "," in text else Decimal(text)
            if abs(number) > MAX_VALUE or number.as_tuple().exponent < -4:
                number = None
        values.append(number)
        floats.append(np.nan if number is None else float(number))
        ok.append(number is not None)
        empty.append(not text)
    index = series.index
    return (
        pd.Series(np.asarray(values, dtype=object)[codes], index=index, dtype=object),
        pd.Series(np.asarray(floats, dtype=float)[codes], index=index),
        pd.Series(np.asarray(ok, dtype=bool)[codes], index=index),
        pd.Series(np.asarray(empty, dtype=bool)[codes], index=index),
    )


def _check_rows(long, catalogue, today):
    problems = []
    long = long.copy()
    for name in ("measure_code", "period", "area", "note"):
        long[name] = _stripped(long[name])
    codes = long["measure_code"]
    known = codes.isin(list(catalogue))
    problems += _problems(
        codes == "", long, "_col_code", "measure_code", "The measure code is empty."
    )
    unknown = (codes != "") & ~known
    problems += _problems(
        unknown,
        long,
        "_col_code",
        "measure_code",
        lambda rows: (
            "Unknown measure code '"
            + rows["measure_code"].str.slice(0, 60)
            + "'. Download the template for the list of measure codes."
        ),
    )
    bad = ~known
    for name, limit in (("area", MAX_AREA), ("note", MAX_NOTE)):
        lengths = long[name].str.len()
        too_long = lengths > limit
        problems += _problems(
            too_long,
            long,
            f"_col_{name}",
            name,
            lambda rows, name=name, limit=limit: (
                f"The {name} is "
                + rows[name].str.len().astype(str)
                + f" characters long; at most {limit} are kept."
            ),
        )
        bad |= too_long

    # Periods: read each distinct (text, frequency) once, then spread the answers to the rows.
    frequency = codes.map({c: m.frequency for c, m in catalogue.items()})
    pairs = pd.DataFrame({"period": long["period"], "frequency": frequency})
    distinct = pairs[known].drop_duplicates()
    answers = pd.DataFrame(
        [read_period(text, freq, today) for text, freq in distinct.itertuples(index=False)],
        columns=["kind", "end", "problem"],
        index=pd.MultiIndex.from_frame(distinct),
        dtype=object,
    )
    spread = answers.reindex(pd.MultiIndex.from_frame(pairs.fillna("")))
    period_kind = pd.Series(spread["kind"].to_numpy(), index=long.index).fillna("")
    period_end = pd.Series(spread["end"].to_numpy(), index=long.index, dtype=object)
    period_problem = pd.Series(spread["problem"].to_numpy(), index=long.index).fillna("")
    has_period_problem = known & (period_problem != "")
    problems += _problems(
        has_period_problem,
        long,
        "_col_period",
        "period",
        lambda rows: period_problem[rows.index],
    )
    bad |= has_period_problem

    values, value_float, value_ok, value_empty = _numbers(long["value"])
    problems += _problems(
        value_empty,
        long,
        "_col_value",
        "value",
        "The value is empty. Leave the row out if there is no figure.",
    )
    not_number = ~value_ok & ~value_empty
    problems += _problems(
        not_number,
        long,
        "_col_value",
        "value",
        lambda rows: (
            "'"
            + rows["value"].astype(str).str.slice(0, 40)
            + "' is not a number (use digits, an optional decimal point and at most 4 decimal "
            "places)."
        ),
    )
    bad |= ~value_ok
    numerators, num, numerator_ok, numerator_empty = _numbers(long["numerator"])
    denominators, den, denominator_ok, denominator_empty = _numbers(long["denominator"])
    for name, ok, empty in (
        ("numerator", numerator_ok, numerator_empty),
        ("denominator", denominator_ok, denominator_empty),
    ):
        wrong = ~ok & ~empty
        problems += _problems(
            wrong,
            long,
            f"_col_{name}",
            name,
            lambda rows, name=name: (
                "'" + rows[name].astype(str).str.slice(0, 40) + "' is not a number."
            ),
        )
        bad |= wrong

    unit = codes.map({c: m.unit for c, m in catalogue.items()})
    is_percent = unit == "percent"
    outside = is_percent & value_ok & ((value_float < 0) | (value_float > 100))
    problems += _problems(
        outside, long, "_col_value", "value", "A percentage must be between 0 and 100."
    )
    bad |= outside

    both = numerator_ok & denominator_ok
    above = both & is_percent & (den != 0) & (num > den)
    problems += _problems(
        above, long, "_col_numerator", "numerator", "The numerator is larger than the denominator."
    )
    zero = both & (den == 0)
    problems += _problems(zero, long, "_col_denominator", "denominator", "The denominator is zero.")
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = np.where(is_percent, 100.0 * num / den, num / den)
    # Within half of the value's last decimal place (only rows with both are looked at).
    checked = both & value_ok & ~above & ~zero
    allowed = pd.Series(np.inf, index=long.index)
    if checked.any():
        written = long["value"][checked].astype(str).str.rstrip("%")
        decimals = written.str.partition(".")[2].str.len()
        allowed[checked] = 0.5 * 10.0 ** (-decimals.astype(float)) + 1e-9
    mismatch = checked & (np.abs(value_float - expected) > allowed)
    expected = pd.Series(expected, index=long.index)
    problems += _problems(
        mismatch,
        long,
        "_col_value",
        "value",
        lambda rows: (
            "The value is not the numerator divided by the denominator (that gives "
            + expected[rows.index].round(4).astype(str)
            + np.where(is_percent[rows.index], "%", "")
            + ")."
        ),
    )
    bad |= above | zero | mismatch

    key = pd.DataFrame(
        {"code": codes, "kind": period_kind, "end": period_end.astype(str), "area": long["area"]}
    )
    duplicated = ~bad & key.duplicated(keep=False) & known & ~has_period_problem
    if duplicated.any():
        first_row = (
            long.loc[duplicated]
            .groupby([key["code"], key["kind"], key["end"], key["area"]])["row"]
            .transform("min")
        )
        message = pd.Series("", index=long.index, dtype=object)
        message[duplicated] = (
            "This figure is in the file twice (first at row " + first_row.astype(str) + ")."
        )
        problems += _problems(
            duplicated & (long["row"] != first_row.reindex(long.index)),
            long,
            "_col_value",
            "value",
            message,
        )
        bad |= duplicated
    shares = _shares_over_100(long, ~bad, catalogue, codes, period_end, values)
    for row_index, message in shares:
        problems.append(
            Problem(
                int(long.at[row_index, "row"]), long.at[row_index, "_col_value"], "value", message
            )
        )
        bad[row_index] = True
    problems.sort(key=lambda p: (p.row or 0, p.column))
    clean = long[~bad]
    figures = pd.DataFrame(
        {
            "measure_id": clean["measure_code"].map({c: m.id for c, m in catalogue.items()}),
            "period_kind": period_kind[~bad],
            "period_end": period_end[~bad],
            "breakdown": clean["area"],
            "value": values[~bad],
            "numerator": numerators[~bad],
            "denominator": denominators[~bad],
            "note": clean["note"],
            "row": clean["row"],
        }
    )
    return figures, problems


# Shares of one whole: a file may not make them add to more than 100% (with a point for rounding).
SHARES_OF_ONE_WHOLE = {
    "grades": ({"good": "Good or better", "ri": "Requires improvement",
                "inadequate": "Inadequate"}),
    "moderation": {"moderated_up": "graded up", "moderated_down": "graded down"},
}  # fmt: skip
ROUNDING = 1


def _shares_over_100(long, ok, catalogue, codes, period_end, values):
    """(row index, message) for the audit-grade shares (or moderation shares) of one area,
    period and breakdown that together come to more than 100% in the file."""
    found = []
    for parts in SHARES_OF_ONE_WHOLE.values():
        roles = {c: m for c, m in catalogue.items() if m.qa_role in parts}
        if not roles:
            continue
        rows = ok & codes.isin(list(roles)) & values.notna()
        if not rows.any():
            continue
        groups = {}
        for index in long.index[rows]:
            info = roles[codes[index]]
            key = (info.area_id, period_end[index], long.at[index, "area"])
            groups.setdefault(key, []).append((index, info.qa_role, values[index]))
        for (_, end, breakdown), members in groups.items():
            total = sum(value for _, _, value in members)
            if total <= 100 + ROUNDING:
                continue
            told = ", ".join(f"{parts[role]} {value:g}%" for _, role, value in members)
            whom = f"for {breakdown}" if breakdown else "for the whole authority"
            message = (
                f"These shares {whom} in {end:%b %Y} add up to {total:g}% ({told}): "
                "more than 100%. Check each figure is a percentage of the same audits."
            )
            found += [(index, message) for index, _, _ in members]
    return found


KIND_NAMES = {calc.MONTH: "month", calc.QUARTER: "quarter", calc.YEAR: "financial year"}
FREQUENCY_NAMES = {calc.MONTH: "monthly", calc.QUARTER: "quarterly", calc.YEAR: "yearly"}


def read_period(text, frequency, today):
    """(kind, end month, problem) for a period written in a file, for a measure reported at
    ``frequency``. A month names the quarter or financial year that ends in it."""
    if not text:
        return "", None, "The period is empty."
    try:
        period = calc.parse_period(text)
    except ValueError as error:
        return "", None, str(error)
    if period.kind == calc.MONTH and frequency != calc.MONTH:
        try:
            period = calc.Period(period.end, frequency)
        except ValueError:
            return (
                "",
                None,
                (
                    f"This measure is reported {FREQUENCY_NAMES[frequency]}: '{text}' is not the "
                    f"last month of a {KIND_NAMES[frequency]}."
                ),
            )
    if period.kind != frequency:
        return (
            "",
            None,
            (
                f"'{text}' is a {KIND_NAMES[period.kind]}, but this measure is reported "
                f"{FREQUENCY_NAMES[frequency]}."
            ),
        )
    if period.end > date(today.year, today.month, 1):
        return (
            "",
            None,
            (f"{period.label} has not ended yet: figures can only be loaded for past periods."),
        )
    return period.kind, period.end, ""
