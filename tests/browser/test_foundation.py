"""Signing in as each role, the home page, and the pages everyone can reach."""

import pytest
from playwright.sync_api import expect

from scrutiny import roles
from tests.browser.conftest import assert_accessible, overflow, screenshot, sign_in
from tests.conftest import ROLE_USERNAMES

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("role", roles.ROLES)
def test_each_role_signs_in_and_sees_the_demo_councils_dashboard(site, page, role):
    sign_in(page, site, ROLE_USERNAMES[role])
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    expect(page.get_by_text(role, exact=True).first).to_be_visible()
    expect(page.get_by_test_id("headline-childrens-social-care")).to_have_text("29.4%")
    screenshot(page, f"home-{ROLE_USERNAMES[role]}")


def test_sign_in_home_and_accessibility_statement_have_no_serious_violations(site, page):
    page.goto(f"{site}/accounts/login/")
    assert_accessible(page)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "login-error")
    page.goto(f"{site}/accessibility/")
    expect(page.get_by_role("heading", name="Accessibility statement", level=1)).to_be_visible()
    assert_accessible(page)
    sign_in(page, site, "member")
    assert_accessible(page)


def test_the_skip_link_takes_keyboard_users_to_the_content(site, page):
    sign_in(page, site, "director")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert skip.evaluate("element => element === document.activeElement")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"


def test_the_dashboard_fits_a_320_pixel_screen(site, page):
    sign_in(page, site, "member")
    page.set_viewport_size({"width": 320, "height": 800})
    page.reload()
    screenshot(page, "home-320px")
    assert overflow(page) <= 0


def test_signing_out_returns_to_sign_in(site, page):
    sign_in(page, site, "member")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{site}/accounts/login/")
    page.goto(f"{site}/")
    assert "/accounts/login/" in page.url
