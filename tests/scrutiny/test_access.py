"""Every page, requested as anonymous and as each role: a login redirect, a 403 page or the page;
never a 500. A new URL without a line here fails the test that lists them all."""

from datetime import date

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from scrutiny import roles

ALL = set(roles.ROLES)
READERS = ALL  # every role reads published figures
OFFICERS = {roles.PERFORMANCE_OFFICER}
LEADS = {roles.SERVICE_LEAD, roles.DIRECTOR}
MANAGERS = {roles.DIRECTOR, roles.ADMINISTRATOR}  # democratic services, and directors

# url name -> (path, roles that get the page; the others get 403)
PAGES = {
    "scrutiny:home": ("/", READERS),
    "metrics:scorecards": ("/scorecards/", READERS),
    "metrics:scorecard": ("/scorecards/childrens-social-care/", READERS),
    "metrics:measure": ("/measures/CSC05/", READERS),
    "metrics:benchmarks": ("/benchmarks/", READERS),
    "metrics:quality_index": ("/quality/", READERS),
    "metrics:quality": ("/quality/quality-assurance/", READERS),
    "metrics:finance_index": ("/finance/", READERS),
    "metrics:finance_report": ("/finance/{finance}/", READERS),
    "metrics:finance_template": ("/finance/template.xlsx", OFFICERS),
    "metrics:narrative": ("/scorecards/childrens-social-care/narrative/", OFFICERS),
    "metrics:area_commentary": ("/scorecards/childrens-social-care/commentary/", OFFICERS),
    "scrutiny:glossary": ("/glossary/", READERS),
    "scrutiny:glossary_add": ("/glossary/add/", OFFICERS),
    "scrutiny:glossary_change": ("/glossary/cin/change/", OFFICERS),
    "metrics:benchmark": ("/benchmarks/rereferrals/", READERS),
    "metrics:area_compare": ("/scorecards/childrens-social-care/compare/", READERS),
    "metrics:scorecard_export": ("/scorecards/childrens-social-care/export.xlsx", READERS),
    "password_change": ("/accounts/password/", ALL),
    "password_change_done": ("/accounts/password/done/", ALL),
    "scrutiny:api_tokens": ("/account/tokens/", ALL),
    "improvement_plan:risks": ("/risks/", READERS),
    "improvement_plan:heat_map": ("/risks/heat-map/", READERS),
    "improvement_plan:risk": ("/risks/SR7.5/", READERS),
    "improvement_plan:overdue": ("/risks/overdue/", READERS),
    "improvement_plan:review": ("/risks/SR7.5/review/", LEADS),
    "improvement_plan:risk_new": ("/risks/new/", LEADS),
    "improvement_plan:risk_change": ("/risks/SR7.5/change/", LEADS),
    "metrics:upload": ("/upload/", OFFICERS),
    "metrics:template_xlsx": ("/upload/template.xlsx", OFFICERS),
    "metrics:template_csv": ("/upload/template.csv", OFFICERS),
    "metrics:library_xlsx": ("/upload/measure-library.xlsx", OFFICERS),
    "metrics:upload_detail": ("/upload/{upload}/", OFFICERS),
    "metrics:upload_problems": ("/upload/{upload}/problems.csv", OFFICERS),
    "metrics:publication": ("/publish/", OFFICERS),
    "metrics:correct": ("/measures/CSC05/correct/", OFFICERS),
    "metrics:commentary": ("/measures/CSC05/commentary/", OFFICERS),
    "improvement_plan:plan": ("/plan/", READERS),
    "improvement_plan:plan_version": ("/plan/versions/{plan}/", READERS),
    "improvement_plan:coverage": ("/plan/coverage/", READERS),
    "improvement_plan:actions": ("/plan/actions/", READERS),
    "improvement_plan:action": ("/plan/actions/{action}/", READERS),
    "improvement_plan:workstream": ("/plan/workstreams/{workstream}/", READERS),
    "improvement_plan:write_update": ("/plan/workstreams/{workstream}/update/", LEADS),
    "improvement_plan:milestone": ("/plan/milestones/{milestone}/", LEADS),
    "improvement_plan:priority_status": ("/plan/priorities/{priority}/status/", {roles.DIRECTOR}),
    "improvement_plan:new_version": ("/plan/versions/new/", {roles.DIRECTOR}),
    "improvement_plan:plan_new": ("/plan/new/", LEADS),
    "improvement_plan:plan_change": ("/plan/versions/{plan}/change/", LEADS),
    "improvement_plan:priority_new": ("/plan/priorities/new/", LEADS),
    "improvement_plan:priority_change": ("/plan/priorities/{priority}/change/", LEADS),
    "improvement_plan:workstream_new": ("/plan/workstreams/new/", LEADS),
    "improvement_plan:workstream_change": ("/plan/workstreams/{workstream}/change/", LEADS),
    "improvement_plan:action_new": ("/plan/workstreams/{workstream}/actions/new/", LEADS),
    "improvement_plan:milestone_new": ("/plan/workstreams/{workstream}/milestones/new/", LEADS),
    "improvement_plan:metric_new": ("/plan/workstreams/{workstream}/metrics/new/", LEADS),
    "improvement_plan:metric_change": (
        "/plan/workstreams/{workstream}/metrics/{metric}/change/",
        LEADS,
    ),
    "scrutiny:inspections": ("/inspections/", READERS),
    "scrutiny:meetings": ("/meetings/", READERS),
    "scrutiny:meeting": ("/meetings/{meeting}/", READERS),
    "scrutiny:ask": ("/meetings/{meeting}/ask/", {roles.COMMITTEE_MEMBER}),
    "scrutiny:pack": ("/packs/{pack}/", READERS),
    "scrutiny:my_questions": ("/questions/", READERS),
    "scrutiny:question": ("/questions/{question}/", READERS),
    "scrutiny:work_programme": ("/committees/{committee}/work-programme/", READERS),
    "scrutiny:minute_actions": ("/committees/{committee}/actions/", READERS),
    "scrutiny:minute_action": ("/actions/{minute_action}/", READERS),
    "scrutiny:inspection": ("/inspections/{inspection}/", READERS),
    "scrutiny:users": ("/users/", {roles.ADMINISTRATOR}),
    "scrutiny:meeting_new": ("/meetings/new/", MANAGERS),
    "scrutiny:meeting_change": ("/meetings/{meeting}/change/", MANAGERS),
    "scrutiny:agenda_item_new": ("/meetings/{meeting}/items/new/", MANAGERS),
    "scrutiny:agenda_item_change": ("/meetings/{meeting}/items/{item}/change/", MANAGERS),
    "scrutiny:minute_action_new": ("/meetings/{meeting}/actions/new/", MANAGERS),
    "scrutiny:committee_new": ("/committees/new/", MANAGERS),
    "scrutiny:committee_members": ("/committees/{committee}/", READERS),
    "scrutiny:committee_change": ("/committees/{committee}/change/", MANAGERS),
    "scrutiny:membership_new": ("/committees/{committee}/members/new/", MANAGERS),
    "scrutiny:membership_change": (
        "/committees/{committee}/members/{membership}/change/",
        MANAGERS,
    ),
    "scrutiny:programme_item_new": ("/committees/{committee}/work-programme/new/", MANAGERS),
    "scrutiny:programme_item_change": (
        "/committees/{committee}/work-programme/{programme}/change/",
        MANAGERS,
    ),
    "scrutiny:setup": ("/setup/", {roles.PERFORMANCE_OFFICER, roles.ADMINISTRATOR}),
    "scrutiny:awaiting": ("/awaiting/", {roles.DIRECTOR, roles.ADMINISTRATOR}),
    "improvement_plan:owners": ("/plan/owners/", {roles.SERVICE_LEAD, roles.DIRECTOR}),
    "scrutiny:user": ("/users/{user}/", {roles.ADMINISTRATOR}),
}
# Pages that answer with a redirect when there is nothing to show (a plan exists: /plan/new/
# sends a director to the new-version page).
REDIRECTS = {"improvement_plan:plan_new", "metrics:quality_index", "metrics:finance_index"}
# POST-only: anyone else gets 403, a GET gets 405.
ACTIONS = {
    "metrics:upload_confirm": ("/upload/{upload}/confirm/", OFFICERS),
    "metrics:upload_discard": ("/upload/{upload}/discard/", OFFICERS),
    "metrics:upload_rollback": ("/upload/{upload}/rollback/", OFFICERS),
    "metrics:upload_retry_statuses": ("/upload/{upload}/retry-statuses/", OFFICERS),
    "improvement_plan:sign_off": ("/risks/SR7.5/sign-off/", {roles.DIRECTOR}),
    "improvement_plan:return_review": ("/risks/SR7.5/return/", {roles.DIRECTOR}),
    "improvement_plan:risk_close": ("/risks/SR7.5/close/", LEADS),
    "improvement_plan:sign_off_update": ("/plan/updates/{update}/sign-off/", {roles.DIRECTOR}),
    "improvement_plan:return_update": ("/plan/updates/{update}/return/", {roles.DIRECTOR}),
    "scrutiny:publish_pack": (
        "/meetings/{meeting}/publish/",
        {roles.DIRECTOR, roles.ADMINISTRATOR},
    ),
    "scrutiny:pack_pdf_build": ("/packs/{pack}/pdf/build/", READERS),
    "scrutiny:approve_answer": ("/questions/{question}/approve/", {roles.DIRECTOR}),
    "scrutiny:return_answer": ("/questions/{question}/return/", {roles.DIRECTOR}),
    "scrutiny:assign_question": ("/questions/{question}/assign/", {roles.DIRECTOR}),
    "scrutiny:user_deactivate": ("/users/{user}/deactivate/", {roles.ADMINISTRATOR}),
}
PUBLIC = {
    "login": "/accounts/login/",
    "scrutiny:accessibility": "/accessibility/",
    "scrutiny:healthz": "/healthz",
    "password_reset_complete": "/accounts/reset/done/",
}
# POST-only or handled elsewhere.
# The PDF exists once built (tests/scrutiny/test_meetings.py); a report once attached
# (tests/scrutiny/test_security.py).
# An invitation's link: tests/scrutiny/test_users.py.
# The public pages are off until the council turns them on: tests/metrics/test_public.py and
# tests/scrutiny/test_public_papers.py.
ELSEWHERE = {
    "logout",
    "scrutiny:pack_pdf",
    "scrutiny:agenda_report",
    "password_reset_confirm",
    "scrutiny:public_index",
    "scrutiny:public_scorecard",
    "scrutiny:public_risks",
    "scrutiny:public_plan",
    "scrutiny:public_packs",
    "scrutiny:public_pack",
}


