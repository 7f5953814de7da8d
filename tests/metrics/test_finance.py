"""Finance: the council's tables kept as printed, every cell checked, every sum that does not
add up flagged (the papers' own ±687 among them), loaded by template, published, frozen."""

from decimal import Decimal

import pytest

from metrics import finance, loading
from metrics.models import FinanceReport, Upload
from scrutiny.audit import AuditEntry
from scrutiny.roles import COMMITTEE_MEMBER, PERFORMANCE_OFFICER
from tests.files import xlsx

HEADER = finance.LINE_COLUMNS


def _line(name, row_type="line", table="Net budget", row=2, **amounts):
    base = {k: None for k in finance.AMOUNT_NAMES}
    base.update({k: Decimal(str(v)) for k, v in amounts.items()})
    base["variance_pct"] = base.pop("variance_pct", None)
    return {"table": table, "name": name, "row_type": row_type, "row": row, **base}


def _rules(flags):
    return [(f["name"], f["field"], f["printed"], f["computed"]) for f in flags]


# ---- the arithmetic, rule by rule ------------------------------------------------------------


def test_a_line_that_adds_up_raises_nothing():
    line = _line("Quality", budget=2364, outturn=2398, variance_dsg=0, variance_non_dsg=34,
                 variance_total=34, variance_pct=1.4, forecast_dsg=0, forecast_non_dsg=78,
                 forecast_total=78, change=-44)  # fmt: skip
    assert finance.flags([line]) == []


def test_a_printed_variance_that_is_not_outturn_minus_budget_is_flagged_not_fixed():
    line = _line("Schools", budget=-60345, outturn=-44341, variance_total=15317)
    (flag,) = finance.flags([line])
    assert (flag["printed"], flag["computed"], flag["difference"]) == (15317, 16004, -687)
    assert flag["rule"] == "outturn − budget"
    assert line["variance_total"] == 15317  # kept as printed


@pytest.mark.parametrize(
    "amounts, field, computed",
    [
        ({"variance_dsg": 10, "variance_non_dsg": 5, "variance_total": 16}, "variance", 15),
        ({"forecast_dsg": 1, "forecast_non_dsg": 2, "forecast_total": 4}, "forecast variance", 3),
        ({"variance_total": 10, "forecast_total": 4, "change": 7}, "change since the forecast", 6),
        ({"variance_non_dsg": 10, "forecast_non_dsg": 4, "change": 7},
         "change since the forecast", 6),
        ({"budget": 200, "variance_total": 10, "variance_pct": 6.0}, "variance_pct", 5),
        ({"variance_non_dsg": 337, "covid_outturn": 430, "net_outturn": -90},
         "net outturn variance", -93),
        ({"forecast_non_dsg": 228, "covid_forecast": 259, "net_outturn": 1,
          "net_forecast": -30}, "net forecast variance", -31),
        ({"net_outturn": -93, "net_forecast": -31, "net_movement": -60}, "net movement", -62),
    ],
)  # fmt: skip
def test_each_rule_of_a_lines_own_arithmetic(amounts, field, computed):
    flags = [f for f in finance.flags([_line("A line", **amounts)]) if f["field"] == field]
    assert [f["computed"] for f in flags] == [computed]


def test_a_subtotal_is_checked_against_the_lines_above_it_since_the_last_total():
    rows = [
        _line("A", budget=10, row=2),
        _line("B", budget=20, row=3),
        _line("Total A+B", "subtotal", budget=31, row=4),
        _line("C", budget=5, row=5),
        _line("Total C", "subtotal", budget=5, row=6),
        _line("D", budget=1, row=7),
        _line("Total", "grand total", budget=37, row=8),
    ]
    # 31 is not 10 + 20; the grand total 37 is 31 + 5 + 1, as printed.
    assert _rules(finance.flags(rows)) == [("Total A+B", "full-year budget", 31, 30)]


def test_the_last_total_is_the_sum_of_the_subtotals_and_lines_outside_them():
    rows = [
        _line("A", budget=10, row=2),
        _line("B", budget=20, row=3),
        _line("Total A+B", "subtotal", budget=30, row=4),
        _line("D", budget=1, row=5),
        _line("Total", "grand total", budget=32, row=6),
    ]
    assert _rules(finance.flags(rows)) == [("Total", "full-year budget", 32, 31)]


def test_a_subtotal_printed_as_a_line_is_read_as_one():
    """The COVID-19 table prints 'Other Commissioned Children's Services' as a line that is the
    sum of the four above it: the table's total must not count them twice."""
    rows = [
        _line("Total Education", "total", variance_non_dsg=5, row=2),
        _line("A", variance_non_dsg=2, row=3),
        _line("B", variance_non_dsg=3, row=4),
        _line("Other", variance_non_dsg=5, row=5),
        _line("C", variance_non_dsg=1, row=6),
        _line("Total", "total", variance_non_dsg=11, row=7),
    ]
    # "Total Education" covers no lines above it: it is flagged, the final total is not.
    assert _rules(finance.flags(rows)) == [("Total Education", "non-DSG variance", 5, 0)]


