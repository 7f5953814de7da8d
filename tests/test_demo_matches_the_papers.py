"""The demo council matches its papers: filters, exports and counts checked against the
Gloucestershire committee papers the demo is transcribed from (17 Children's Social Care
measures, 12 of them red in 2022/23 Q1; five open strategic risks). These tests load the whole
demo and are tied to its figures: a new demo changes them here, and nowhere else."""

import csv
import io

from openpyxl import load_workbook

from scrutiny import roles


def test_scorecard_filters_and_sorting_live_in_the_url(client_for, demo):
    client = client_for(roles.DIRECTOR)
    html = client.get("/scorecards/childrens-social-care/?rag=amber").content.decode()
    assert "Showing 3 of 17 measures" in html
    assert "fewer than 3 Social Workers" in html and "Initial visits" not in html
    html = client.get("/scorecards/childrens-social-care/?direction=declining&sort=rag").content
    assert b"Showing 7 of 17 measures" in html


def test_the_scorecard_answers_htmx_with_the_results_only(client_for, demo):
    response = client_for(roles.DIRECTOR).get(
        "/scorecards/childrens-social-care/?rag=green", HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="scorecard-results"')
    assert "<html" not in html and "Showing 2 of 17 measures" in html
    assert "HX-Request" in response["Vary"]


def test_an_earlier_period_can_be_chosen_and_a_bad_one_is_named(client_for, demo):
    client = client_for(roles.COMMITTEE_MEMBER)
    html = client.get("/scorecards/childrens-social-care/?period=2022-03").content.decode()
    assert "Actual Mar22" in html
    html = client.get("/scorecards/childrens-social-care/?period=banana&rag=purple").content
    assert b"There is a problem" in html and b"&#x27;banana&#x27; is not a period" in html
    assert b"Showing 17 of 17 measures" in html


def test_the_scorecard_exports_as_it_is_shown(client_for, demo):
    client = client_for(roles.COMMITTEE_MEMBER)
    text = client.get("/scorecards/childrens-social-care/export.csv?rag=red").content
    rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    assert rows[0][:5] == ["Section", "Code", "Measure", "Good performance", "Reporting basis"]
    assert len(rows) == 1 + 12
    visits = next(r for r in rows if r[1] == "CSC05")
    assert visits[5:10] == ["79.2", "78.2", "69.9", "62.4", "68.9"]
    assert "Significantly worse than target" in visits

    book = load_workbook(
        io.BytesIO(client.get("/scorecards/childrens-social-care/export.xlsx").content)
    )
    sheet = book.active
    assert sheet.freeze_panes == "D3"
    header = [c.value for c in sheet[2]]
    status_column = header.index("Status") + 1
    statuses = {
        sheet.cell(row=r, column=2).value: sheet.cell(row=r, column=status_column)
        for r in range(3, sheet.max_row + 1)
    }
    assert statuses["CSC08"].value == "Better than or on target"
    assert statuses["CSC08"].fill.fgColor.rgb.endswith("CCE5D8")


def test_the_register_filters_and_sorts_through_the_url(client_for, demo):
    client = client_for(roles.COMMITTEE_MEMBER)
    html = client.get("/risks/?questioned=yes").content.decode()
    assert "Showing 2 of 5 open risks" in html and "SR7.2" in html and "SR7.7" in html
    assert "SR7.4" not in html
    partial = client.get("/risks/?band=Moderate&sort=score", HTTP_HX_REQUEST="true")
    text = partial.content.decode()
    assert text.lstrip().startswith('<div id="risk-register"') and "<html" not in text
    assert "Showing 4 of 5 open risks" in text
    assert text.index("SR7.5") < text.index("SR7.9")  # 12 before 8
    assert "Showing 5 of 5" in client.get("/risks/?band=Purple").content.decode()
