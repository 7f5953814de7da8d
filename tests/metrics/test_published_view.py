"""A reader sees the published figures as if the drafts did not exist.

The property: for any set of draft figures loaded through the real upload path (new periods,
new areas in published periods, changes to those drafts, a rollback), every page, htmx
partial, export and API answer a committee member can request, and the pack built for them,
are the same as before the drafts were loaded. Officers see the drafts in their working view.
"""

import io
import random
import re
from datetime import date

import pytest
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from improvement_plan.models import PlanMetric, Risk, RiskAssessment, RiskRegister
from metrics import calculations as calc
from metrics import loading
from metrics.models import (
    FinanceReport,
    Measure,
    MeasureStatus,
    Observation,
    ServiceArea,
    SpcLimits,
)
from scrutiny import roles
from scrutiny.packs import build_snapshot
from tests.factories import (
    make_area,
    make_commentary,
    make_measure,
    make_meeting,
    make_narrative,
    make_observation,
    make_target,
    make_user,
    make_workstream,
)

HEADER = "measure_code,period,area,value,numerator,denominator,note\n"
LAST_MONTH = date(2022, 6, 1)


def _months_back(count):
    return [calc.add_months(LAST_MONTH, -i) for i in reversed(range(count))]


@pytest.fixture
def council(db):
    """Two areas, the three polarities, monthly and quarterly measures with enough published
    history for SPC, localities, targets, commentary, a risk, a plan metric and a meeting."""
    rng = random.Random(916)
    care = make_area(slug="childrens-social-care", name="Children's Social Care", order=1)
    education = make_area(slug="education", name="Education", order=2)
    audits = make_area(slug="audits", name="Quality assurance", order=3)
    ServiceArea.objects.filter(pk=audits.pk).update(quality_assurance=True)
    specs = [
        ("CSC04", care, "bigger", "percent", "month", 70, 80),
        ("CSC05", care, "smaller", "count", "month", 20, 18),
        ("CSC11", care, "plan", "percent", "quarter", 85, 85),
        ("EDU01", education, "bigger", "percent", "quarter", 60, 65),
        ("QA01", audits, "bigger", "percent", "month", 30, 50),
    ]
    measures = []
    for code, area, polarity, unit, frequency, level, target in specs:
        measure = make_measure(
            code=code,
            area=area,
            name=f"Measure {code}",
            polarity=polarity,
            unit=unit,
            frequency=frequency,
        )
        kind = calc.MONTH if frequency == "month" else calc.QUARTER
        ends = (
            _months_back(18)
            if kind == calc.MONTH
            else [m for m in _months_back(24) if m.month in (3, 6, 9, 12)]
        )
        for end in ends:
            make_observation(measure=measure, period_end=end, value=level + rng.randint(-6, 6))
            if code == "CSC04":
                make_observation(
                    measure=measure,
                    period_end=end,
                    value=level + rng.randint(-9, 9),
                    breakdown="Stroud",
                )
        make_target(measure=measure, value=target, effective_from=ends[0])
        make_commentary(measure=measure, period_end=ends[-1], text=f"Commentary on {code}.",
                        published=True)  # fmt: skip
        measures.append(measure)
    Measure.objects.filter(code="QA01").update(qa_role="good")  # drawn as the grade mix
    Measure.objects.all().recompute_statuses()
    risk = Risk.objects.create(
        reference="SR7.5", title="Workforce", register=RiskRegister.objects.create(name="SR7")
    )
    risk.measures.add(measures[0])
    RiskAssessment.objects.create(risk=risk, quarter_end=LAST_MONTH, impact=3, likelihood=4)
    workstream = make_workstream()
    PlanMetric.objects.create(
        workstream=workstream, reference="M1", measure=measures[0], name="Timeliness"
    )
    meeting = make_meeting(day=date(2022, 9, 15))
    # The committee's papers on the public pages too: its risks, plan statuses and packs.
    type(meeting.committee).objects.filter(pk=meeting.committee_id).update(
        public_packs=True, public_risks=True, public_plan=True, public_questions=True
    )
    from scrutiny.packs import publish

    publish(meeting, None, today=date(2022, 9, 14))
    FinanceReport.objects.create(
        year="2021/22", position="outturn", as_at=date(2022, 3, 1), title="Outturn 2021/22",
        published=True,
    )  # fmt: skip
    # The area's narrative for its latest published period, and its public page switched on.
    ServiceArea.objects.filter(pk=care.pk).update(public_scorecard=True)
    (care,) = ServiceArea.objects.filter(pk=care.pk).list_with_headlines(drafts=False)
    make_narrative(area=care, period=care.period, text="The published narrative.", published=True)
    return {"measures": measures, "meeting": meeting, "care": care}


