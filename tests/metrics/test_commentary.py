"""Commentary: drafted from the figures in the house style, edited by a person, shown safely."""

from datetime import date

import pytest

from metrics.commentary import render
from metrics.models import Commentary, Measure
from scrutiny import roles
from tests.factories import make_measure, make_observation


@pytest.fixture
def csc07(db):
    """A quarterly measure with its 2022/23 Q1 figure published."""
    measure = make_measure(code="CSC07", name="% of Single Assessments in 45 working days")
    make_observation(measure=measure, period_end=date(2022, 6, 1), value="80.4")
    Measure.objects.filter(pk=measure.pk).recompute_statuses()
    return measure


def test_a_draft_reads_like_the_councils_own_commentary(client_for, settings):
    from metrics.models import Comparator
    from tests.factories import make_target

    # CSC07 as the Q1 2022/23 scorecard prints it.
    settings.AS_AT = date(2022, 9, 14)
    measure = make_measure(
        code="CSC07", name="% of Single Assessments completed within 45 working days"
    )
    for month, value in ((6, "80.9"), (9, "79.6"), (12, "78.3")):
        make_observation(measure=measure, period_end=date(2021, month, 1), value=value)
    make_observation(measure=measure, period_end=date(2022, 3, 1), value="77.4")
    make_observation(measure=measure, period_end=date(2022, 6, 1), value="80.4")
    make_target(measure=measure, value="90", effective_from=date(2021, 4, 1))
    Comparator.objects.create(
        measure=measure, kind=Comparator.Kind.PEER_GROUP, label="Peer group average", value="86.9"
    )
    Measure.objects.filter(pk=measure.pk).recompute_statuses()
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


def test_a_saved_draft_is_not_shown_to_members_until_the_period_is_published(client_for, csc07):
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


def test_save_and_publish_is_a_deliberate_choice_for_a_published_period(client_for, csc07):
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


def test_only_officers_write_commentary(client_for, csc07):
    assert client_for(roles.COMMITTEE_MEMBER).get("/measures/CSC07/commentary/").status_code == 403


@pytest.mark.django_db
def test_the_reports_narrative_opens_the_scorecard_and_the_pack(demo, client_for):
    """All 30 blocks of the Q1 2022/23 narrative (seed 003, lines 6067-6237): the 24 numbered
    paragraphs and the six that continue them."""
    from metrics.models import Narrative
    from scrutiny.models import MeetingPack

    narrative = Narrative.objects.get()
    assert len(narrative.paragraphs) == 30
    assert narrative.paragraphs[0].startswith("1. Workforce stability and capacity remain")
    assert narrative.paragraphs[-1].startswith("24. In Quarter 1, a quarter of our school aged")
    assert sum(p.split(". ")[0].isdigit() for p in narrative.paragraphs) == 24
    page = client_for(roles.COMMITTEE_MEMBER).get("/scorecards/childrens-social-care/")
    text = page.content.decode()
    assert "The report's narrative, 2022/23 Q1 (30 paragraphs)" in text
    assert "Repeat protection planning was better than target for the first time" in text
    pack = MeetingPack.objects.latest("version")
    area = next(a for a in pack.snapshot["scorecards"] if a["slug"] == "childrens-social-care")
    assert area["narrative"]["paragraphs"][4].startswith("4. Post-inspection")


@pytest.mark.django_db
def test_a_draft_narrative_is_seen_by_officers_and_published_with_the_figures(client_for, users):
    from metrics import loading
    from metrics.models import Narrative
    from tests.factories import make_area, make_measure, make_observation

    area = make_area(slug="early-help", name="Early Help")
    measure = make_measure(area=area)
    make_observation(measure=measure, value=70, published=False)
    measure.__class__.objects.filter(pk=measure.pk).recompute_statuses()
    officer = client_for(roles.PERFORMANCE_OFFICER)
    form = officer.get("/scorecards/early-help/narrative/").content.decode()
    assert "not published yet" in form
    response = officer.post(
        "/scorecards/early-help/narrative/",
        {"period": "2022-06", "text": "First paragraph.\n\nSecond paragraph."},
    )
    assert response.status_code == 302
    saved = Narrative.objects.get()
    assert saved.paragraphs == ["First paragraph.", "Second paragraph."] and not saved.published
    page = officer.get("/scorecards/early-help/").content.decode()
    assert "Second paragraph." in page
    member = client_for(roles.COMMITTEE_MEMBER)
    assert "Second paragraph." not in member.get("/scorecards/early-help/").content.decode()
    loading.publish(area, saved.period, users[roles.PERFORMANCE_OFFICER])
    measure.__class__.objects.filter(pk=measure.pk).recompute_statuses()  # the worker's job
    member = client_for(roles.COMMITTEE_MEMBER)
    assert "Second paragraph." in member.get("/scorecards/early-help/").content.decode()
    assert member.get("/scorecards/early-help/narrative/").status_code == 403


