"""A member reads the quality-assurance report before the meeting, at desk and phone widths."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, screenshot, sign_in

pytestmark = pytest.mark.browser


def _fits(page):
    """Nothing wider than the screen, once the charts have redrawn at the new width."""
    for _ in range(20):
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow <= 0:
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
