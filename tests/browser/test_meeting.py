"""The scrutiny cycle in a browser: a member reads the 15 September 2022 pack and asks about a
red measure; the service lead answers, the director approves, the member reads the answer; a
figure is corrected and the pack keeps the old one while version 2 has the new; the PDF."""

import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.conftest import assert_accessible, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.services]


def test_a_question_on_a_red_measure_and_a_pack_that_does_not_change_under_the_member(
    site, page, worker
):
    sign_in(page, site, "member")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Meetings").click()
    expect(page.get_by_role("heading", name="Meetings", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Version 1 of the pack for 15 September 2022").click()
    expect(page.get_by_role("heading", name="Pack for Thursday 15 September 2022")).to_be_visible()
    initial_visits = page.get_by_role("row", name="% Initial visits in time CSC05")
    expect(initial_visits).to_contain_text("68.9%")
    expect(initial_visits).to_contain_text("Worse than tolerance")
    assert_accessible(page)
    screenshot(page, "pack-version-1")

    initial_visits.get_by_role("link", name="Ask a question").click()
    expect(page.get_by_role("heading", name="Ask a question")).to_be_visible()
    expect(page.get_by_text("Yours will be taken but marked late")).to_be_visible()
    page.get_by_role("button", name="Send the question").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Write your question.")
    assert_accessible(page)
    page.get_by_label("Your question", exact=True).fill(
        "Initial visits in time fell to 68.9% against 85%. What is being done about it?"
    )
    page.get_by_role("button", name="Send the question").click()
    expect(page.get_by_text("Your question was sent, after the deadline")).to_be_visible()
    expect(page.get_by_role("row", name="Initial visits in time fell")).to_contain_text("Late")
    assert_accessible(page)

    page.context.clear_cookies()
    sign_in(page, site, "lead")
    page.get_by_role("link", name="1 question to answer, 0 answers to approve").click()
    page.get_by_role("link", name="Initial visits in time fell").first.click()
    page.get_by_label("Answer").fill("Visits are now tracked daily; June was 74%.")
    page.get_by_role("button", name="Save the answer for approval").click()
    expect(page.get_by_text("A director approves it")).to_be_visible()
    assert_accessible(page)

    page.context.clear_cookies()
    sign_in(page, site, "director")
    page.get_by_role("link", name="0 questions to answer, 1 answer to approve").click()
    page.get_by_role("link", name="Initial visits in time fell").first.click()
    page.get_by_role("button", name="Approve the answer").click()
    expect(page.get_by_text("Answer approved. The member is told.")).to_be_visible()

    page.context.clear_cookies()
    sign_in(page, site, "member")
    page.goto(f"{site}/questions/")
    page.get_by_role("link", name="Initial visits in time fell").first.click()
    expect(page.get_by_test_id("answer")).to_have_text(
        "Visits are now tracked daily; June was 74%."
    )
    assert_accessible(page)
    screenshot(page, "question-answered")

    # A correction after publication: version 1 keeps the figure it was published with.
    page.context.clear_cookies()
    sign_in(page, site, "officer")
    page.goto(f"{site}/measures/CSC05/correct/")
    page.get_by_label("Figure to correct").select_option(value="2022-06|")
    page.get_by_label("Correct value").fill("70.1")
    page.get_by_label("Reason").fill("Visits recorded late")
    page.get_by_role("button", name="Save the correction").click()
    page.goto(f"{site}/measures/CSC05/")
    expect(page.get_by_text("70.1%").first).to_be_visible(timeout=30_000)

    page.context.clear_cookies()
    sign_in(page, site, "director")
    page.goto(f"{site}/meetings/")
    page.get_by_role("link", name="Thursday 15 September 2022").click()
    expect(page.get_by_role("link", name="Version 1")).to_be_visible()
    page.get_by_label("Why publish a new version").fill("CSC05 for Q1 corrected")
    page.get_by_role("button", name="Publish version 2 of the pack").click()
    expect(page.get_by_test_id("pack-version")).to_contain_text("Version 2")
    expect(page.get_by_role("row", name="% Initial visits in time CSC05")).to_contain_text("70.1%")
    expect(page.get_by_role("link", name="Download the PDF")).to_be_visible(timeout=60_000)
    assert_accessible(page)
    screenshot(page, "pack-version-2")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the PDF").click()
    text = " ".join(
        p.extract_text()
        for p in PdfReader(io.BytesIO(open(download.value.path(), "rb").read())).pages
    )
    assert "% Initial visits in time" in text and "70.1%" in text

    page.get_by_role("link", name="version 1").click()
    expect(page.get_by_test_id("pack-version")).to_contain_text("Version 1")
    row = page.get_by_role("row", name="% Initial visits in time CSC05")
    expect(row).to_contain_text("68.9%")
    expect(row).not_to_contain_text("70.1%")


def test_the_scrutiny_pages_have_no_serious_accessibility_violations(site, page):
    sign_in(page, site, "director")
    for path in (
        "/meetings/",
        "/committees/children-and-families/work-programme/",
        "/committees/children-and-families/actions/",
        "/questions/",
    ):
        page.goto(f"{site}{path}")
        assert_accessible(page)
    page.goto(f"{site}/committees/children-and-families/actions/")
    page.get_by_role("link", name="CFOSC-22-01").click()
    expect(page.get_by_text("Overdue")).to_be_visible()
    page.get_by_role("button", name="Add the update").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say what has been done.")
    assert_accessible(page)
    page.get_by_label("Done").check()
    page.get_by_label("Update").fill("The Assistant Director attended on 24 November 2022")
    page.get_by_role("button", name="Add the update").click()
    expect(page.get_by_text("Action CFOSC-22-01 updated.")).to_be_visible()
    screenshot(page, "minute-action")
    page.goto(f"{site}/meetings/")
    page.get_by_role("link", name="Thursday 14 July 2022").click()
    expect(page.get_by_text("Cabinet Suite - Shire Hall, Gloucester")).to_be_visible()
    assert_accessible(page)
