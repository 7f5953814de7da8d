"""Reading and checking files of figures: every problem says what is wrong and where."""

import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook

from metrics.figure_files import FileRejected, MeasureInfo, check, read_table
from tests.files import saved

TODAY = date(2022, 11, 15)
CATALOGUE = {
    "CSC05": MeasureInfo(1, "CSC05", "quarter", "percent"),
    "GM01": MeasureInfo(2, "GM01", "quarter", "days_fte"),
    "M1": MeasureInfo(3, "M1", "month", "count"),
}
HEADER = "measure_code,period,area,value,numerator,denominator,note\n"


def checked(text, name="figures.csv", encoding="utf-8"):
    table = read_table(name, text.encode(encoding) if isinstance(text, str) else text, 10**6)
    return check(table, CATALOGUE, today=TODAY)


def messages(text, **kwargs):
    _, problems, _ = checked(text, **kwargs)
    return [(p.row, p.column, p.message) for p in problems]


def test_a_clean_long_file_gives_exact_decimals():
    figures, problems, layout = checked(HEADER + "CSC05,2022/23 Q2,,70.5,141,200,In month 71%\n")
    assert problems == [] and layout == "long"
    row = figures.iloc[0]
    assert (row.period_kind, row.period_end, row.value) == (
        "quarter",
        date(2022, 9, 1),
        Decimal("70.5"),
    )
    assert (row.numerator, row.denominator, row.note) == (
        Decimal("141"),
        Decimal("200"),
        "In month 71%",
    )


def test_a_month_names_the_quarter_ending_in_it():
    figures, problems, _ = checked(HEADER + "CSC05,2022-09,,70.5,,,\n")
    assert problems == [] and figures.iloc[0].period_end == date(2022, 9, 1)


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        ("NOPE,2022-09,,1,,,", "A (measure_code)", "Unknown measure code 'NOPE'"),
        (",2022-09,,1,,,", "A (measure_code)", "The measure code is empty."),
        ("CSC05,Sept 22x,,1,,,", "B (period)", "is not a period"),
        ("CSC05,2022-08,,1,,,", "B (period)", "is not the last month of a quarter"),
        ("M1,2022/23 Q2,,1,,,", "B (period)", "is a quarter, but this measure is reported monthly"),
        ("CSC05,2022/23 Q3,,1,,,", "B (period)", "has not ended yet"),
        ("CSC05,2022-09,,seventy,,,", "D (value)", "'seventy' is not a number"),
        ("CSC05,2022-09,,,,,", "D (value)", "The value is empty."),
        ("CSC05,2022-09,,100.5,,,", "D (value)", "A percentage must be between 0 and 100."),
        ("CSC05,2022-09,,-1,,,", "D (value)", "A percentage must be between 0 and 100."),
        ("CSC05,2022-09,,60,201,200,", "E (numerator)", "numerator is larger than the denominator"),
        ("CSC05,2022-09,,60,1,0,", "F (denominator)", "The denominator is zero."),
        ("CSC05,2022-09,,60,1,2,", "D (value)", "not the numerator divided by the denominator"),
        ("CSC05,2022-09,,60.12345,,,", "D (value)", "is not a number"),
        ("CSC05,2022-09,,1e5,,,", "D (value)", "is not a number"),
        ("CSC05,2022-09,,nan,,,", "D (value)", "is not a number"),
        ("GM01,2022-09,,99999999999,,,", "D (value)", "is not a number"),
        ("CSC05,2022-09,,60,x,2,", "E (numerator)", "'x' is not a number."),
    ],
)
def test_each_problem_names_its_row_and_column(row, column, message):
    found = messages(HEADER + row + "\n")
    assert len(found) == 1, found
    assert found[0][0] == 2 and found[0][1] == column
    assert message in found[0][2]


def test_the_value_may_be_rounded_from_numerator_over_denominator():
    assert messages(HEADER + "CSC05,2022-09,,66.7,2,3,\n") == []
    assert messages(HEADER + "CSC05,2022-09,,67,2,3,\n") == []
    assert "not the numerator" in messages(HEADER + "CSC05,2022-09,,66.6,2,3,\n")[0][2]


