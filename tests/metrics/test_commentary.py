"""Commentary: drafted from the figures in the house style, edited by a person, shown safely."""

from metrics.commentary import render
from metrics.models import Commentary
from scrutiny import roles


def test_a_draft_reads_like_the_councils_own_commentary(client_for, demo):
    client = client_for(roles.PERFORMANCE_OFFICER)
    before = Commentary.objects.count()
    page = client.post(
        "/measures/CSC07/commentary/", {"period": "2022-06", "action": "draft", "text": ""}
    )
    text = page.context["form"].data["text"]
    assert text == (
        "% of Single Assessments completed within 45 working days improved in 2022/23 Q1 "
        "(80.4%, up from 77.4% in 2021/22 Q4). This is significantly worse than target "
        "(target 90.0%); the peer group average is 86.9%. Over the year, performance was "
        "broadly unchanged (from 80.9% in 2021/22 Q1)."
    )
    assert "nothing is saved or published yet" in page.content.decode()
    assert Commentary.objects.count() == before


def test_a_saved_draft_is_not_shown_to_members_until_the_period_is_published(client_for, demo):
    officer = client_for(roles.PERFORMANCE_OFFICER)
    officer.post(
        "/measures/CSC07/commentary/",
        {"period": "2022-06", "action": "save", "text": "Locality spread remains *uneven*."},
    )
    saved = Commentary.objects.filter(measure__code="CSC07").latest("written_at")
    assert not saved.published and saved.written_by.username == "officer"
    assert "<em>uneven</em>" in officer.get("/measures/CSC07/").content.decode()
    member_view = client_for(roles.COMMITTEE_MEMBER).get("/measures/CSC07/").content.decode()
    assert "uneven" not in member_view


def test_save_and_publish_is_a_deliberate_choice_for_a_published_period(client_for, demo):
    officer = client_for(roles.PERFORMANCE_OFFICER)
    officer.post(
        "/measures/CSC07/commentary/",
        {"period": "2022-06", "action": "publish", "text": "Improved, but off target."},
    )
    assert Commentary.objects.filter(measure__code="CSC07").latest("written_at").published
    member_view = client_for(roles.COMMITTEE_MEMBER).get("/measures/CSC07/").content.decode()
    assert "Improved, but off target." in member_view


def test_markdown_is_sanitised():
    html = render(
        "**Bold** <script>alert(1)</script> [x](javascript:alert(1)) "
        "<img src=x onerror=alert(1)> [ok](https://example.org)"
    )
    assert "<strong>Bold</strong>" in html
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html
    assert '<a href="https://example.org" rel="noopener noreferrer">ok</a>' in html


def test_only_officers_write_commentary(client_for, demo):
    assert client_for(roles.COMMITTEE_MEMBER).get("/measures/CSC07/commentary/").status_code == 403
