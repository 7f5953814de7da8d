"""The improvement plan in a browser: dashboard to workstream, an update written and signed off,
an action completed, and the Ofsted coverage page."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, check_at_both_widths, screenshot, sign_in

pytestmark = pytest.mark.browser


def test_a_lead_reports_on_workstream_1_1_and_the_director_signs_it_off(site, page):
    sign_in(page, site, "lead")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Improvement plan").click()
    expect(page.get_by_role("heading", name="Continuous Improvement Plan v2.0")).to_be_visible()
    expect(page.get_by_text("Actions reported on target while metrics regressed")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "plan-dashboard")

    page.get_by_role("link", name="1.1 Workforce Recruitment and Retention").click()
    expect(
        page.get_by_role("heading", name="1.1 Workforce Recruitment and Retention")
    ).to_be_visible()
    expect(page.get_by_text("Ann James").first).to_be_visible()
    assert_accessible(page)
    screenshot(page, "plan-workstream")

    page.get_by_role("link", name="Write the update for 1 July 2022 to 30 September 2022").click()
    expect(page.get_by_text("It will not be changed")).to_have_count(0)
    page.get_by_label("Comment about overall status").fill("")
    page.get_by_role("button", name="Save the update").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Say in a sentence or two how the workstream stands overall."
    )
    assert_accessible(page)
    page.get_by_role("group", name="Actions status").get_by_label("On target").check()
    page.get_by_role("group", name="Impact status").get_by_label("At risk").check()
    page.get_by_label("Comment about overall status").fill(
        "Turnover is still 25%; the workforce strategy is drafted."
    )
    page.get_by_label("Progress made this period").fill(
        "Workforce strategy drafted\nInduction reviewed"
    )
    page.get_by_role("button", name="Save the update").click()
    expect(page.get_by_text("A director signs it off.")).to_be_visible()
    expect(page.get_by_text("Awaiting sign-off").first).to_be_visible()

    page.get_by_role("link", name="1.1-A03", exact=True).click()
    expect(page.get_by_role("heading", name="Key action 1.1-A03")).to_be_visible()
    page.get_by_label("Completed", exact=True).check()
    page.get_by_label("Completed on").fill("2022-06-30")
    page.get_by_label("Evidence").fill("Microsite relaunched (progress report, July 2022)")
    page.get_by_role("button", name="Save the action").click()
    expect(page.get_by_text("1.1-A03 saved.")).to_be_visible()
    page.get_by_role("link", name="1.1-A03", exact=True).click()
    expect(page.get_by_role("cell", name="not_reported")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "plan-action")

    page.context.clear_cookies()
    sign_in(page, site, "director")
    page.goto(f"{site}/plan/")
    page.get_by_role("link", name="1.1 Workforce Recruitment and Retention").click()
    page.get_by_role(
        "button", name="Sign off the update for 1 July 2022 to 30 September 2022"
    ).click()
    expect(
        page.get_by_text("Signed off the update for 1 July 2022 to 30 September 2022")
    ).to_be_visible()
    expect(page.get_by_text("Turnover is still 25%").first).to_be_visible()

    page.get_by_role("link", name="Improvement plan v2.0").click()
    page.get_by_role("link", name="Ofsted recommendations and the actions that answer them").click()
    expect(page.get_by_role("heading", name="Ofsted recommendations and the plan")).to_be_visible()
    for reference in ("R1", "R2", "R3", "R4", "R5"):
        expect(page.get_by_role("heading", name=f"{reference}:", exact=False)).to_be_visible()
    expect(page.get_by_role("row", name="1.4-A").first).to_be_visible()
    assert_accessible(page)
    screenshot(page, "plan-coverage")

    for path in ("/plan/actions/?state=overdue", "/inspections/"):
        page.goto(f"{site}{path}")
        assert_accessible(page)
    page.get_by_role("link", name="ILACS standard inspection").click()
    expect(page.get_by_text("Andrew Waugh")).to_be_visible()
    assert_accessible(page)


def test_the_plans_set_up_pages_have_no_serious_accessibility_violations(site, page):
    sign_in(page, site, "lead")
    page.goto(f"{site}/plan/")
    page.get_by_role("link", name="1.1 Workforce Recruitment and Retention").click()
    page.get_by_role("link", name="Job microsite relaunch").click()
    expect(page.get_by_text("The month is not in the papers")).to_be_visible()
    page.get_by_label("Reached", exact=True).check()
    page.get_by_role("button", name="Save the milestone").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Give the date the milestone was reached."
    )
    assert_accessible(page)

    page.context.clear_cookies()
    sign_in(page, site, "director")
    page.goto(f"{site}/plan/")
    page.get_by_role("link", name="Record the statuses of priority 1").click()
    page.get_by_role("button", name="Record the statuses").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Choose the status of the priority's actions."
    )
    assert_accessible(page)
    page.get_by_role("group", name="Actions status").get_by_label("At risk").check()
    page.get_by_role("group", name="Impact status").get_by_label("At risk").check()
    page.get_by_role("button", name="Record the statuses").click()
    expect(page.get_by_text("Statuses recorded for priority 1.")).to_be_visible()

    page.get_by_role("link", name="Start a new version of the plan").click()
    assert_accessible(page)
    page.get_by_label("Version").fill("v3.0")
    page.get_by_role("button", name="Start the new version").click()
    expect(page.get_by_role("heading", name="Continuous Improvement Plan v3.0")).to_be_visible()
    page.get_by_role("link", name="v2.0").click()
    expect(page.get_by_text("This is version v2.0, kept as it stood.")).to_be_visible()
    assert_accessible(page)


def test_a_lead_adds_a_key_action_to_a_workstream(site, page):
    sign_in(page, site, "lead")
    page.goto(f"{site}/plan/")
    page.get_by_role("link", name="1.1", exact=False).first.click()
    page.get_by_role("link", name="Add a key action").click()
    check_at_both_widths(page, "plan-action-add")
    page.get_by_label("Reference").fill("1.1-A99")
    page.get_by_label("The action").fill("Offer a relocation package to social workers")
    page.get_by_label("Due by (month)").fill("2022-12")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("cell", name="1.1-A99 Offer a relocation")).to_be_visible()