def _member_urls(council):
    codes = [m.code for m in council["measures"]]
    pages = [
        "/",
        "/scorecards/",
        "/scorecards/childrens-social-care/",
        "/scorecards/childrens-social-care/?sort=rag",
        "/scorecards/childrens-social-care/?period=2022-03",
        "/scorecards/childrens-social-care/?breakdown=Stroud",
        "/scorecards/education/",
        "/scorecards/childrens-social-care/export.csv",
        "/scorecards/childrens-social-care/export.xlsx",
        "/risks/",
        "/risks/SR7.5/",
        "/risks/heat-map/",
        "/plan/",
        "/scorecards/childrens-social-care/compare/",
        "/benchmarks/",
        "/public/",
        "/public/childrens-social-care/",
        *[r.get_absolute_url() for r in FinanceReport.objects.filter(published=True)],
        "/quality/audits/",
        "/public/risks/",
        "/public/plan/",
        "/public/packs/",
        *[f"/public/packs/{p.pk}/" for p in council["meeting"].packs.all()],
        *[f"/measures/{code}/" for code in codes],
    ]
    api = [
        "/api/v1/areas",
        "/api/v1/measures",
        *[f"/api/v1/measures/{code}" for code in codes],
        "/api/v1/scorecard?area=childrens-social-care&period=2022-06",
        "/api/v1/scorecard?area=childrens-social-care&period=2022-07",
        "/api/v1/scorecard?area=education&period=2022-06",
        "/api/v1/risks",
        "/api/v1/risks/SR7.5",
        "/api/v1/plan",
        "/api/v1/meetings",
    ]
    return pages, api


def _readable(response):
    """What a member reads in a response, without what changes on every request."""
    kind = response.get("Content-Type", "")
    if "spreadsheetml" in kind:
        book = load_workbook(io.BytesIO(response.content), read_only=True)
        return [list(row) for sheet in book for row in sheet.iter_rows(values_only=True)]
    text = response.content.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)
    text = re.sub(r'"X-CSRFToken": "[^"]*"', "", text)
    return re.sub(r'nonce="[^"]*"', "", text)


def _what_a_member_sees(client, council):
    pages, api = _member_urls(council)
    seen = {}
    for url in pages + api:
        response = client.get(url)
        assert response.status_code == 200, (url, response.content[:300])
        seen[url] = _readable(response)
    partial = client.get(
        "/scorecards/childrens-social-care/?sort=name", headers={"HX-Request": "true"}
    )
    seen["htmx scorecard"] = _readable(partial)
    snapshot = build_snapshot(council["meeting"], date(2022, 9, 14))
    seen["pack"] = snapshot
    return seen


def _assert_unchanged(before, after):
    """Name the first answer that differs, and where, rather than print two whole sites."""
    for url, seen in before.items():
        now = after[url]
        if now != seen:
            if isinstance(seen, str):
                at = next(i for i, (a, b) in enumerate(zip(seen, now, strict=False)) if a != b)
                pytest.fail(
                    f"{url} changed: {seen[at - 200 : at + 200]!r} -> {now[at - 200 : at + 200]!r}"
                )
            pytest.fail(f"{url} changed: {seen!r} -> {now!r}")


def _draft_keys(council):
    """Figures that may be loaded as drafts: later periods, and localities not yet published
    in published periods (a new figure in a published period is a draft until republished)."""
    keys = []
    for measure in council["measures"]:
        kind = measure.frequency
        step = calc.MONTHS_IN[kind]
        for ahead in range(1, 7):
            end = calc.add_months(LAST_MONTH, ahead * step)
            keys.append((measure, calc.Period(end, kind), ""))
        keys.append((measure, calc.Period(LAST_MONTH, kind), "Tewkesbury"))
    return keys


def _csv(rows):
    return HEADER + "".join(
        f"{measure.code},{period.key},{area},{value},,,\n" for measure, period, area, value in rows
    )


def _load(officer, rows, capture):
    upload = loading.receive(_csv(rows).encode(), "drafts.csv", officer)
    loading.check_upload(upload)
    upload.refresh_from_db()
    assert upload.status == "ready", upload.problems
    with capture(execute=True):
        loading.commit(upload, officer, "")
    return upload


drafts = st.lists(
    # Any of the 35 draft keys: 5 measures x (6 later periods + 1 locality).
    st.tuples(st.integers(0, 34), st.floats(0, 100, allow_nan=False).map(lambda v: round(v, 1))),
    min_size=1,
    max_size=12,
    unique_by=lambda pair: pair[0],
)


