"""The risk register in a browser: heat map, register, a quarterly review that raises a risk."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, check_at_both_widths, screenshot, sign_in

pytestmark = pytest.mark.browser


def test_a_lead_raises_sr75_in_the_q2_review_and_the_dashboard_follows(site, page):
    sign_in(page, site, "lead")
    expect(page.get_by_test_id("risks-high")).to_have_text("0")
    expect(page.get_by_test_id("risks-moderate")).to_have_text("4")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Risks").click()
    expect(page.get_by_role("heading", name="Strategic risk register", level=1)).to_be_visible()
    assert_accessible(page)
    screenshot(page, "risk-register")
    page.get_by_role("link", name="See the risks on the heat map").click()
    expect(page.get_by_role("heading", name="Risk heat map", level=1)).to_be_visible()
    assert_accessible(page)
    screenshot(page, "risk-heat-map")

    page.goto(f"{site}/risks/SR7.5/")
    page.get_by_role("link", name="Record the review for 2022/23 Q2").click()
    page.get_by_label("4 Major").check()
    page.get_by_label("4 Likely").check()
    page.get_by_role("button", name="Record the review").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Say why the rating changes from Moderate 12."
    )
    assert_accessible(page)
    page.get_by_label("4 Major").check()
    page.get_by_label("4 Likely").check()
    page.get_by_label("Rationale").fill("Agency rate stayed above 34% and turnover rose")
    page.get_by_role("button", name="Record the review").click()
    expect(page.get_by_text("Review for 2022/23 Q2 recorded: High 16")).to_be_visible()
    # Proposed until a director signs it off: the register and dashboard keep the signed-off
    # rating meanwhile, for staff and members alike.
    expect(page.get_by_text("Proposed rating")).to_be_visible()
    expect(page.get_by_text("Risk increasing")).to_have_count(0)
    assert_accessible(page)
    screenshot(page, "risk-after-review")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    expect(page.get_by_test_id("risks-high")).to_have_text("0")

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, site, "director")
    page.goto(f"{site}/risks/SR7.5/")
    page.get_by_role("button", name="Sign off the review for 2022/23 Q2").click()
    expect(page.get_by_text("Risk increasing").first).to_be_visible()
    expect(page.get_by_text("Proposed rating")).to_have_count(0)
    screenshot(page, "risk-after-sign-off")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    expect(page.get_by_test_id("risks-high")).to_have_text("1")
    expect(page.get_by_test_id("risks-moderate")).to_have_text("3")


def test_a_lead_adds_the_risk_that_is_new_this_quarter(site, page):
    sign_in(page, site, "lead")
    page.goto(f"{site}/risks/")
    page.get_by_role("link", name="Add a risk").click()
    check_at_both_widths(page, "risk-add")
    page.get_by_label("Reference").fill("SR7.10")
    page.get_by_label("Title").fill("Sufficiency of children's homes places")
    page.get_by_label("Register", exact=True).select_option(index=1)
    page.get_by_label("Inherent impact").select_option("4")
    page.get_by_label("Inherent likelihood").select_option("4")
    page.get_by_label("New this quarter").check()
    page.get_by_role("button", name="Add the risk").click()
    expect(page.get_by_text("SR7.10 added.")).to_be_visible()
    expect(page.get_by_role("heading", name="SR7.10")).to_be_visible()
    assert_accessible(page)
    page.goto(f"{site}/risks/")
    expect(page.get_by_role("link", name="SR7.10")).to_be_visible()