def _named_urls(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin" or pattern.namespace == "api":
                continue  # the admin has its own sign-in; the API is tested in test_api.py
            prefix = f"{pattern.namespace}:" if pattern.namespace else namespace
            yield from _named_urls(pattern.url_patterns, prefix)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace + pattern.name


def test_every_named_url_has_an_access_expectation():
    named = set(_named_urls(get_resolver().url_patterns))
    assert named - set(PAGES) - set(PUBLIC) - set(ACTIONS) - ELSEWHERE == set()


@pytest.fixture
def site(db):
    """The few rows the pages need; the demo council would make this test five times slower."""
    from tests.factories import make_area, make_measure, make_observation

    area = make_area(slug="childrens-social-care", name="Children's Social Care")
    measure = make_measure(area=area, code="CSC05")
    make_observation(measure=measure, value=68.9)
    audits = make_area(slug="quality-assurance", name="Quality assurance")
    audits.quality_assurance = True
    audits.save()
    from improvement_plan.models import Risk, RiskRegister

    Risk.objects.create(
        reference="SR7.5",
        title="Workforce",
        register=RiskRegister.objects.create(name="Strategic Risk 7"),
    )
    measure.__class__.objects.filter(pk=measure.pk).recompute_statuses()
    from metrics.models import Geography, NationalMeasure, NationalValue

    NationalValue.objects.create(
        measure=NationalMeasure.objects.create(
            key="rereferrals", name="Re-referrals", unit="percent"
        ),
        geography=Geography.objects.create(code="916", name="Gloucestershire", level="council"),
        period="2022",
        period_end=date(2022, 3, 31),
        value=24.5,
    )


@pytest.fixture
def upload(site):
    from improvement_plan.models import (
        Inspection,
        Milestone,
        PlanMetric,
    )
    from metrics.loading import receive
    from tests.factories import make_action, make_update, make_user, make_workstream

    officer = make_user(role=roles.PERFORMANCE_OFFICER)
    workstream = make_workstream()
    inspection = Inspection.objects.create(
        title="Inspection", kind="ILACS", starts_on="2022-02-07", ends_on="2022-02-18"
    )
    from metrics.models import FinanceReport
    from scrutiny.models import (
        AgendaItem,
        Membership,
        MinuteAction,
        Question,
        WorkProgrammeItem,
    )
    from scrutiny.packs import publish
    from tests.factories import make_meeting

    meeting = make_meeting(day=date(2999, 1, 1))
    question = Question.objects.create(
        meeting=meeting,
        asked_by=officer,
        text="Why?",
        submitted_at="2022-09-01T10:00Z",
        status="answered",
        answer="Because.",
    )
    minute_action = MinuteAction.objects.create(
        committee=meeting.committee, reference="A1", meeting=meeting, text="Do it", owners="CS"
    )
    return {
        "meeting": meeting.pk,
        "pack": publish(meeting, None).pk,
        "question": question.pk,
        "committee": meeting.committee.slug,
        "minute_action": minute_action.pk,
        "upload": receive(b"measure_code,period,value\nNOPE,2022-09,1\n", "bad.csv", officer).pk,
        "plan": workstream.plan.pk,
        "priority": workstream.priority.pk,
        "workstream": workstream.pk,
        "action": make_action(workstream=workstream).pk,
        "milestone": Milestone.objects.create(workstream=workstream, reference="M1", name="M").pk,
        "update": make_update(workstream=workstream, signed_off=False).pk,
        "inspection": inspection.pk,
        "user": officer.pk,
        "metric": PlanMetric.objects.create(
            workstream=workstream, reference="M1", name="Visits", printed_values="68.9%"
        ).pk,
        "item": AgendaItem.objects.create(meeting=meeting, number="1", title="Apologies").pk,
        "membership": Membership.objects.create(committee=meeting.committee, name="Cllr A").pk,
        "programme": WorkProgrammeItem.objects.create(
            committee=meeting.committee, title="Family Hubs"
        ).pk,
        "finance": FinanceReport.objects.create(
            year="2021/22",
            position="outturn",
            as_at=date(2022, 3, 1),
            title="Outturn",
            published=True,
        ).pk,
    }


@pytest.mark.parametrize("name", sorted(PAGES))
def test_anonymous_visitors_are_sent_to_sign_in(client, upload, name):
    path, _ = PAGES[name]
    response = client.get(path.format(**upload))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_public_pages_need_no_sign_in(client, site, name):
    assert client.get(PUBLIC[name]).status_code == 200


@pytest.mark.parametrize("role", roles.ROLES)
@pytest.mark.parametrize("name", sorted(PAGES))
def test_each_role_gets_the_page_or_a_403(client_for, upload, role, name):
    path, allowed = PAGES[name]
    response = client_for(role).get(path.format(**upload))
    if role in allowed:
        assert response.status_code == (302 if name in REDIRECTS else 200), response.content[:500]
    else:
        assert response.status_code == 403
        assert b"You do not have access to this page" in response.content


@pytest.mark.parametrize("role", roles.ROLES)
@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_actions_are_refused_to_other_roles(client_for, upload, role, name):
    path, allowed = ACTIONS[name]
    response = client_for(role).post(path.format(**upload))
    if role in allowed:
        assert response.status_code == 302
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_actions_need_a_post(client_for, upload, name):
    path, allowed = ACTIONS[name]
    client = client_for(sorted(allowed)[0])
    assert client.get(path.format(**upload)).status_code == 405


def test_a_user_with_no_role_gets_403_not_an_error(client, site):
    from tests.factories import make_user

    client.force_login(make_user())
    response = client.get("/")
    assert response.status_code == 403


def test_unknown_pages_get_the_not_found_page(client_for, site):
    response = client_for(roles.DIRECTOR).get("/measures/NO-SUCH-MEASURE/")
    assert response.status_code == 404
    assert b"Page not found" in response.content


def test_admin_is_for_administrators_and_performance_officers(client_for, site):
    assert client_for(roles.ADMINISTRATOR).get("/admin/").status_code == 200
    assert client_for(roles.PERFORMANCE_OFFICER).get("/admin/metrics/target/").status_code == 200
    response = client_for(roles.DIRECTOR).get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


# --------------------------------------------------------------------------------------------
# The API, the admin, and what data each role sees
# --------------------------------------------------------------------------------------------

API = [
    "/api/v1/areas",
    "/api/v1/measures",
    "/api/v1/measures/CSC05",
    "/api/v1/scorecard?area=childrens-social-care&period=2022-06",
    "/api/v1/risks",
    "/api/v1/risks/SR7.5",
    "/api/v1/plan",
    "/api/v1/meetings",
    "/api/v1/packs/{pack}",
]


@pytest.mark.parametrize("url", API)
def test_the_api_refuses_the_anonymous_and_users_with_no_role(client, upload, url):
    from tests.factories import make_user

    assert client.get(url.format(**upload)).status_code == 401
    client.force_login(make_user())
    response = client.get(url.format(**upload))
    assert response.status_code == 403 and "role" in response.json()["message"]


@pytest.mark.parametrize("role", roles.ROLES)
@pytest.mark.parametrize("url", API)
def test_every_role_reads_the_api(client_for, upload, role, url):
    response = client_for(role).get(url.format(**upload))
    assert response.status_code == 200, response.content[:300]


ADMIN_PAGES = {
    "/admin/metrics/measure/": {roles.PERFORMANCE_OFFICER},
    "/admin/metrics/target/": {roles.PERFORMANCE_OFFICER},
    "/admin/metrics/observation/": {roles.PERFORMANCE_OFFICER},
    "/admin/scrutiny/meeting/": {roles.ADMINISTRATOR},
    "/admin/auth/user/": {roles.ADMINISTRATOR},
    "/admin/scrutiny/auditentry/": {roles.PERFORMANCE_OFFICER, roles.ADMINISTRATOR},
}


@pytest.mark.parametrize("role", roles.ROLES)
@pytest.mark.parametrize("path", sorted(ADMIN_PAGES))
def test_the_admin_shows_each_role_only_its_own_records(client_for, site, role, path):
    response = client_for(role).get(path)
    if role in ADMIN_PAGES[path]:
        assert response.status_code == 200
    else:
        assert response.status_code in (302, 403)


@pytest.fixture
def drafts(site):
    """A draft figure and a review not yet signed off: neither is for committee members."""
    from django.utils import timezone

    from improvement_plan.models import Risk, RiskAssessment
    from metrics.models import Measure
    from tests.factories import make_observation

    measure = Measure.objects.get(code="CSC05")
    make_observation(measure=measure, period_end=date(2022, 9, 1), value="12.3", published=False)
    Measure.objects.filter(pk=measure.pk).recompute_statuses()
    risk = Risk.objects.get(reference="SR7.5")
    RiskAssessment.objects.create(
        risk=risk, quarter_end=date(2022, 6, 1), impact=3, likelihood=3, assessed_at=timezone.now()
    )
    RiskAssessment.objects.create(
        risk=risk, quarter_end=date(2022, 9, 1), impact=5, likelihood=5, assessed_at=timezone.now()
    )
    RiskAssessment.objects.filter(risk=risk, quarter_end=date(2022, 6, 1)).update(
        signed_off_at=timezone.now()
    )
    return measure


MEMBER_VIEWS = [
    "/",
    "/scorecards/childrens-social-care/",
    "/scorecards/childrens-social-care/export.csv",
    "/measures/CSC05/",
    "/risks/",
    "/risks/SR7.5/",
    "/api/v1/measures/CSC05",
    "/api/v1/risks/SR7.5",
]


@pytest.mark.parametrize("url", MEMBER_VIEWS)
def test_a_member_sees_no_draft_figure_and_no_unsigned_rating(client_for, drafts, url):
    text = client_for(roles.COMMITTEE_MEMBER).get(url).content.decode()
    assert "12.3" not in text  # the draft value
    assert "High 25" not in text and '"score": 25' not in text and '"score":25' not in text
    staff = client_for(roles.PERFORMANCE_OFFICER).get(url).content.decode()
    if "measures" in url or "scorecards" in url:
        assert "12.3" in staff  # officers see the draft in their working view


# POSTs with valid bodies: the roles allowed get what they asked for; the others 403 and
# nothing changes.
VALID_POSTS = {
    "ask": (
        "/meetings/{meeting}/ask/",
        {"about": "meeting", "text": "Why did re-referrals rise?"},
        {roles.COMMITTEE_MEMBER},
    ),
    "review": (
        "/risks/SR7.5/review/",
        {"impact": "2", "likelihood": "2", "rationale": "Recruitment worked"},
        {roles.SERVICE_LEAD, roles.DIRECTOR},
    ),
    "publish": (
        "/publish/",
        {
            "area": "childrens-social-care",
            "period_end": "2022-06-01",
            "period_kind": "quarter",
            "action": "publish",
        },
        {roles.PERFORMANCE_OFFICER},
    ),
    "token": ("/account/tokens/", {"name": "script", "expires_in": "30"}, set(roles.ROLES)),
}


@pytest.mark.parametrize("role", roles.ROLES)
@pytest.mark.parametrize("name", sorted(VALID_POSTS))
def test_valid_posts_work_for_their_roles_only(client_for, upload, role, name):
    from improvement_plan.models import RiskAssessment
    from metrics.models import Publication
    from scrutiny.models import Question
    from scrutiny.tokens import ApiToken

    path, body, allowed = VALID_POSTS[name]
    counted = {
        "ask": Question.objects,
        "review": RiskAssessment.objects,
        "publish": Publication.objects,
        "token": ApiToken.objects,
    }[name]
    before = counted.count()
    response = client_for(role).post(path.format(**upload), body)
    if role in allowed:
        assert response.status_code in (200, 302), response.content[:500]
        assert counted.count() == before + 1
    else:
        assert response.status_code == 403
        assert counted.count() == before
