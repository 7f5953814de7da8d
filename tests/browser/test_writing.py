"""An officer writes the period's words: every measure's commentary in one page, saving each
row in place, and the area's narrative."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, overflow, screenshot, sign_in

pytestmark = pytest.mark.browser


def test_an_officer_writes_every_measures_commentary_and_the_narrative(site, page):
    sign_in(page, site, "officer")
    page.goto(site + "/scorecards/childrens-social-care/")
    page.get_by_role("link", name="Write every measure's commentary for 2022/23 Q1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Commentary for 2022/23 Q1")
    first = page.locator(".commentary-row").first
    expect(first).to_contain_text("Worse than tolerance")  # red first
    url = page.url
    first.get_by_role("textbox").fill("Staffing in two teams; a recovery plan is in place.")
    first.get_by_role("button", name="Save").click()
    expect(page.locator(".commentary-row").first.get_by_role("status")).to_contain_text(
        "Saved and published"
    )
    assert page.url == url  # saved in place: the page did not reload
    assert_accessible(page)
    screenshot(page, "officer-area-commentary")

    page.goto(site + "/scorecards/childrens-social-care/narrative/")
    expect(page.get_by_label("Narrative")).to_contain_text("1. Workforce stability")
    assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 800})
    for path in (
        "/scorecards/childrens-social-care/narrative/",
        "/scorecards/childrens-social-care/commentary/",
    ):
        page.goto(site + path)
        assert overflow(page) <= 0, f"{path} is {overflow(page)}px too wide"
        assert_accessible(page)
    screenshot(page, "officer-area-commentary-320")
