"""A member reads the quality-assurance report before the meeting, at desk and phone widths."""

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, overflow, screenshot, sign_in
from tests.files import saved

pytestmark = pytest.mark.browser


def _fits(page):
    """Nothing wider than the screen, once the charts have redrawn at the new width."""
    for _ in range(20):
        if overflow(page) <= 0:
            return True
        page.wait_for_timeout(250)
    return False


def test_a_member_reads_the_quality_assurance_report(site, page):
    sign_in(page, site, "member")
    page.get_by_role("link", name="Quality assurance").first.click()
    expect(page.get_by_role("heading", name="Quality assurance: Jul 2022", level=1)).to_be_visible()
    expect(page.get_by_test_id("audit-total")).to_contain_text("521 audits")
    expect(page.locator("#chart-grades .main-svg").first).to_be_visible()
    snapshot = page.get_by_role("region", name="Performance snapshot")
    expect(snapshot).to_contain_text("Audits completed to the accepted standard and uploaded")
    expect(snapshot).to_contain_text("Decreased from 44 in June")
    assert_accessible(page)
    screenshot(page, "member-quality")
    page.get_by_label("Month", exact=True).select_option(label="Jun 2022")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name="Quality assurance: Jun 2022", level=1)).to_be_visible()
    page.set_viewport_size({"width": 320, "height": 800})
    assert _fits(page)
    assert_accessible(page)
    screenshot(page, "member-quality-320")


@pytest.mark.services
def test_an_officer_loads_a_finance_report_and_a_member_reads_it(site, page, worker, tmp_path):
    from metrics.finance import LINE_COLUMNS

    sign_in(page, site, "officer")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Upload").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the finance template (XLSX)").click()
    path = tmp_path / "finance.xlsx"
    download.value.save_as(path)
    book = load_workbook(path)
    for key, value in (("year", "2022/23"), ("position", "forecast"), ("as_at", "2022-12"),
                       ("title", "Revenue monitoring 2022/23")):  # fmt: skip
        row = next(r for r in book["Report"].iter_rows() if r[0].value == key)
        row[1].value = value
    line = dict.fromkeys(LINE_COLUMNS, None)
    line.update(table="Net budget", service_area="Children in Care", row_type="line",
                full_year_budget_k=40000, outturn_k=46000, variance_total_k=6500)  # fmt: skip
    book["Lines"].append([line[c] for c in LINE_COLUMNS])

    page.get_by_label("Finance: budget, outturn, high-risk budgets and placements").check()
    page.get_by_label("Upload a file of figures").set_input_files(
        {
            "name": "finance.xlsx",
            "mimeType": "application/octet-stream",
            "buffer": saved(book),
        }
    )
    page.get_by_role("button", name="Check the file").click()
    flags = page.get_by_test_id("finance-flags")
    expect(flags).to_contain_text("the variance printed is 6,500, but outturn − budget gives 6,000")
    assert_accessible(page)
    expect(page.get_by_role("button", name="Discard this file")).to_be_visible()
    page.get_by_role("button", name="Confirm and load the finance report").click()
    page.get_by_role("link", name="Read the report").click()
    expect(page.get_by_text("Draft: committee members cannot see this report")).to_be_visible()
    page.get_by_role("button", name="Publish this report").click()
    expect(page.get_by_text("is published: members can read it")).to_be_visible()

    page.context.clear_cookies()
    sign_in(page, site, "member")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Finance").click()
    expect(page.get_by_role("heading", name="Revenue monitoring 2022/23", level=1)).to_be_visible()
    expect(page.get_by_test_id("finance-flags")).to_contain_text("Children in Care")
    assert_accessible(page)
    screenshot(page, "member-finance")
    page.set_viewport_size({"width": 320, "height": 800})
    assert _fits(page)
    assert_accessible(page)
    screenshot(page, "member-finance-320")


def test_anyone_reads_the_published_papers_without_signing_in(site, page):
    from scrutiny.models import Committee

    Committee.objects.update(public_packs=True, public_risks=True, public_plan=True)
    page.goto(site + "/public/")
    expect(
        page.get_by_role("heading", name="Children's services: published papers")
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="The committee's meeting packs").click()
    page.get_by_role("link", name="Thursday 15 September 2022").click()
    expect(page.get_by_role("heading", name="Pack for Thursday 15 September 2022")).to_be_visible()
    expect(page.get_by_text("£17.286m").first).to_be_visible()
    assert "Kirsten Harrison" not in page.content()
    assert_accessible(page)
    screenshot(page, "public-pack")
    for url in ("/public/risks/", "/public/plan/"):
        page.goto(site + url)
        assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 800})
    assert _fits(page)
    assert_accessible(page)
    screenshot(page, "public-plan-320")


def test_a_director_clears_the_awaiting_list(site, page):
    from improvement_plan.models import Workstream
    from tests.factories import make_update

    workstream = Workstream.objects.order_by("pk").first()
    make_update(workstream=workstream, signed_off=False, comment="Recruitment is on plan.")
    sign_in(page, site, "director")
    expect(page.get_by_test_id("awaiting-panel")).to_contain_text("1 item awaiting you")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Awaiting you").click()
    table = page.get_by_test_id("awaiting")
    expect(table).to_contain_text("Plan update to sign off")
    assert_accessible(page)
    screenshot(page, "director-awaiting")
    page.get_by_role("button", name="Sign off").click()
    expect(page.get_by_test_id("awaiting-none")).to_be_visible()
    page.set_viewport_size({"width": 320, "height": 800})
    assert _fits(page)
    assert_accessible(page)


def test_at_320_px_the_scorecard_is_cards_with_the_why_first(site, page):
    sign_in(page, site, "member")
    # At 1,280 px the why (comparator and comment) starts on the screen, before the trend.
    page.goto(site + "/scorecards/childrens-social-care/")
    for name in ("Comparator", "Comment"):
        header = page.locator("table.scorecard thead th", has_text=name).first
        assert header.bounding_box()["x"] < 1280 - 60, name
    page.set_viewport_size({"width": 320, "height": 800})
    from scrutiny.models import MeetingPack

    pack = MeetingPack.objects.first()
    main = ["/", "/scorecards/", "/scorecards/childrens-social-care/", "/measures/CSC05/",
            "/benchmarks/", "/plan/", "/plan/actions/", "/risks/", "/risks/heat-map/",
            "/quality/", "/finance/", "/meetings/", "/questions/", "/glossary/",
            "/inspections/", pack.get_absolute_url(), pack.meeting.get_absolute_url()]  # fmt: skip
    for url in main:
        page.goto(site + url)
        assert _fits(page), url
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, url
        assert_accessible(page)
    page.goto(site + "/scorecards/childrens-social-care/")
    card = page.locator("table.scorecard tbody tr").first
    box = card.bounding_box()
    assert box["width"] <= 320
    comment = card.locator(".scorecard__comment")
    target = card.locator(".scorecard__target")
    assert comment.bounding_box()["y"] < target.bounding_box()["y"]  # the why comes first
    screenshot(page, "scorecard-cards-320")