@pytest.mark.django_db
@settings(
    max_examples=6,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # shrinking reloads pages for minutes
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(first=drafts, second=drafts)
def test_members_see_the_same_whatever_drafts_are_loaded_changed_or_rolled_back(
    council, client, eager_tasks, django_capture_on_commit_callbacks, first, second
):
    try:
        with transaction.atomic():  # each example starts from the same published council
            _drafts_leave_members_view_unchanged(
                council, client, django_capture_on_commit_callbacks, first, second
            )
            raise _Undo
    except _Undo:
        pass


class _Undo(Exception):
    pass


def _drafts_leave_members_view_unchanged(council, client, capture, first, second):
    cache.clear()  # pages are cached by figures version, which the undo winds back
    member = make_user(role=roles.COMMITTEE_MEMBER)
    officer = make_user(role=roles.PERFORMANCE_OFFICER)
    client.force_login(member)
    before = _what_a_member_sees(client, council)
    keys = _draft_keys(council)

    def rows(choice):
        return [(*keys[i][:2], keys[i][2], value) for i, value in choice]

    loaded = _load(officer, rows(first), capture)
    assert Observation.objects.filter(published=False).exists()
    # and drafts of the words: a later narrative and commentary, not yet published
    care = council["care"]
    make_narrative(area=care, period=care.period, text="A draft narrative.", written_by=officer)
    make_commentary(measure=council["measures"][0], period_kind=care.period.kind,
                    period_end=care.period.end, text="A draft commentary.",
                    written_by=officer)  # fmt: skip
    ServiceArea.objects.filter(pk=care.pk).update(figures_version=F("figures_version") + 1)
    # and drafts of the rest: a risk review and a plan update not signed off, a finance report
    # not published
    from improvement_plan.models import Workstream
    from metrics.models import FinanceReport
    from tests.factories import make_update

    RiskAssessment.objects.create(
        risk=Risk.objects.get(reference="SR7.5"),
        quarter_end=calc.add_months(LAST_MONTH, 3),
        impact=5,
        likelihood=5,
        assessed_by=officer,
        assessed_at=timezone.now(),  # recorded in the product, not yet signed off
    )
    make_update(workstream=Workstream.objects.first(), signed_off=False)
    FinanceReport.objects.create(
        year="2022/23", position="forecast", as_at=LAST_MONTH, title="A draft finance report"
    )
    _assert_unchanged(before, _what_a_member_sees(client, council))

    changed = _load(officer, rows(second), capture)
    _assert_unchanged(before, _what_a_member_sees(client, council))

    for upload in (changed, loaded):
        with capture(execute=True):
            loading.roll_back(upload, officer, "Wrong extract")
    _assert_unchanged(before, _what_a_member_sees(client, council))


def test_officers_see_the_drafts_in_their_working_view(
    council, client_for, eager_tasks, django_capture_on_commit_callbacks
):
    officer = make_user(role=roles.PERFORMANCE_OFFICER)
    csc04 = council["measures"][0]
    july = calc.Period(date(2022, 7, 1), calc.MONTH)
    _load(officer, [(csc04, july, "", 12.5)], django_capture_on_commit_callbacks)
    working = MeasureStatus.objects.in_view(drafts=True).get(
        measure=csc04, period_end=july.end, breakdown=""
    )
    assert (working.published, float(working.value), working.rag) == (False, 12.5, "red")
    assert not MeasureStatus.objects.in_view(drafts=False).filter(period_end=july.end).exists()
    page = client_for(roles.PERFORMANCE_OFFICER).get("/measures/CSC04/").content.decode()
    assert "12.5%" in page and "Draft" in page
    member = client_for(roles.COMMITTEE_MEMBER).get("/measures/CSC04/").content.decode()
    assert "12.5%" not in member


def test_a_draft_never_moves_a_published_point_spc_limits(
    council, eager_tasks, django_capture_on_commit_callbacks
):
    """Seven very low draft months would make the published points' limits and signals move
    if the drafts were counted (they were, before the published view)."""
    officer = make_user(role=roles.PERFORMANCE_OFFICER)
    csc04 = council["measures"][0]

    def published_view():
        series = list(
            MeasureStatus.objects.in_view(drafts=False)
            .filter(measure=csc04, breakdown="", period_kind="month")
            .order_by("period_end")
        )
        limits = SpcLimits.objects.along(series)
        return [
            (s.period_end, s.spc_variation, *limit) for s, limit in zip(series, limits, strict=True)
        ]

    before = published_view()
    months = [calc.Period(calc.add_months(LAST_MONTH, i), calc.MONTH) for i in range(1, 8)]
    _load(officer, [(csc04, m, "", 1.5) for m in months], django_capture_on_commit_callbacks)
    working = MeasureStatus.objects.in_view(drafts=True).get(
        measure=csc04, period_end=months[-1].end, breakdown=""
    )
    assert working.spc_variation == "special_cause_concern"
    assert published_view() == before