def test_sub_lines_are_checked_against_their_line():
    rows = [
        _line("Section 17 & Discretionary", variance_total=395, row=2),
        _line("Discretionary", "sub-line", variance_total=162, row=3),
        _line("Section 17", "sub-line", variance_total=230, row=4),
    ]
    assert _rules(finance.flags(rows)) == [("Section 17 & Discretionary", "variance", 395, 392)]


# ---- the file --------------------------------------------------------------------------------


def _workbook(report=None, lines=None, placements=None, narrative=None, sheets=None):
    pairs = report or [("field", "value"), ("year", "2022/23"), ("position", "forecast"),
                       ("as_at", "2022-12"), ("title", "Revenue monitoring 2022/23")]  # fmt: skip
    every = {"Instructions": [], "Report": pairs,
             "Lines": [HEADER, *(lines if lines is not None else [_file_row()])]}  # fmt: skip
    wanted = {"Instructions", *(sheets or every)}
    found = {name: rows for name, rows in every.items() if name in wanted}
    for name, columns, rows in (("Placements", finance.PLACEMENT_COLUMNS, placements),
                                ("Narrative", finance.FACT_COLUMNS, narrative)):  # fmt: skip
        if rows is not None:
            found[name] = [columns, *rows]
    return xlsx(found)


def _file_row(**cells):
    row = {c: "" for c in HEADER}
    row.update({"table": "Net budget", "service_area": "Safeguarding", "cost_centre": "CF0301",
                "budget_manager": "A Manager", "row_type": "line", "full_year_budget_k": "21,416",
                "outturn_k": "21,676", "variance_total_k": "260"})  # fmt: skip
    row.update(cells)
    return [row[c] for c in HEADER]


def _check(data, name="finance.xlsx"):
    return finance.read_and_check(data, name)


def test_a_clean_workbook_reads_into_the_products_fields():
    clean, problems = _check(_workbook(
        placements=[["Residential", "22/23", "Apr", "120", "", ""]],
        narrative=[["N1", "Overspend", "£3m", "GBP", "2022/23", "", "We overspent.", "10"]],
    ))  # fmt: skip
    assert problems == []
    assert clean.report["year"] == "2022/23" and clean.report["position"] == "forecast"
    (line,) = clean.lines
    assert (line["budget"], line["outturn"], line["variance_total"]) == (21416, 21676, 260)
    assert line["part"] == "lines"
    assert clean.placements[0]["placements"] == 120 and clean.facts[0]["key"] == "N1"


@pytest.mark.parametrize(
    "row, column, words",
    [
        (_file_row(outturn_k="lots"), "G (outturn_k)", "'lots' is not an amount in £000"),
        (_file_row(variance_pct="ten"), "K (variance_pct)", "is not a percentage"),
        (_file_row(row_type="heading"), "E (row_type)", "'heading' is not a row type"),
        (_file_row(service_area=""), "B (service_area)", "name is empty"),
        (_file_row(table=""), "A (table)", "The table is empty"),
        (_file_row(full_year_budget_k="", outturn_k="", variance_total_k=""), "", "no amounts"),
        (_file_row(cost_centre="x" * 41), "C (cost_centre)", "at most 40 are kept"),
    ],
)
def test_each_bad_cell_is_named_by_sheet_row_and_column(row, column, words):
    clean, problems = _check(_workbook(lines=[row]))
    assert clean is None
    (problem,) = problems
    assert (problem.sheet, problem.row, problem.column) == ("Lines", 2, column)
    assert words in problem.message


def test_a_line_twice_in_the_same_table_is_refused():
    clean, problems = _check(_workbook(lines=[_file_row(), _file_row()]))
    assert problems[0].row == 3 and "twice (first at row 2)" in problems[0].message


def test_unknown_and_missing_columns_are_named():
    report = [("year", "2022/23"), ("position", "outturn"), ("as_at", "2023-03"), ("title", "T")]
    clean, problems = _check(
        xlsx({"Report": report, "Lines": [["table", "service_area", "budget"]]})
    )
    assert clean is None
    assert any(
        "Unknown column 'budget'" in p.message and p.column == "C (budget)" for p in problems
    )
    assert any(p.message.startswith("Missing columns: cost_centre") for p in problems)


@pytest.mark.parametrize(
    "pairs, field",
    [
        ([("year", "2022"), ("position", "outturn"), ("as_at", "2023-03"), ("title", "T")],
         "year"),
        ([("year", "2022/24"), ("position", "outturn"), ("as_at", "2023-03"), ("title", "T")],
         "year"),
        ([("year", "2022/23"), ("position", "guess"), ("as_at", "2023-03"), ("title", "T")],
         "position"),
        ([("year", "2022/23"), ("position", "outturn"), ("as_at", "March"), ("title", "T")],
         "as_at"),
        ([("year", "2022/23"), ("position", "outturn"), ("as_at", "2023-03"), ("title", "")],
         "title"),
    ],
)  # fmt: skip
def test_the_report_sheet_says_which_year_and_position(pairs, field):
    clean, problems = _check(_workbook(report=[("field", "value"), *pairs]))
    assert clean is None and [p.field for p in problems] == [field]
    assert problems[0].sheet == "Report"


