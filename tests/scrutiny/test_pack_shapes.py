"""A risk and the plan's overview have one shape: the API's, frozen as such by a pack. A pack
frozen in the earlier shape still reads as it did."""

import json
from datetime import date

from improvement_plan.models import ProgressStatus
from scrutiny import packs, roles
from scrutiny.models import MeetingPack
from tests.factories import (
    make_action,
    make_meeting,
    make_review,
    make_risk,
    make_update,
    make_workstream,
)


def _plan_and_risk():
    risk = make_risk(reference="SR7.5", title="Social worker turnover")
    make_review(risk=risk, quarter_end=date(2022, 3, 1), impact=4, likelihood=2)  # 8
    make_review(risk=risk, quarter_end=date(2022, 6, 1), impact=4, likelihood=3)  # 12
    # A review waiting for sign-off is no one's reading yet.
    make_review(risk=risk, quarter_end=date(2022, 9, 1), impact=5, likelihood=5, signed_off_at=None)
    workstream = make_workstream(number="1.1", title="Stable workforce")
    risk.workstreams.add(workstream)
    make_update(workstream=workstream, actions_status=ProgressStatus.AT_RISK)
    make_update(workstream=workstream, actions_status=ProgressStatus.COMPLETED, signed_off=False)
    make_action(workstream=workstream, due_month=date(2022, 6, 1))  # overdue by September
    make_action(workstream=workstream, due_month=date(2023, 3, 1))
    return risk


def test_a_pack_freezes_risks_and_the_plan_as_the_api_gives_them_to_a_member(client_for, settings):
    settings.AS_AT = date(2022, 9, 14)
    _plan_and_risk()
    pack = packs.publish(make_meeting(), None)
    member = client_for(roles.COMMITTEE_MEMBER)
    assert pack.snapshot["risks"] == json.loads(member.get("/api/v1/risks").content)
    assert pack.snapshot["plan"] == json.loads(member.get("/api/v1/plan").content)
    (risk,) = pack.snapshot["risks"]
    assert (risk["current"]["score"], risk["previous"]["score"], risk["proposed"]) == (12, 8, None)
    (workstream,) = pack.snapshot["plan"]["priorities"][0]["workstreams"]
    assert workstream["status"]["actions_status"] == "At risk"
    assert (workstream["overdue_actions"], sum(workstream["actions"].values())) == (1, 2)
    page = member.get(pack.get_absolute_url()).content.decode()
    assert f"{risk['current']['band']} 12" in page and f"{risk['previous']['band']} 8" in page
    assert "At risk" in page and "1 of 2" in page and "Completed" not in page


def _first_shape(snapshot):
    """``snapshot`` as a pack published before December 2026 stored it."""
    old = {key: value for key, value in snapshot.items() if key != "shape"}
    workstream = {
        "number": "1.1",
        "title": "Stable workforce",
        "lead": "A Lead",
        "period": "April to June 2022",
        "actions_status": "At risk",
        "impact_status": "In progress",
        "actions": 5,
        "overdue": 2,
        "metrics": {"improved": 1, "regressed": 2},
        "mixed_message": True,
    }
    risk = {
        "reference": "SR7.5",
        "title": "Social worker turnover",
        "owner": "Director of Children's Services",
        "band": "High",
        "score": 16,
        "quarter": "2022/23 Q1",
        "previous_band": "Moderate",
        "previous_score": 12,
        "direction": "increasing",
        "questioned": "",
    }
    row = {
        "code": "CSC05",
        "name": "Initial visits within timescale",
        "section": "Front door",
        "polarity": "Bigger is Better",
        "unit": "percent",
        "values": ["", "62.4%", "68.9%"],
        "numbers": [None, 62.4, 68.9],
        "value": "68.9%",
        "number": 68.9,
        "target": "85.0%",
        "rag": "red",
        "direction": "improving",
        "previous_rag": "red",
        "previous_value": "62.4%",
        "previous_number": 62.4,
        "commentary": "Recruitment is under way.",
        "comparators": ["England average: 70.1% (2021/22)"],
        "revision": "Revised on 1 September 2022: 68.0% → 68.9%, late returns",
    }
    old["scorecards"] = [
        {
            "name": "Children's social care",
            "slug": "csc",
            "period": "2022/23 Q1",
            "periods": ["2021/22 Q3", "2021/22 Q4", "2022/23 Q1"],
            "headline": {"judged": 1, "green": 0, "amber": 0, "red": 1, "share": 0.0},
            "measures": [row],
            "compare": [],
            "narrative": None,
        }
    ]
    mover = {**row, "area": "Children's social care", "from": "62.4%", "change": 10.4}
    mover.update(how="better", moved="6.5 percentage points")
    old["risks"] = [risk]
    old["plan"] = {
        "version": "v2.0",
        "title": "Improvement plan",
        "priorities": [
            {
                "number": 1,
                "title": "A priority",
                "period": "April to June 2022",
                "actions_status": "On target",
                "impact_status": "In progress",
                "workstreams": [workstream],
            }
        ],
    }
    old["changes"] = {
        **old["changes"],
        "new_reds": [{**row, "area": "Children's social care"}],
        "movers": [mover],
        "better": [mover],
        "revised": [{**row, "area": "Children's social care"}],
        "risks": [{**risk, "from": "Moderate"}],
        "plan": [{**workstream, "was": {**workstream, "actions_status": "On target"}}],
        "plan_compared": True,
    }
    return old


