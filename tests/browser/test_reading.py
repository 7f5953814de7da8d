"""What members and directors read: the dashboard, a scorecard and a measure, by mouse and by
keyboard, at 320 pixels, and every page checked with axe-core."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, overflow, screenshot, sign_in

pytestmark = pytest.mark.browser


def in_viewport(page, locator):
    box = locator.bounding_box()
    size = page.viewport_size
    return box and box["y"] >= 0 and box["y"] + box["height"] <= size["height"]


def test_a_director_sees_both_quarters_shares_and_reads_the_worst_measure(site, page):
    sign_in(page, site, "director")
    headline = page.get_by_test_id("headline-childrens-social-care")
    previous = page.get_by_test_id("previous-childrens-social-care")
    expect(headline).to_have_text("29.4%")
    expect(previous).to_contain_text("42.9% in 2021/22 Q4")
    assert in_viewport(page, headline) and in_viewport(page, previous), "both on one screen"
    page.screenshot(
        path=str(screenshot(page, "director-dashboard").with_name("director-dashboard-screen.png"))
    )

    worst = page.get_by_role("table").filter(has_text="Exceptions").first.get_by_role("link").first
    expect(worst).to_have_text("% Children in Care persistently absent")
    worst.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "% Children in Care persistently absent"
    )
    expect(page.locator(".js-plotly-plot")).to_be_visible()
    expect(page.get_by_role("table").filter(has_text="every period")).to_contain_text("24.5%")
    expect(
        page.get_by_role("table").filter(has_text="What other councils achieve")
    ).to_contain_text("Unknown")
    expect(page.locator(".commentary").first).to_contain_text(
        "a quarter of our school aged children in care"
    )
    assert_accessible(page)
    screenshot(page, "director-worst-measure")


def test_keyboard_only_from_the_dashboard_to_a_scorecard_to_a_measure(site, page):
    sign_in(page, site, "member")

    def tab_to(text, limit=80):
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.innerText || ''").strip().startswith(text):
                return
        raise AssertionError(f"could not reach '{text}' with the Tab key")

    tab_to("Scorecards")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Scorecards", level=1)).to_be_visible()
    tab_to("Children's Social Care")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Children's Social Care", level=1)).to_be_visible()
    tab_to("% Initial visits in time")
    # The focused link shows GOV.UK's yellow focus state, so a keyboard user can see it.
    background = page.evaluate("getComputedStyle(document.activeElement).backgroundColor")
    assert background == "rgb(255, 221, 0)"
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="% Initial visits in time", level=1)).to_be_visible()


def test_filtering_the_scorecard_updates_the_page_and_the_url(site, page):
    sign_in(page, site, "member")
    page.goto(f"{site}/scorecards/childrens-social-care/")
    page.get_by_label("Status").select_option("amber")
    expect(page.get_by_text("Showing 3 of 17 measures")).to_be_visible()
    assert "rag=amber" in page.url
    page.reload()
    expect(page.get_by_text("Showing 3 of 17 measures")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "scorecard-filtered")


@pytest.mark.parametrize("path", ["/", "/scorecards/childrens-social-care/", "/measures/CSC07/"])
def test_pages_work_at_320_pixels(site, page, path):
    sign_in(page, site, "member")
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"{site}{path}")
    assert overflow(page) <= 0, f"{path} scrolls sideways by {overflow(page)}px"


OFFICER_PAGES = [
    "/",
    "/scorecards/",
    "/scorecards/childrens-social-care/?rag=red&sort=direction",
    "/scorecards/improvement-plan-metrics/",
    "/measures/CSC07/",
    "/measures/CIP-3-5-K01/",
    "/upload/",
    "/publish/",
    "/measures/CSC05/correct/",
    "/measures/CSC07/commentary/",
    "/account/tokens/",
    "/accounts/password/",
    "/measures/NO-SUCH/",
]


def test_every_page_has_no_serious_accessibility_violations(site, page):
    sign_in(page, site, "officer")
    for path in OFFICER_PAGES:
        page.goto(f"{site}{path}")
        assert_accessible(page)
    page.context.clear_cookies()
    sign_in(page, site, "member")
    page.goto(f"{site}/upload/")
    expect(page.get_by_role("heading", name="You do not have access to this page")).to_be_visible()
    assert_accessible(page)


def test_the_scorecard_prints_on_a4_landscape_with_every_column(site, page):
    sign_in(page, site, "member")
    page.goto(f"{site}/scorecards/childrens-social-care/")
    page.emulate_media(media="print")
    cut = page.evaluate("""() => [...document.querySelectorAll('table.scorecard')]
        .filter(t => t.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
        .length""")
    assert cut == 0, "a scorecard table is wider than the printed page"
    expect(page.locator(".scorecard-filters")).to_be_hidden()
    pdf = page.pdf(prefer_css_page_size=True)
    # A4 landscape is 842 x 595 points.
    assert b"/MediaBox [0 0 841.91998 594.95996]" in pdf


def test_a_chart_downloads_as_png_and_svg(site, page):
    sign_in(page, site, "member")
    page.goto(f"{site}/measures/CSC07/")
    expect(page.locator(".js-plotly-plot")).to_be_visible()
    for fmt in ("PNG", "SVG"):
        with page.expect_download() as download:
            page.get_by_role("link", name=fmt, exact=True).click()
        assert download.value.suggested_filename == f"chart-CSC07.{fmt.lower()}"
