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
    page = client_for(roles.COMMITTEE_MEMBER).get(pack.get_absolute_url()).content.decode()
    assert "SR7.5: Moderate to High 16" in page
    assert "actions On target to At risk, impact In progress to In progress" in page
    assert "High 16" in page and "Moderate 12" in page and "2022/23 Q1" in page
    assert "2 of 5" in page and "(on target, yet regressing)" in page
    assert "actions On target, impact In progress" in page  # the priority's statuses
    assert pack.readable()["shape"] == packs.SHAPE and "shape" not in pack.snapshot


def test_a_pack_in_todays_shape_is_read_as_stored(db, settings):
    settings.AS_AT = date(2022, 9, 14)
    _plan_and_risk()
    pack = packs.publish(make_meeting(), None)
    assert pack.readable() is pack.snapshot
