"""The glossary: every term a member meets, in plain English, marked where a page first uses
it, and kept by officers with a trail."""

import pytest

from scrutiny import roles
from scrutiny.audit import AuditEntry
from scrutiny.glossary import Marker, starter_terms
from scrutiny.models import GlossaryTerm


def _terms(*rows):
    return [
        GlossaryTerm(
            term=term,
            slug=term.lower().replace(" ", "-"),
            expansion=expansion,
            also=also,
            definition=f"About {term}.",
        )
        for term, expansion, also in rows
    ]


def test_only_the_first_use_on_a_page_is_marked_and_abbreviations_keep_their_case():
    marker = Marker(
        _terms(("CIN", "Child in need", "children in need"), ("NEET", "Not in education", ""))
    )
    first = marker.mark("Children in need (CIN) and cin; NEET rates")
    assert first == (
        '<abbr class="glossary-term" title="Child in need">Children in need</abbr> (CIN) and '
        'cin; <abbr class="glossary-term" title="Not in education">NEET</abbr> rates'
    )
    assert marker.mark("More CIN") == "More CIN"  # already explained on this page
    assert [t.term for t in marker.used] == ["CIN", "NEET"]


def test_the_longest_form_wins_and_words_inside_other_words_are_left_alone():
    marker = Marker(
        _terms(("CP", "Child protection", ""), ("CP plan", "Child protection plan", ""))
    )
    assert marker.mark("a CP plan, CPR") == (
        'a <abbr class="glossary-term" title="Child protection plan">CP plan</abbr>, CPR'
    )


def test_hostile_text_is_escaped_before_terms_are_marked():
    marker = Marker(_terms(("CIN", "Child in need", "")))
    marked = marker.mark('<script>alert("CIN")</script>')
    assert "<script>" not in marked and "&lt;script&gt;" in marked


@pytest.mark.django_db
def test_every_council_starts_with_the_terms_members_ask_about(client_for):
    slugs = set(GlossaryTerm.objects.values_list("slug", flat=True))
    assert {t["slug"] for t in starter_terms()} <= slugs
    page = client_for(roles.COMMITTEE_MEMBER).get("/glossary/").content.decode()
    for words in (
        "Alternative provision",
        "Statistical neighbours",
        "EHCP",
        "Tolerance",
        "Special cause variation",
        "Snapshot",
    ):
        assert words in page
    assert "Add a term" not in page


@pytest.mark.django_db
def test_an_officer_adds_and_changes_a_term_with_a_reason_kept(client_for):
    client = client_for(roles.PERFORMANCE_OFFICER)
    response = client.post(
        "/glossary/add/",
        {
            "term": "MASH",
            "expansion": "Multi-agency safeguarding hub",
            "definition": "Where agencies share what they know about a child referred.",
            "source": "Working Together",
            "also": "",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/glossary/#mash"
    duplicate = client.post("/glossary/add/", {"term": "mash", "definition": "x"})
    assert "The glossary already has MASH." in duplicate.content.decode()
    no_reason = client.post(
        "/glossary/mash/change/",
        {"term": "MASH", "definition": "Changed.", "expansion": "", "also": "", "source": ""},
    )
    assert "Say why this is being changed." in no_reason.content.decode()
    client.post(
        "/glossary/mash/change/",
        {
            "term": "MASH",
            "definition": "Changed.",
            "expansion": "",
            "also": "",
            "source": "",
            "reason": "Plainer",
        },
    )
    entry = AuditEntry.objects.filter(field="definition").latest("pk")
    assert (entry.old_value, entry.new_value, entry.reason) == (
        "Where agencies share what they know about a child referred.",
        "Changed.",
        "Plainer",
    )
    member = client_for(roles.COMMITTEE_MEMBER)
    assert member.post("/glossary/add/", {"term": "X", "definition": "y"}).status_code == 403


@pytest.mark.django_db
def test_a_page_marks_its_terms_and_ends_with_their_definitions(client_for):
    from tests.factories import make_measure

    make_measure(code="CSC17", name="% of care leavers NEET")
    page = client_for(roles.COMMITTEE_MEMBER).get("/measures/CSC17/").content.decode()
    assert '<abbr class="glossary-term" title="Not in education, employment or training">NEET' in (
        page
    )
    words = page[page.index('id="words-on-this-page"') :]
    assert "NEET" in words and 'href="/glossary/#neet"' in words
