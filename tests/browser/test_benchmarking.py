"""A member asks "how do we compare?": from the scorecard to the area's comparison with other
councils, to a measure against its neighbours and every council, at 1,280 and 320 pixels, with
axe-core on every page."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, overflow, screenshot, sign_in

pytestmark = pytest.mark.browser


def _fits(page):
    assert overflow(page) <= 0, f"{page.url} is {overflow(page)}px wider than the screen"


def test_a_member_compares_the_council_with_its_neighbours_and_every_council(national_site, page):
    sign_in(page, national_site, "member")
    page.get_by_role("link", name="Scorecards").first.click()
    page.get_by_role("link", name="Children's Social Care").first.click()
    scorecard = page.get_by_role("table").filter(has_text="re-referrals within 12 months")
    expect(scorecard).to_contain_text("SN average (2025 model, 10 of 10): 20.3% (2021/22)")

    page.get_by_role("link", name="How we compare with other councils").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("How we compare")
    summary = page.get_by_role("table").filter(has_text="against other councils, worst first")
    expect(summary).to_contain_text("re-referrals within 12 months")
    assert_accessible(page)
    screenshot(page, "member-area-compare")

    summary.get_by_role("link", name="re-referrals within 12 months").click()
    expect(page.get_by_role("heading", name="Compared with other councils")).to_be_visible()
    expect(page.locator("#trend-rereferrals_within_12_months.js-plotly-plot")).to_be_visible()
    expect(page.locator("#funnel-rereferrals_within_12_months.js-plotly-plot")).to_be_visible()
    by_year = page.get_by_role("table").filter(has_text="against other councils, by year")
    expect(by_year.get_by_role("row").filter(has_text="2021/22")).to_contain_text("126 of 150")
    page.get_by_label("Statistical neighbour model").select_option("2021")
    page.get_by_role("button", name="Show").first.click()
    expect(page.get_by_role("table").filter(has_text="2021 model").first).to_be_visible()
    assert_accessible(page)
    screenshot(page, "member-measure-compared")

    page.get_by_role("link", name="Every council's figure").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Re-referrals within 12 months")
    page.get_by_label("Councils", exact=True).select_option("neighbours")
    page.get_by_role("button", name="Show").last.click()
    every = page.get_by_role("table").filter(has_text="every council among our statistical")
    expect(every.locator("tbody tr")).to_have_count(11)
    every.get_by_role("link", name="Figure").click()
    expect(every.locator("tbody tr").first).to_contain_text("%")
    assert_accessible(page)
    screenshot(page, "member-benchmark")

    page.set_viewport_size({"width": 320, "height": 800})
    for path in (
        "/benchmarks/",
        "/benchmarks/rereferrals_within_12_months/",
        "/measures/CSC03/",
        "/scorecards/childrens-social-care/compare/",
    ):
        page.goto(national_site + path)
        page.wait_for_load_state("networkidle")
        _fits(page)
        assert_accessible(page)
    screenshot(page, "member-area-compare-320")
    page.goto(national_site + "/inspections/")
    page.get_by_role("link").filter(has_text="Inspection").first.click()
    expect(page.get_by_role("heading", name="How Ofsted judged our statistical neighbours"))
    _fits(page)
    assert_accessible(page)
    screenshot(page, "member-inspection-neighbours-320")
