"""The 15 September 2022 pack, built from the demo, holds everything the paper pack holds: each
item of the meeting's agenda (the seed's contents) is in the pack page, its frozen snapshot at
/api/v1/packs/<id> and its PDF."""

import io
import json
import re

import pytest

from metrics.demo import FIXTURES
from scrutiny import roles
from scrutiny.models import MeetingPack


def _agenda():
    committee = json.load(open(FIXTURES / "committee.json", encoding="utf-8"))
    (meeting,) = [m for m in committee["meetings"] if m["date"] == "2022-09-15"]
    return meeting["agenda"], committee["work_programme"]


# What each item of the agenda puts in the pack: words the reader finds there.
CONTENTS = {
    "Gloucestershire Family Hubs": ["To update on the Family Hubs model for Gloucestershire"],
    "Alternative Provision Transformation - Progress Report": [
        "Alternative Provision Transformation"
    ],
    "Fostering Service Annual Report 2021/22": ["Fostering Service Annual Report 2021/22"],
    "Improvement Board update and Improvement Plan": ["Continuous Improvement Plan"],
    "Performance Report: scorecard, Quarter 1 2022/23": [
        "Children's Social Care",
        "2022/23 Q1",
        "Initial visits in time",
        "Workforce stability and capacity remain significant challenges",
    ],
    "Strategic Risk Register, Quarter 1 2022/23": ["SR7.2", "SR7.5"],
    "Quality Assurance Framework": [
        "Quality assurance",
        "Jul 2022",
        "Decreased from 44 in June",
        "Audits completed to the accepted standard and uploaded",
    ],
    "Revenue Monitoring Report": ["£17.286m", "13.73%", "Total Agency Placements"],
}


def _words(text):
    return re.sub(r"\s+", " ", text.replace("&#x27;", "'").replace("&amp;", "&"))


@pytest.fixture
def pack_texts(demo, client_for, settings, tmp_path):
    from pypdf import PdfReader

    from scrutiny.pdf import build

    settings.MEDIA_ROOT = tmp_path
    pack = MeetingPack.objects.get(meeting__date="2022-09-15")
    member = client_for(roles.COMMITTEE_MEMBER)
    page = member.get(pack.get_absolute_url()).content.decode()
    api = member.get(f"/api/v1/packs/{pack.pk}").json()
    build(pack.pk)
    pack.refresh_from_db()
    assert pack.pdf_status == MeetingPack.PdfStatus.READY, pack.pdf_error
    reader = PdfReader(io.BytesIO(pack.pdf.open("rb").read()))
    pdf = " ".join(p.extract_text() for p in reader.pages)
    root = reader.trailer["/Root"]
    # Tagged for screen readers (PDF/UA), in English.
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root and root["/Lang"] == "en-GB"
    assert root["/Outlines"]["/Count"] > 10  # headings as bookmarks
    figures = []

    def walk(node):
        node = node.get_object()
        if isinstance(node, dict):
            if node.get("/S") == "/Figure":
                figures.append(node.get("/Alt"))
            kids = node.get("/K")
            for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
                if hasattr(kid, "get_object"):
                    walk(kid)

    walk(root["/StructTreeRoot"])
    assert figures and all(figures), "every chart in the PDF has alternative text"
    assert any("Trend over the periods shown: 44.0%" in str(alt) for alt in figures)
    return {
        "page": _words(page),
        "snapshot": _words(json.dumps(api, ensure_ascii=False)),
        "pdf": _words(pdf),
    }


def test_every_item_of_the_agenda_is_in_the_pack_its_snapshot_and_its_pdf(pack_texts):
    agenda, programme = _agenda()
    assert [item["title"] for item in agenda] == list(CONTENTS)
    for item in agenda:
        for words in CONTENTS[item["title"]] + [item["title"]]:
            for where, text in pack_texts.items():
                assert words in text, f"{item['title']}: '{words}' is not in the pack's {where}"
    # The work programme, to November 2023.
    for where, text in pack_texts.items():
        assert "Work programme" in text or where == "snapshot", where
        assert programme[0]["title"].split(" - ")[0] in text, where


def test_no_value_prints_as_a_bare_none(pack_texts):
    """A missing target, rank or band is said in words. "None." is an empty list in a
    sentence, and the reports' own "Recommendations: None – Report provided…" are the
    papers' words; any other "None" is a placeholder leaking through."""
    for where in ("page", "pdf"):
        text = pack_texts[where]
        leaks = [
            text[m.start() - 40 : m.end() + 20] for m in re.finditer(r"\bNone\b(?!\.| –)", text)
        ]
        assert leaks == [], (where, leaks)
