"""The performance team's monthly job, in a browser: template, a mistake fixed, preview,
commit, statuses recomputed by the worker, publication, a member reading the new figures, and
a rollback that restores the old ones exactly."""

import time
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from metrics.models import Observation
from tests.browser.conftest import assert_accessible, check_at_both_widths, screenshot, sign_in
from tests.files import saved

pytestmark = [pytest.mark.browser, pytest.mark.services]

# The demo council's next quarter, 2022/23 Q2, for four measures; and a correction of Q1.
NEXT_QUARTER = {"CSC04": 74.5, "CSC05": 71.2, "CSC07": 83.0, "CSC13": 11.9}


def filled_template(path, mistake):
    book = load_workbook(path)
    sheet = book["Figures"]
    kept = []
    for row in sheet.iter_rows(min_row=2, values_only=True):
        if row[0] in NEXT_QUARTER and row[1] == "2022-09":
            kept.append([row[0], row[1], "", NEXT_QUARTER[row[0]], None, None, ""])
    sheet.delete_rows(2, sheet.max_row)
    for row in kept:
        sheet.append(row)
    sheet.append(["CSC05", "2022-06", "", 69.0, None, None, "Late recording found"])
    if mistake:
        sheet["D3"] = "seventy-one"
    return saved(book), len(kept)


def test_officer_loads_the_next_quarter_publishes_it_and_rolls_it_back(
    site, page, worker, tmp_path
):
    sign_in(page, site, "officer")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Upload").click()
    expect(page.get_by_role("heading", name="Upload figures", level=1)).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the Excel template (XLSX)").click()
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)

    # A mistake: the page says exactly where, and nothing is loaded.
    wrong, count = filled_template(template, mistake=True)
    assert count == 4
    page.get_by_label("Upload a file of figures").set_input_files(
        {"name": "q2.xlsx", "mimeType": "application/octet-stream", "buffer": wrong}
    )
    page.get_by_role("button", name="Check the file").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text(
        "Row 3, column D (value): 'seventy-one' is not a number", timeout=30_000
    )
    assert_accessible(page)
    screenshot(page, "upload-problems")
    assert not Observation.objects.filter(period_end="2022-09-01").exists()

    # Fixed: the preview shows what changes, and a reason is needed for the published one.
    right, _ = filled_template(template, mistake=False)
    page.get_by_label("Upload a file of figures").set_input_files(
        {"name": "q2.xlsx", "mimeType": "application/octet-stream", "buffer": right}
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_test_id("new-count")).to_have_text("4", timeout=30_000)
    expect(page.get_by_test_id("changed-count")).to_contain_text("1 (1 already published)")
    assert_accessible(page)
    screenshot(page, "upload-preview")
    page.get_by_label("Reason for the changes").fill("Late recording found in the audit")
    page.get_by_role("button", name="Confirm and load the figures").click()
    expect(page.get_by_test_id("statuses-ready")).to_be_visible(timeout=30_000)
    assert_accessible(page)
    screenshot(page, "upload-loaded")

    # Publish the quarter.
    page.get_by_role("link", name="publish the period").click()
    row = page.get_by_role("row").filter(has_text="2022/23 Q2").first
    row.get_by_role("button", name="Publish").first.click()
    expect(
        page.get_by_text("Published 4 figures for Children's Social Care, 2022/23 Q2.")
    ).to_be_visible()
    assert_accessible(page)

    # A committee member sees the new quarter on the scorecard.
    member = page.context.browser.new_context().new_page()
    sign_in(member, site, "member")
    member.goto(f"{site}/scorecards/childrens-social-care/")
    expect(member.get_by_role("heading", name="Children's Social Care")).to_be_visible()
    visits = member.get_by_role("row").filter(has_text="% Initial visits in time")
    expect(visits).to_contain_text("71.2%")
    expect(visits).to_contain_text("69.0%")
    screenshot(member, "member-scorecard-after-publication")

    # Roll back: the old figures return exactly.
    page.goto(f"{site}/upload/")
    page.get_by_role("link", name="q2.xlsx").first.click()
    page.get_by_label("Reason for rolling back").fill("Extract ran against the wrong date")
    page.get_by_role("button", name="Roll back the upload").click()
    expect(page.get_by_text("Rolled back by")).to_be_visible()
    june = Observation.objects.get(measure__code="CSC05", period_end="2022-06-01")
    assert june.value == Decimal("68.9")
    assert not Observation.objects.filter(period_end="2022-09-01").exists()
    visits = member.get_by_role("row").filter(has_text="% Initial visits in time")
    assert reload_until(member, lambda: "71.2%" not in visits.inner_text())
    expect(visits).to_contain_text("68.9%")
    screenshot(member, "member-scorecard-after-rollback")


def reload_until(page, condition, seconds=30):
    """The worker recomputes statuses in the background: reload until it has."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        page.reload()
        if condition():
            return True
        time.sleep(0.5)
    return False


def test_an_officer_loads_new_measures_from_the_library_workbook(site, page, worker, tmp_path):
    from tests.metrics.test_library import VISITS, workbook

    path = tmp_path / "library.xlsx"
    path.write_bytes(workbook([[*["W01"], *VISITS[1:]]], [["W01", "80", "2022-04", "", ""]]))
    sign_in(page, site, "officer")
    page.goto(f"{site}/upload/")
    page.get_by_label("Measures, targets and comparators (the measure library)").check()
    page.get_by_label("Upload a file of figures").set_input_files(str(path))
    page.get_by_role("button", name="Check the file").click()
    expect(
        page.get_by_role("heading", name="Check what this file changes in the measure library")
    ).to_be_visible()
    expect(page.get_by_test_id("new-measures")).to_contain_text("W01")
    check_at_both_widths(page, "library-preview")
    page.get_by_label("Reason for the changes").fill("First library")
    page.get_by_role("button", name="Confirm and load the measure library").click()
    expect(page.get_by_text("Measure library loaded")).to_be_visible()


def test_a_decimal_slip_is_flagged_and_must_be_ticked_before_loading(site, page, worker):
    sign_in(page, site, "officer")
    page.goto(site + "/upload/")
    slip = b"measure_code,period,area,value\nCSC05,2022-09,,6.9\nCSC04,2022-09,,74.5\n"
    page.get_by_label("Upload a file of figures").set_input_files(
        {"name": "q2.csv", "mimeType": "text/csv", "buffer": slip}
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_test_id("flagged-count")).to_contain_text("1 figure looks implausible")
    preview = page.get_by_test_id("preview")
    expect(preview).to_contain_text("6.9 is about a tenth of the figure before (68.9)")
    # Each figure's status-to-be is in the preview, next to its target.
    expect(preview.get_by_role("row", name="% Initial visits in time")).to_contain_text(
        "Worse than tolerance"
    )
    assert_accessible(page)
    screenshot(page, "upload-preview-flagged")
    page.get_by_role("button", name="Confirm and load the figures").click()
    expect(page.get_by_text("Check it in the preview and tick to confirm")).to_be_visible()
    assert not Observation.objects.filter(period_end="2022-09-01", measure__code="CSC05").exists()
    page.get_by_label("I have checked the 1 flagged figure and they are right").check()
    page.get_by_role("button", name="Confirm and load the figures").click()
    expect(page.get_by_text("Loaded 2 new and 0 changed figures")).to_be_visible()
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(page)