def test_a_pack_frozen_in_the_first_shape_reads_as_it_did(client_for, settings):
    settings.AS_AT = date(2022, 9, 14)
    meeting = make_meeting()
    snapshot = packs.build_snapshot(meeting, date(2022, 9, 14))
    snapshot["changes"] = packs.changes(snapshot, None)
    pack = MeetingPack.objects.create(
        meeting=meeting,
        version=1,
        published_at="2022-09-14T10:00:00Z",
        snapshot=_first_shape(snapshot),
    )
    client = client_for(roles.COMMITTEE_MEMBER)
    page = client.get(pack.get_absolute_url()).content.decode()
    new_red = "Initial visits within timescale (Children&#x27;s social care): 68.9%"
    assert f"{new_red} against a target of 85.0%" in page
    assert "62.4% to 68.9% (better by 6.5 percentage points)" in page
    assert "Revised on 1 September 2022: 68.0% → 68.9%, late returns" in page
    assert "Compared with: England average: 70.1% (2021/22)" in page
    assert "Recruitment is under way." in page and "<svg" in page  # the trend line
    assert "SR7.5: Moderate to High 16" in page
    assert "actions On target to At risk, impact In progress to In progress" in page
    assert "High 16" in page and "Moderate 12" in page and "2022/23 Q1" in page
    assert "2 of 5" in page and "(on target, yet regressing)" in page
    assert "actions On target, impact In progress" in page  # the priority's statuses
    assert pack.readable()["shape"] == packs.SHAPE and "shape" not in pack.snapshot
    api = client.get(f"/api/v1/packs/{pack.pk}").json()
    assert api["risks"][0]["current"]["band"] == "High" and api["shape"] == packs.SHAPE
    assert api["scorecards"][0]["measures"][0]["history"][1] == {
        "period": "2021/22 Q4",
        "value": 62.4,
        "value_text": "62.4%",
    }


def test_an_early_pack_that_kept_less_still_reads(client_for, settings):
    """A pack frozen before rows kept their figures as numbers, their history or a revision."""
    settings.AS_AT = date(2022, 9, 14)
    meeting = make_meeting()
    snapshot = packs.build_snapshot(meeting, date(2022, 9, 14))
    snapshot["changes"] = packs.changes(snapshot, None)
    old = _first_shape(snapshot)
    row = {"code": "CSC05", "name": "Initial visits", "value": "68.9%", "target": "85.0%",
           "rag": "red", "direction": "improving", "values": ["68.9%"]}  # fmt: skip
    old["scorecards"][0]["measures"] = [row]
    old["risks"] = [{"reference": "SR7.5", "title": "Workforce", "band": "High"}]
    old["changes"] = {**old["changes"], "new_reds": [{**row, "area": "Children's social care"}]}
    pack = MeetingPack.objects.create(
        meeting=meeting, version=1, published_at="2022-09-14T10:00:00Z", snapshot=old
    )
    client = client_for(roles.COMMITTEE_MEMBER)
    page = client.get(pack.get_absolute_url())
    assert page.status_code == 200
    assert "68.9% against a target of 85.0%" in page.content.decode()
    assert client.get(f"/api/v1/packs/{pack.pk}").status_code == 200


def test_a_pack_in_todays_shape_is_read_as_stored(db, settings):
    settings.AS_AT = date(2022, 9, 14)
    _plan_and_risk()
    pack = packs.publish(make_meeting(), None)
    assert pack.readable() is pack.snapshot