@pytest.mark.django_db
def test_publishing_lists_red_measures_without_commentary_and_keeps_the_list(client_for):
    from metrics.models import Publication
    from tests.factories import (
        make_area,
        make_commentary,
        make_measure,
        make_observation,
        make_target,
    )

    area = make_area(slug="early-help", name="Early Help")
    silent = make_measure(area=area, code="EH1", name="Early help assessments in time")
    explained = make_measure(area=area, code="EH2", name="Families stepped down")
    for measure in (silent, explained):
        make_target(measure=measure, value=80)
        make_observation(measure=measure, value=50, published=False)  # far below: red
    make_commentary(measure=explained, text="Why it fell.")
    silent.__class__.objects.filter(area=area).recompute_statuses()
    officer = client_for(roles.PERFORMANCE_OFFICER)
    page = officer.get("/publish/").content.decode()
    assert "1 red measure without commentary" in page
    assert "Early help assessments in time" in page and "Families stepped down" not in page
    response = officer.post(
        "/publish/",
        {
            "area": "early-help",
            "period_kind": silent.frequency,
            "period_end": "2022-06-01",
            "action": "publish",
        },
        follow=True,
    )
    assert "Red without commentary, kept in the log: EH1 Early help assessments in time" in (
        response.content.decode()
    )
    assert Publication.objects.get().red_without_commentary == "EH1 Early help assessments in time"


@pytest.mark.django_db
def test_every_measures_commentary_is_written_in_one_page_red_first_saving_each_row(client_for):
    from metrics.models import Commentary
    from tests.factories import make_area, make_measure, make_observation, make_target

    area = make_area(slug="early-help", name="Early Help")
    fine = make_measure(area=area, code="EH1", name="Families helped early", order=1)
    worst = make_measure(area=area, code="EH2", name="Assessments in time", order=2)
    make_target(measure=fine, value=50)
    make_target(measure=worst, value=80)
    make_observation(measure=fine, value=60, published=False)
    make_observation(measure=worst, value=40, published=False)
    fine.__class__.objects.filter(area=area).recompute_statuses()
    officer = client_for(roles.PERFORMANCE_OFFICER)
    page = officer.get("/scorecards/early-help/commentary/").content.decode()
    assert page.index("Assessments in time") < page.index("Families helped early")  # red first
    saved = officer.post(
        "/scorecards/early-help/commentary/",
        {"period": "2022-06", "measure": "EH2", "text": "Two teams were short of staff."},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert saved.strip().startswith('<div class="commentary-row')  # only the row comes back
    assert "Saved as a draft" in saved and "Two teams were short of staff." in saved
    officer.post(
        "/scorecards/early-help/commentary/",
        {"period": "2022-06", "measure": "EH1", "text": "On target."},
    )
    assert list(Commentary.objects.order_by("pk").values_list("measure__code", "published")) == [
        ("EH2", False),
        ("EH1", False),
    ]
    assert (
        officer.post(
            "/scorecards/early-help/commentary/", {"period": "2022-06", "measure": "NOPE"}
        ).status_code
        == 404
    )
    member = client_for(roles.COMMITTEE_MEMBER)
    assert member.get("/scorecards/early-help/commentary/").status_code == 403


def test_writing_commentary_keeps_every_version_and_refreshes_the_areas_pages(db):
    from metrics.calculations import Period
    from metrics.models import Commentary, ServiceArea
    from tests.factories import make_measure, make_user

    measure = make_measure()
    officer = make_user(role=roles.PERFORMANCE_OFFICER)
    period = Period(date(2022, 6, 1), "quarter")
    before = ServiceArea.objects.get(pk=measure.area_id).figures_version
    first = Commentary.write(measure, period, "  First words. ", by=officer, publish=False)
    second = Commentary.write(measure, period, "Better words.", by=officer, publish=True)
    assert Commentary.last_written(measure, period.end) == second
    assert first.text == "First words." and not first.published and second.published
    assert measure.commentary.count() == 2  # the first is kept
    assert ServiceArea.objects.get(pk=measure.area_id).figures_version == before + 2


def test_a_narrative_version_is_kept_and_published_only_with_its_figures(db):
    from metrics.calculations import Period
    from metrics.models import Narrative
    from tests.factories import make_measure, make_observation, make_user

    measure = make_measure()
    area = measure.area
    officer = make_user(role=roles.PERFORMANCE_OFFICER)
    period = Period(date(2022, 6, 1), "quarter")
    make_observation(measure=measure, period_end=period.end, published=False)
    assert not area.published_in(period)
    draft = Narrative.write(area, period, " A hard quarter. ", by=officer, publish=False)
    assert Narrative.latest(area, period, drafts=False) is None
    assert Narrative.latest(area, period, drafts=True) == draft and draft.text == "A hard quarter."