@pytest.mark.parametrize(
    "row, field, words",
    [
        (["", "21/22", "Apr", "5", "", ""], "series", "series) is empty"),
        (["Residential", "2021", "Apr", "5", "", ""], "year", "not a financial year"),
        (["Residential", "21/23", "Apr", "5", "", ""], "year", "not a financial year"),
        (["Residential", "21/22", "April", "5", "", ""], "month", "not a month"),
        (["Residential", "21/22", "Apr", "5.5", "", ""], "placements", "whole number"),
        (["Residential", "21/22", "Apr", "-1", "", ""], "placements", "whole number"),
    ],
)
def test_each_bad_placement_count_is_named(row, field, words):
    clean, problems = _check(_workbook(placements=[row]))
    (problem,) = problems
    assert (problem.sheet, problem.row, problem.field) == ("Placements", 2, field)
    assert words in problem.message


def test_a_placement_count_twice_and_a_narrative_figure_twice_are_refused():
    row = ["Residential", "21/22", "Apr", "5", "", ""]
    fact = ["N1", "Overspend", "£3m", "", "", "", "", ""]
    clean, problems = _check(_workbook(placements=[row, row], narrative=[fact, fact]))
    assert {(p.sheet, p.row) for p in problems} == {("Placements", 3), ("Narrative", 3)}


@pytest.mark.parametrize(
    "data, name, words",
    [
        (b"table,service_area\nx,y\n", "finance.csv", "as an Excel workbook"),
        (b"PK\x03\x04 not really a zip", "finance.xlsx", "not a valid XLSX workbook"),
        (b"\x00" * 64, "finance.xlsx", "not a valid XLSX workbook"),
    ],
)
def test_hostile_or_wrong_files_get_a_clear_answer(data, name, words):
    clean, problems = _check(data, name)
    assert clean is None and words in problems[0].message


def test_a_formula_in_a_cell_is_refused_not_evaluated():
    clean, problems = _check(_workbook(lines=[_file_row(outturn_k="=1+1")]))
    assert clean is None
    assert problems[0].sheet == "Lines" and "formula" in problems[0].message.lower()


def test_a_workbook_without_its_lines_sheet_is_refused():
    clean, problems = _check(_workbook(sheets=["Report"]))
    assert [p.sheet for p in problems] == ["Lines"] and "no Lines sheet" in problems[0].message


def test_the_template_downloads_and_reads_back_as_an_empty_report(client_for, db):
    response = client_for(PERFORMANCE_OFFICER).get("/finance/template.xlsx")
    assert response.status_code == 200
    clean, problems = _check(response.content)
    messages = " ".join(p.message for p in problems)
    assert "not a financial year" in messages and "There are no service lines" in messages


# ---- loading, publishing, rolling back ------------------------------------------------------


def test_an_officer_loads_publishes_and_rolls_back_a_finance_report(client_for, users):
    officer = users[PERFORMANCE_OFFICER]
    data = _workbook(lines=[_file_row(), _file_row(service_area="Quality", cost_centre="CF0305",
                                                   variance_total_k="99")])  # fmt: skip
    upload = loading.receive(data, "finance.xlsx", officer, Upload.Kind.FINANCE)
    loading.check_upload(upload)
    upload.refresh_from_db()
    assert upload.status == "ready", upload.problems
    assert upload.summary["finance"]["lines"] == 2
    assert any("Quality" in flag for flag in upload.summary["finance"]["flags"])
    loading.commit(upload, officer)
    report = FinanceReport.objects.get(year="2022/23")
    assert not report.published

    member = client_for(COMMITTEE_MEMBER)
    assert member.get(f"/finance/{report.pk}/").status_code == 404  # a draft
    landing = member.get("/finance/", follow=True)
    assert f"/finance/{report.pk}/" not in [url for url, _ in landing.redirect_chain]
    assert member.post(f"/finance/{report.pk}/").status_code == 404

    page = client_for(PERFORMANCE_OFFICER).get(f"/finance/{report.pk}/").content.decode()
    assert "Draft: committee members cannot see this report" in page
    client_for(PERFORMANCE_OFFICER).post(f"/finance/{report.pk}/")
    report.refresh_from_db()
    assert report.published and report.published_by == officer
    assert AuditEntry.objects.for_object(report).filter(field="published").exists()
    assert client_for(COMMITTEE_MEMBER).get(f"/finance/{report.pk}/").status_code == 200

    loading.roll_back(upload, officer, "Loaded the wrong month")
    assert not FinanceReport.objects.filter(pk=report.pk).exists()
    kept = AuditEntry.objects.filter(action="delete", object_id=str(report.pk))
    assert kept.filter(field="title", old_value="Revenue monitoring 2022/23").exists()
