"""A member meets a term, reads what it means on the page, and finds it in the glossary."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, overflow, screenshot, sign_in

pytestmark = pytest.mark.browser


def test_a_member_reads_what_a_term_means_where_it_is_used_and_in_the_glossary(site, page):
    from scrutiny.glossary import starter_terms
    from scrutiny.models import GlossaryTerm

    for term in starter_terms():  # a transactional test starts from an empty database
        GlossaryTerm.objects.get_or_create(slug=term["slug"], defaults=term)
    sign_in(page, site, "member")
    page.goto(site + "/measures/CSC17/")
    marked = page.locator("h1 abbr.glossary-term")
    expect(marked).to_have_attribute("title", "Not in education, employment or training")
    page.get_by_text("Words used on this page").click()
    words = page.locator("#words-on-this-page")
    expect(words).to_contain_text("A young person who is not studying, in a job or in training")
    assert_accessible(page)

    page.get_by_role("link", name="Glossary").last.click()
    expect(page.get_by_role("heading", name="Glossary", level=1)).to_be_visible()
    expect(page.locator("#alternative-provision")).to_contain_text(
        "Education arranged for pupils who cannot attend a mainstream school"
    )
    assert_accessible(page)
    screenshot(page, "member-glossary")
    page.set_viewport_size({"width": 320, "height": 800})
    assert overflow(page) <= 0
    assert_accessible(page)
    screenshot(page, "member-glossary-320")
