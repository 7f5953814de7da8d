"""One definition of the scorecard: the page, the API, the pack and the export agree on every
figure, status and the headline, for the demo council and for a generated one."""

import csv
import io
import re
from datetime import date

import pytest

from metrics.models import Rag, ServiceArea
from scrutiny import roles
from scrutiny.packs import build_snapshot
from scrutiny.roles import sees_drafts
from tests.factories import make_meeting
from tests.metrics.test_published_view import council  # noqa: F401 - a fixture


def _agreement(client, area, month):
    page = client.get(f"/scorecards/{area.slug}/").content.decode()
    api = client.get(f"/api/v1/scorecard?area={area.slug}&period={month}").json()
    exported = list(
        csv.DictReader(
            io.StringIO(
                client.get(f"/scorecards/{area.slug}/export.csv").content.decode("utf-8-sig")
            )
        )
    )
    snapshot = build_snapshot(make_meeting(day=date(2030, 1, 1)), date(2029, 12, 31))
    if area.quality_assurance:  # the pack lays it out as the QA report: the same figures
        (report,) = [q for q in snapshot["quality"] if q["slug"] == area.slug]
        rows = report["snapshot"]["rows"] + [r for s in report["sections"] for r in s["rows"]]
        by_code = {row["code"]: row for row in api["measures"]}
        assert {r["code"] for r in rows} == set(by_code)
        for row in rows:
            if not row["breakdown"]:
                assert row["rag"] == by_code[row["code"]]["rag"]
                assert row["number"] == by_code[row["code"]]["value"]
        return
    pack = next(a for a in snapshot["scorecards"] if a["slug"] == area.slug)

    headline = api["headline"]
    assert pack["headline"]["share"] == headline["better_or_within_tolerance_pct"]
    assert pack["headline"]["judged"] == headline["judged"]
    if headline["better_or_within_tolerance_pct"] is not None:
        shown = re.search(r"<strong>([\d.]+)%</strong> of (\d+) judged measures", page)
        assert float(shown.group(1)) == headline["better_or_within_tolerance_pct"]
        assert int(shown.group(2)) == headline["judged"]

    labels = dict(Rag.choices)
    by_code = {row["code"]: row for row in api["measures"]}
    assert (
        {row["Code"] for row in exported}
        == set(by_code)
        == {row["code"] for row in pack["measures"]}
    )
    for row in exported:
        assert row["Status"] == labels[by_code[row["Code"]]["rag"]]
    for row in pack["measures"]:
        assert row["rag"] == by_code[row["code"]]["rag"]
        assert row["value"] == by_code[row["code"]]["value"]
        if not sees_drafts(_member(client)):  # the pack is a member's reading: the API's rows
            assert row == by_code[row["code"]]


def test_page_api_pack_and_export_agree_for_the_demo(client_for, demo):
    client = client_for(roles.COMMITTEE_MEMBER)
    for area in ServiceArea.objects.all():
        (area,) = ServiceArea.objects.filter(pk=area.pk).list_with_headlines(
            sees_drafts(_member(client))
        )
        if area.period:
            _agreement(client, area, area.period.key)


def _member(client):
    from django.contrib.auth.models import User

    return User.objects.get(pk=client.session["_auth_user_id"])


@pytest.mark.parametrize("role", [roles.COMMITTEE_MEMBER, roles.PERFORMANCE_OFFICER])
def test_page_api_pack_and_export_agree_for_a_generated_council(
    client_for,
    council,  # noqa: F811 - the generated council
    role,
):
    client = client_for(role)
    for area in ServiceArea.objects.all():
        (area,) = ServiceArea.objects.filter(pk=area.pk).list_with_headlines(
            sees_drafts(_member(client))
        )
        _agreement(client, area, area.period.key)


def test_the_dashboards_movers_are_ranked_by_the_one_movement_rule(client_for, council):  # noqa: F811
    """The dashboard ranks movers in SQL for speed; the ranking is calc.movement's, the rule
    the pack's "biggest movers" use too."""
    from metrics import calculations as calc
    from metrics.models import MeasureStatus

    user = _member(client_for(roles.COMMITTEE_MEMBER))
    areas = ServiceArea.objects.list_with_headlines(sees_drafts(user))
    found = (
        MeasureStatus.objects.whole_authority()
        .in_view(sees_drafts(user))
        .dashboard(areas, sees_drafts(user))
    )
    for area in areas:
        latest = [
            s
            for s in MeasureStatus.objects.whole_authority()
            .in_view(sees_drafts(user))
            .in_latest_periods([area])
            .select_related("measure")
            if s.previous_value is not None and s.value != s.previous_value
        ]
        expected = sorted(
            latest,
            key=lambda s: (
                -abs(
                    calc.movement(
                        float(s.value),
                        float(s.previous_value),
                        int(calc.polarity_sign(s.measure.polarity)),
                    )
                    or 0
                )
            ),
        )
        shown = found[area.pk]["movers"]
        assert shown, area
        assert [s.measure_id for s in shown] == [s.measure_id for s in expected[: len(shown)]]