def test_the_same_figure_twice_is_reported_at_the_repeat():
    found = messages(HEADER + "CSC05,2022-09,,60,,,\nGM01,2022-09,,1,,,\nCSC05,2022/23 Q2,,61,,,\n")
    assert found == [(4, "D (value)", "This figure is in the file twice (first at row 2).")]


def test_the_same_period_for_two_areas_is_not_a_repeat():
    assert messages(HEADER + "CSC05,2022-09,Stroud,60,,,\nCSC05,2022-09,Tewkesbury,61,,,\n") == []


def test_unknown_and_missing_columns():
    found = messages("measure_code,period,colour\nCSC05,2022-09,red\n")
    assert (
        1,
        "C (colour)",
        "Unknown column 'colour'. The columns are: measure_code, period, "
        "area, value, numerator, denominator, note.",
    ) in found
    assert (1, "", "The value column is missing.") in found
    assert messages("period,value\n2022-09,1\n")[0][2].startswith("There is no measure_code")


def test_headers_are_forgiving_about_case_spaces_and_common_names():
    figures, problems, _ = checked("Measure Code, Period , Value,Comment\nCSC05,2022-09,60,ok\n")
    assert problems == [] and figures.iloc[0].note == "ok"


def test_a_wide_file_as_in_the_councils_scorecard():
    text = (
        "measure_code,measure_name,Jun21,Sep21,2022/23 Q1,2022-09\n"
        "CSC05,Visits,79.2%,78.2%,68.9%,\n"
    )
    figures, problems, layout = checked(text)
    assert problems == [] and layout == "wide"
    assert [(f.period_end, f.value) for f in figures.itertuples()] == [
        (date(2021, 6, 1), Decimal("79.2")),
        (date(2021, 9, 1), Decimal("78.2")),
        (date(2022, 6, 1), Decimal("68.9")),
    ]


def test_a_wide_file_with_an_unknown_column():
    found = messages("measure_code,Jun21,Target\nCSC05,79.2,85\n")
    assert found[0][1] == "C (Target)" and "Unknown column 'Target'" in found[0][2]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_utf8_with_or_without_bom_and_windows_1252(encoding):
    figures, problems, _ = checked(
        HEADER + "CSC05,2022-09,Forest of Dean,60,,,Café – ok\n", encoding=encoding
    )
    assert problems == [] and figures.iloc[0].note == "Café – ok"


def test_semicolon_separated_files_are_read():
    figures, problems, _ = checked("measure_code;period;value\nCSC05;2022-09;60\n")
    assert problems == [] and len(figures) == 1


def rejected(data, name="figures.csv", limit=10**6):
    with pytest.raises(FileRejected) as caught:
        read_table(name, data, limit)
    return caught.value.problems[0].message


def test_empty_and_oversized_files_are_refused():
    assert rejected(b"") == "The file is empty."
    assert rejected(b"   \n\n") == "The file is empty."
    assert "the largest accepted is" in rejected(b"x" * 2000, limit=1000)
    assert (
        "no figures"
        in check(read_table("f.csv", HEADER.encode(), 10**6), CATALOGUE, TODAY)[1][0].message
    )


def test_binary_and_old_spreadsheet_files_are_refused():
    assert "Save the file as .xlsx or .csv" in rejected(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "a.xls"
    )
    assert "not text" in rejected(b"\x81\x8d\x8f\x90\x9d" * 10)


def workbook_bytes(rows, formula=None):
    book = Workbook()
    sheet = book.active
    sheet.title = "Figures"
    for row in rows:
        sheet.append(row)
    if formula:
        sheet["D2"] = formula
    return saved(book)


def test_an_xlsx_file_is_read_from_its_figures_sheet():
    data = workbook_bytes([["measure_code", "period", "value"], ["CSC05", "2022-09", 60.5]])
    figures, problems, _ = check(read_table("f.xlsx", data, 10**6), CATALOGUE, today=TODAY)
    assert problems == [] and figures.iloc[0].value == Decimal("60.5")


def test_a_formula_without_a_saved_result_is_an_error_and_is_never_evaluated():
    data = workbook_bytes(
        [["measure_code", "period", "area", "value"], ["CSC05", "2022-09", "", 1]], formula="=1+1"
    )
    message = rejected(data, "f.xlsx")
    assert "formula with no saved result" in message


def _rezip(data, extra):
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        for name, content in extra.items():
            target.writestr(name, content)
    return out.getvalue()


