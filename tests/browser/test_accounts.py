"""An administrator's users and set-up pages, and a user's API tokens, in a browser at both
widths: axe-core clean, no page-level sideways scroll at 320 px, under the CSP."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import check_at_both_widths, sign_in

pytestmark = pytest.mark.browser


def test_an_administrator_invites_an_officer_and_reads_the_setup_checklist(site, page):
    sign_in(page, site, "admin")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Users").click()
    expect(page.get_by_role("heading", name="Users", level=1)).to_be_visible()
    check_at_both_widths(page, "users")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_label("Full name").fill("Ann Officer")
    page.get_by_label("E-mail address").fill("ann@example.org")
    page.get_by_label("Role").select_option("Performance officer")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_text("Ann Officer is invited")).to_be_visible()
    page.get_by_role("link", name="Ann Officer").click()
    expect(page.get_by_label("Role")).to_have_value("Performance officer")
    expect(page.get_by_role("cell", name="Performance officer")).to_be_visible()  # the trail
    check_at_both_widths(page, "user")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Set up").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Set up")
    check_at_both_widths(page, "setup")


def test_a_member_makes_an_api_token_that_expires(site, page):
    sign_in(page, site, "member")
    page.get_by_role("link", name="API tokens").click()
    page.get_by_label("What is the token for?").fill("Power BI")
    page.get_by_label("When should it stop working?").select_option("30")
    page.get_by_role("button", name="Create a token").click()
    expect(page.get_by_test_id("new-token")).to_be_visible()
    expect(page.get_by_text("Works until")).to_be_visible()
    check_at_both_widths(page, "api-tokens")


def test_democratic_services_add_a_meeting_and_an_agenda_item(site, page):
    sign_in(page, site, "admin")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Meetings").click()
    page.get_by_role("link", name="Members").first.click()
    expect(page.get_by_role("region", name="Members")).to_be_visible()
    check_at_both_widths(page, "committee-members")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Meetings").click()
    page.get_by_role("link", name="Add a meeting").click()
    check_at_both_widths(page, "meeting-add")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_label("Committee").select_option(index=1)
    page.get_by_label("Date").fill("2023-01-19")
    page.get_by_label("Place").fill("Shire Hall, Gloucester")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Thursday 19 January 2023")).to_be_visible()
    page.get_by_role("link", name="Add an agenda item").click()
    page.get_by_label("Number").fill("5")
    page.get_by_label("Title").fill("Fostering annual report")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("link", name="5. Fostering annual report")).to_be_visible()
    check_at_both_widths(page, "meeting-after-setup")
