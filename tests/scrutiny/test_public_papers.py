"""The committee's papers on the public pages: off until the council turns each on, then the
published, signed-off view only, with names and questions only where the council chooses."""

import re
from datetime import date

import pytest
from django.utils import timezone

from scrutiny.models import Committee, MeetingPack, Question
from scrutiny.packs import publish

PARTS = {
    "public_risks": ["/public/risks/"],
    "public_plan": ["/public/plan/"],
    "public_packs": ["/public/packs/", "/public/packs/{pack}/"],
}


def _every_url(pack):
    return ["/public/"] + [u.format(pack=pack.pk) for urls in PARTS.values() for u in urls]


@pytest.fixture
def committee(demo):
    return Committee.objects.get()


def test_nothing_is_public_until_turned_on_and_every_url_goes_when_turned_off(client, committee):
    pack = MeetingPack.objects.get()
    for url in _every_url(pack):
        assert client.get(url).status_code == 404, url
    for flag, urls in PARTS.items():
        Committee.objects.filter(pk=committee.pk).update(**{flag: True})
        for url in ["/public/", *urls]:
            assert client.get(url.format(pack=pack.pk)).status_code == 200, url
        for other, other_urls in PARTS.items():
            if other != flag:
                for url in other_urls:
                    assert client.get(url.format(pack=pack.pk)).status_code == 404, url
        Committee.objects.filter(pk=committee.pk).update(**{flag: False})
    for url in _every_url(pack):
        assert client.get(url).status_code == 404, url


NAMES = [
    "Andy Dempsey",  # presenting an agenda item
    "Kirsten Harrison",  # presenting, and a budget holder in the finance report
    "Spencer, Chris",  # a risk owner
]


def test_public_pages_name_no_one_unless_the_council_chooses(client, committee):
    Committee.objects.filter(pk=committee.pk).update(
        public_packs=True, public_risks=True, public_plan=True
    )
    pack = MeetingPack.objects.get()
    pages = {url: client.get(url).content.decode() for url in _every_url(pack)}
    for url, page in pages.items():
        for name in NAMES:
            assert name not in page, (url, name)
    pack_page = pages[f"/public/packs/{pack.pk}/"]
    assert "£17.286m" in pack_page and "Quality assurance: Jul 2022" in pack_page
    assert "Alternative Provision" in pack_page  # the reports' text is public

    Committee.objects.filter(pk=committee.pk).update(public_names=True)
    named = client.get(f"/public/packs/{pack.pk}/").content.decode()
    assert "Andy Dempsey" in named and "Kirsten Harrison" in named
    assert "Spencer, Chris" in client.get("/public/risks/").content.decode()


def test_questions_are_public_only_where_the_council_chooses(client, committee, users):
    from scrutiny.roles import COMMITTEE_MEMBER, PERFORMANCE_OFFICER

    meeting = committee.meetings.order_by("-date").first()
    asker = users[COMMITTEE_MEMBER]
    asker.first_name, asker.last_name = "Olwen", "Quarrie"
    asker.save()
    Question.objects.create(
        meeting=meeting,
        asked_by=users[COMMITTEE_MEMBER],
        text="What is alternative provision costing us?",
        submitted_at=timezone.now(),
        status="answered",
        answer="About a million pounds a year.",
        answered_by=users[PERFORMANCE_OFFICER],
    )
    pack = publish(meeting, None, today=date(2022, 9, 14))
    Committee.objects.filter(pk=committee.pk).update(public_packs=True)
    page = client.get(f"/public/packs/{pack.pk}/").content.decode()
    assert "What is alternative provision costing us?" not in page
    assert "Questions and answers" not in page
    Committee.objects.filter(pk=committee.pk).update(public_questions=True)
    page = client.get(f"/public/packs/{pack.pk}/").content.decode()
    assert "What is alternative provision costing us?" in page
    assert "About a million pounds a year." in page
    assert "Olwen Quarrie" not in page  # no names still
    assert "Asked about" in page


def test_a_public_pack_is_the_frozen_pack_not_todays_figures(client, committee):
    from metrics.models import FinanceLine

    Committee.objects.filter(pk=committee.pk).update(public_packs=True)
    pack = MeetingPack.objects.get()

    def read():
        page = client.get(f"/public/packs/{pack.pk}/").content.decode()
        return re.sub(r'(nonce="|"X-CSRFToken": ")[^"]*"', "", page)

    before = read()
    FinanceLine.objects.filter(name="Schools").update(variance_total=1)
    assert read() == before
    assert "15,317" in before