def test_macros_external_links_and_zip_bombs_are_refused():
    data = workbook_bytes([["measure_code", "period", "value"]])
    assert "macros" in rejected(_rezip(data, {"xl/vbaProject.bin": b"x"}), "f.xlsx")
    assert "links to other files" in rejected(
        _rezip(data, {"xl/externalLinks/externalLink1.xml": b"<x/>"}), "f.xlsx"
    )
    bomb = _rezip(data, {"xl/media/huge.bin": b"\0" * (50 * 1024 * 1024)})
    assert "unsafe" in rejected(bomb, "f.xlsx", limit=10**8)
    assert "not a valid XLSX" in rejected(b"PK\x03\x04garbage", "f.xlsx")


def _with_sheet_xml(data, change):
    """The workbook with its first sheet's XML rewritten by ``change``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = change(content.decode()).encode()
            target.writestr(item, content)
    return out.getvalue()


def _peak_memory(function):
    import tracemalloc

    tracemalloc.start()
    try:
        result = function()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return result, peak


def test_a_sheet_declaring_a_huge_dimension_is_read_by_the_cells_it_holds():
    """A 1.7 KB file declaring A1:XFD1048576 used to take 101 s and 5.8 GiB."""
    import re
    import time

    data = workbook_bytes([["measure_code", "period", "value"], ["CSC05", "2022-09", 60.5]])
    bomb = _with_sheet_xml(
        data, lambda xml: re.sub(r'<dimension ref="[^"]*"', '<dimension ref="A1:XFD1048576"', xml)
    )
    assert (
        "XFD1048576" in zipfile.ZipFile(io.BytesIO(bomb)).read("xl/worksheets/sheet1.xml").decode()
    )
    started = time.monotonic()
    (figures, problems, _), peak = _peak_memory(
        lambda: check(read_table("f.xlsx", bomb, 10**6), CATALOGUE, today=TODAY)
    )
    assert problems == [] and len(figures) == 1
    assert time.monotonic() - started < 5 and peak < 50 * 1024 * 1024


def test_cells_far_out_or_rows_far_down_are_refused_not_padded():
    data = workbook_bytes([["measure_code", "period", "value"], ["CSC05", "2022-09", 60.5]])
    far_right = _with_sheet_xml(
        data,
        lambda xml: xml.replace(
            "</sheetData>",
            '<row r="3"><c r="XFD3" t="inlineStr"><is><t>x</t></is></c></row></sheetData>',
        ),
    )
    (message, peak) = _peak_memory(lambda: rejected(far_right, "f.xlsx"))
    assert "Cell XFD3 is beyond column ALL" in message and peak < 50 * 1024 * 1024
    far_down = _with_sheet_xml(
        data,
        lambda xml: xml.replace(
            "</sheetData>",
            '<row r="1048576"><c r="AZ1048576" t="inlineStr"><is><t>x</t></is></c></row>'
            "</sheetData>",
        ),
    )
    (message, peak) = _peak_memory(lambda: rejected(far_down, "f.xlsx"))
    assert "more than the 30,000,000 cells" in message and peak < 300 * 1024 * 1024


def test_an_area_longer_than_it_is_kept_and_a_huge_note_are_refused_where_they_are():
    area, note = "A" * 121, "n" * 10_000
    problems = messages(HEADER + f"CSC05,2022-09,{area},60.5,,,\nCSC05,2022-09,,60.5,,,{note}\n")
    assert problems == [
        (2, "C (area)", "The area is 121 characters long; at most 120 are kept."),
        (3, "G (note)", "The note is 10000 characters long; at most 2000 are kept."),
    ]


def test_a_rows_problem_names_the_measure_and_repeats_the_value(db):
    from metrics import loading
    from tests.factories import make_measure

    make_measure(code="CSC05", name="% Initial visits in time")
    _, problems, _ = loading.read_and_check(
        b"measure_code,period,value\nCSC05,2022/23 Q1,seventy\nNOPE,2022/23 Q1,5\n", "f.csv"
    )
    first, second = problems
    assert first.message.startswith("'seventy' is not a number")
    assert first.message.endswith("This row is CSC05, % Initial visits in time.")
    assert "Unknown measure code 'NOPE'" in second.message and "This row is" not in second.message
