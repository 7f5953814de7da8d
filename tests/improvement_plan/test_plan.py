"""The improvement plan: demo data as printed, the dashboard's two kinds of status side by side,
progress updates and their sign-off, actions, Ofsted coverage, the daily round and the API."""

import re
from datetime import date

import pytest
from django.core import mail

from improvement_plan.daily import daily_round
from improvement_plan.models import (
    Inspection,
    KeyAction,
    Milestone,
    Plan,
    PlanMetric,
    ProgressUpdate,
    Recommendation,
    RecommendationLink,
    ReportingPeriod,
    Workstream,
)
from metrics.models import Frequency, Measure, Polarity
from scrutiny import roles
from scrutiny.audit import AuditEntry
from scrutiny.roles import sees_drafts
from tests.factories import (
    make_action,
    make_measure,
    make_observation,
    make_update,
    make_user,
    make_workstream,
)

# --------------------------------------------------------------------------------------------
# The demo plan, as printed
# --------------------------------------------------------------------------------------------


def _metric(workstream, polarity, values):
    measure = make_measure(polarity=polarity, frequency=Frequency.MONTHLY)
    for month, value in zip(range(3, 3 + len(values)), values, strict=True):
        make_observation(measure=measure, period_end=date(2022, month, 1), value=value)
    return PlanMetric.objects.create(
        workstream=workstream, reference=f"K{measure.pk}", name="m", measure=measure
    )


def test_a_metric_improves_regresses_or_stands_still_by_its_polarity(db):
    member = make_user(role=roles.COMMITTEE_MEMBER)
    workstream = make_workstream()
    better = _metric(workstream, Polarity.SMALLER, [25, 24, 20])
    worse = _metric(workstream, Polarity.BIGGER, [80, 79, 70])
    flat = _metric(workstream, Polarity.BIGGER, [80, 81, 80.5])  # within 1% of 80
    alone = _metric(workstream, Polarity.BIGGER, [80])
    found = {
        m.pk: m.trajectory
        for m in PlanMetric.objects.all().list_with_trajectories(sees_drafts(member))
    }
    assert found == {
        better.pk: "improved",
        worse.pk: "regressed",
        flat.pk: "no significant change",
        alone.pk: "",
    }


def test_members_trajectories_use_published_figures_only(db):
    member = make_user(role=roles.COMMITTEE_MEMBER)
    metric = _metric(make_workstream(), Polarity.BIGGER, [80, 90])
    metric.measure.observations.filter(value=90).update(published=False)
    (found,) = PlanMetric.objects.all().list_with_trajectories(sees_drafts(member))
    assert found.trajectory == ""


@pytest.mark.parametrize("path", ["/plan/", "/"])
def test_the_plan_and_home_dashboards_run_the_same_queries_for_2_and_6_workstreams(
    db, client_for, django_assert_num_queries, path
):
    from tests.metrics.test_pages import queries_for

    plan = make_workstream(number="1.1").plan
    priority = plan.priorities.get()

    def add(number):
        workstream = make_workstream(number=number, priority=priority)
        make_action(workstream=workstream, due_month=date(2022, 5, 1))
        make_update(workstream=workstream)
        _metric(workstream, Polarity.BIGGER, [1, 2])

    add("1.2")
    client = client_for(roles.DIRECTOR)
    client.get(path)  # the session and caches settle
    small = queries_for(client, path)
    for number in ("1.3", "1.4", "1.5", "1.6"):
        add(number)
    client.get(path)  # each new metric's measure brought an area: the dashboard cache misses
    with django_assert_num_queries(small):
        page = client.get(path).content.decode()
    assert "1.6 Workstream 1.6" in page if path == "/plan/" else "Improvement plan v" in page
    assert small <= 30


# --------------------------------------------------------------------------------------------
# Progress updates
# --------------------------------------------------------------------------------------------

UPDATE = {
    "actions_status": "on_target",
    "impact_status": "at_risk",
    "comment": "Recruitment is slower than planned.",
    "progress_made": "Strategy drafted\nMicrosite relaunched",
    "actions_next": "Sign off the strategy",
}


@pytest.fixture
def workstream(db):
    found = make_workstream()
    make_action(workstream=found, due_month=date(2022, 5, 1))
    return found


def test_a_lead_writes_an_update_and_members_see_it_only_once_signed_off(workstream, client_for):
    lead = client_for(roles.SERVICE_LEAD)
    response = lead.post(f"/plan/workstreams/{workstream.pk}/update/", UPDATE)
    assert response.status_code == 302
    update = ProgressUpdate.objects.get()
    assert update.progress_lines == ["Strategy drafted", "Microsite relaunched"]
    assert "Awaiting sign-off" in lead.get(workstream.get_absolute_url()).content.decode()

    member_page = client_for(roles.COMMITTEE_MEMBER).get(workstream.get_absolute_url())
    assert "Recruitment is slower" not in member_page.content.decode()

    director = client_for(roles.DIRECTOR)
    director.post(f"/plan/updates/{update.pk}/sign-off/")
    update.refresh_from_db()
    assert update.signed_off_by.username == "director"
    member_page = client_for(roles.COMMITTEE_MEMBER).get(workstream.get_absolute_url())
    assert "Recruitment is slower" in member_page.content.decode()
    assert AuditEntry.objects.for_object(update).filter(field="signed_off_by").exists()


def test_a_draft_can_be_corrected_before_sign_off(workstream, client_for):
    lead = client_for(roles.SERVICE_LEAD)
    lead.post(f"/plan/workstreams/{workstream.pk}/update/", UPDATE)
    lead.post(
        f"/plan/workstreams/{workstream.pk}/update/", {**UPDATE, "impact_status": "compromised"}
    )
    (update,) = ProgressUpdate.objects.all()
    assert update.impact_status == "compromised"
    change = AuditEntry.objects.for_object(update).get(field="impact_status", old_value="at_risk")
    assert change.new_value == "compromised"


def test_a_signed_off_update_is_replaced_with_a_reason_never_edited(workstream, client_for):
    signed = make_update(workstream=workstream, comment="First account.")
    lead = client_for(roles.SERVICE_LEAD)
    url = f"/plan/workstreams/{workstream.pk}/update/"
    form = lead.get(url).content.decode()
    assert "It will not be changed" in form and "First account." in form

    refused = lead.post(url, UPDATE)
    assert "Say why the signed-off update is being replaced." in refused.content.decode()
    lead.post(url, {**UPDATE, "reason": "The impact was overstated."})
    assert "The impact was overstated." in lead.get(url).content.decode()  # the draft's reason
    signed.refresh_from_db()
    assert signed.comment == "First account." and signed.superseded_at is None

    replacement = ProgressUpdate.objects.get(replaces=signed)
    client_for(roles.DIRECTOR).post(f"/plan/updates/{replacement.pk}/sign-off/")
    signed.refresh_from_db()
    assert signed.superseded_at is not None
    page = client_for(roles.COMMITTEE_MEMBER).get(workstream.get_absolute_url()).content.decode()
    assert "Superseded" in page and "The impact was overstated." in page
    assert page.index("Recruitment is slower") < page.index("First account.")


def test_signing_off_twice_is_refused(workstream, client_for):
    update = make_update(workstream=workstream)
    response = client_for(roles.DIRECTOR).post(f"/plan/updates/{update.pk}/sign-off/", follow=True)
    assert "already signed off" in response.content.decode()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"actions_status": ""}, "Choose the status of the actions."),
        ({"comment": "  "}, "Say in a sentence or two how the workstream stands overall."),
        ({"progress_made": ""}, "Say what progress was made this period."),
        ({"actions_status": "completed"}, "cannot be Completed while 1 of them are still open"),
        ({"impact_status": "completed"}, "The impact can only be Completed once the actions are."),
        ({"impact_status": "<script>"}, "Select a valid choice."),
    ],
)
def test_an_incomplete_update_is_refused_with_the_reason(workstream, client_for, changes, message):
    response = client_for(roles.SERVICE_LEAD).post(
        f"/plan/workstreams/{workstream.pk}/update/", {**UPDATE, **changes}
    )
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert message in response.content.decode()
    assert not ProgressUpdate.objects.exists()


def test_members_cannot_write_updates(workstream, client_for):
    response = client_for(roles.COMMITTEE_MEMBER).post(
        f"/plan/workstreams/{workstream.pk}/update/", UPDATE
    )
    assert response.status_code == 403


# --------------------------------------------------------------------------------------------
# Actions and milestones
# --------------------------------------------------------------------------------------------


def test_completing_an_action_needs_a_date_and_evidence_and_is_audited(workstream, client_for):
    action = workstream.actions.get()
    lead = client_for(roles.SERVICE_LEAD)
    refused = lead.post(action.get_absolute_url(), {"status": "completed"})
    assert "Give the date the action was completed." in refused.content.decode()
    assert "Say what shows the action is complete." in refused.content.decode()

    lead.post(
        action.get_absolute_url(),
        {
            "status": "completed",
            "completed_on": "2022-07-20",
            "evidence": "Strategy approved at SLT",
            "reason": "Done",
        },
    )
    action.refresh_from_db()
    assert action.status == "completed" and action.completed_on == date(2022, 7, 20)
    entry = AuditEntry.objects.for_object(action).get(field="status")
    assert (entry.old_value, entry.new_value, entry.user.username) == (
        "not_started",
        "completed",
        "lead",
    )
    page = lead.get(action.get_absolute_url()).content.decode()
    assert "Strategy approved at SLT" in page and "not_started" in page


def test_a_future_completion_date_is_refused(workstream, client_for):
    action = workstream.actions.get()
    response = client_for(roles.SERVICE_LEAD).post(
        action.get_absolute_url(),
        {"status": "completed", "completed_on": "2999-01-01", "evidence": "x"},
    )
    assert "cannot be in the future" in response.content.decode()


def test_members_read_an_action_but_cannot_change_it(workstream, client_for):
    action = workstream.actions.get()
    member = client_for(roles.COMMITTEE_MEMBER)
    assert "Change the status" not in member.get(action.get_absolute_url()).content.decode()
    assert member.post(action.get_absolute_url(), {"status": "completed"}).status_code == 403


def test_an_overdue_action_is_flagged_on_the_workstream_page(workstream, client_for):
    page = client_for(roles.COMMITTEE_MEMBER).get(workstream.get_absolute_url()).content.decode()
    assert "Overdue: not started" in page


def test_a_milestone_month_is_set_and_shows_on_the_timeline(workstream, client_for):
    milestone = Milestone.objects.create(workstream=workstream, reference="M1", name="Launch")
    lead = client_for(roles.SERVICE_LEAD)
    bad = lead.post(f"/plan/milestones/{milestone.pk}/", {"month": "March"})
    assert "Enter the month as year and month" in bad.content.decode()
    lead.post(f"/plan/milestones/{milestone.pk}/", {"month": "2022-09", "reason": "Agreed at SLT"})
    milestone.refresh_from_db()
    assert milestone.month == date(2022, 9, 1)
    page = lead.get(workstream.get_absolute_url()).content.decode()
    assert 'id="milestones-' in page and "September 2022" in page


# --------------------------------------------------------------------------------------------
# Ofsted coverage
# --------------------------------------------------------------------------------------------


def test_coverage_warns_when_no_open_action_answers_a_recommendation(workstream, client_for):
    inspection = Inspection.objects.create(
        title="Inspection", kind="ILACS", starts_on=date(2022, 2, 7), ends_on=date(2022, 2, 18)
    )
    answered = Recommendation.objects.create(
        inspection=inspection, reference="R1", text="Supervision"
    )
    RecommendationLink.objects.create(recommendation=answered, workstream=workstream)
    Recommendation.objects.create(inspection=inspection, reference="R2", text="IT systems")
    page = client_for(roles.COMMITTEE_MEMBER).get("/plan/coverage/").content.decode()
    assert page.count("No workstream of this plan answers this recommendation.") == 1
    assert "1 open, 0 completed, 1 overdue" in page

    workstream.actions.update(status="dropped")
    page = client_for(roles.COMMITTEE_MEMBER).get("/plan/coverage/").content.decode()
    assert "No open action answers this recommendation" in page


# --------------------------------------------------------------------------------------------
# The daily round
# --------------------------------------------------------------------------------------------


def test_the_daily_round_flags_overdue_actions_and_mails_each_owner(
    db, eager_tasks, django_capture_on_commit_callbacks
):
    workstream = make_workstream()
    workstream.plan.is_current = True
    workstream.plan.save()
    owner_user = make_user(role=roles.SERVICE_LEAD)
    from improvement_plan.models import Owner

    owner = Owner.objects.create(name="Ann", user=owner_user)
    late = make_action(workstream=workstream, due_month=date(2022, 6, 1), owners=[owner])
    soon = make_action(workstream=workstream, due_month=date(2022, 8, 1), owners=[owner])
    make_action(
        workstream=workstream, due_month=date(2022, 6, 1), owners=["A team with no account"]
    )

    with django_capture_on_commit_callbacks(execute=True):
        result = daily_round(date(2022, 7, 20))
    assert len(result.overdue) == 2 and result.flagged == 2
    assert [a.pk for a in result.due_soon] == [soon.pk]
    (email,) = mail.outbox
    assert email.to == [owner_user.email]
    assert late.reference in email.body and soon.reference in email.body
    assert "http://127.0.0.1:8000/plan/actions/" in email.body

    again = daily_round(date(2022, 7, 21), send=False)
    assert again.flagged == 0
    late.refresh_from_db()
    assert late.overdue_since == date(2022, 7, 20)

    KeyAction.objects.filter(pk=late.pk).update(status="completed", completed_on=date(2022, 7, 21))
    assert daily_round(date(2022, 7, 22), send=False).cleared == 1


def test_the_daily_task_runs_through_celery(db, eager_tasks):
    from improvement_plan.tasks import plan_daily_round

    workstream = make_workstream()
    Plan.objects.filter(pk=workstream.plan.pk).update(is_current=True)
    make_action(workstream=workstream, due_month=date(2022, 5, 1))
    assert plan_daily_round.delay().get().startswith("1 actions overdue (1 newly)")


# --------------------------------------------------------------------------------------------
# Versions and the API
# --------------------------------------------------------------------------------------------


def test_a_new_version_copies_the_plan_and_keeps_the_old_one_readable(workstream, client_for):
    old = workstream.plan
    old.is_current = True
    old.save()
    make_update(workstream=workstream)
    director = client_for(roles.DIRECTOR)
    assert (
        "There is already a plan"
        in director.post("/plan/versions/new/", {"version": old.version}).content.decode()
    )
    director.post("/plan/versions/new/", {"version": "v3.0"})
    new = Plan.objects.current()
    assert new.version == "v3.0" and new.previous == old
    copied = Workstream.objects.get(priority__plan=new)
    assert copied.actions.count() == 1 and not copied.updates.exists()
    old_page = director.get(f"/plan/versions/{old.pk}/").content.decode()
    assert "This is version" in old_page and "kept as it stood" in old_page
    assert "Write the update" not in director.get(workstream.get_absolute_url()).content.decode()
    # The earlier version is read, never changed.
    old_action = workstream.actions.get()
    lead = client_for(roles.SERVICE_LEAD)
    assert "Change the status" not in lead.get(old_action.get_absolute_url()).content.decode()
    refused = lead.post(
        old_action.get_absolute_url(),
        {"status": "completed", "completed_on": "2022-07-01", "evidence": "x"},
    )
    assert refused.status_code == 403
    old_action.refresh_from_db()
    assert old_action.status == "not_started"


def test_the_current_period_is_the_latest(workstream):
    plan = workstream.plan
    ReportingPeriod.objects.create(plan=plan, start=date(2022, 7, 1), end=date(2022, 9, 30))
    assert plan.current_period().label == "1 July 2022 to 30 September 2022"


def test_the_dashboard_measure_and_risk_pages_lead_to_the_plan(client_for, settings):
    from tests.factories import make_risk, make_target

    settings.AS_AT = date(2022, 9, 14)
    workforce = make_workstream(number="1.1", title="Workforce Recruitment and Retention")
    make_update(workstream=workforce)  # actions on target
    turnover = _metric(workforce, Polarity.SMALLER, [20, 22, 25.6])  # and turnover regressed
    PlanMetric.objects.filter(pk=turnover.pk).update(name="Turnover (overall)")
    make_target(measure=turnover.measure, value="13", effective_from=date(2022, 1, 1))
    Measure.objects.filter(pk=turnover.measure_id).recompute_statuses()
    make_risk(reference="SR7.5").workstreams.add(workforce)
    member = client_for(roles.COMMITTEE_MEMBER)
    home = member.get("/").content.decode()
    assert f"Improvement plan {workforce.plan.version}" in home
    assert "1 workstream reports actions on target while metrics regressed" in home
    measure_page = member.get(turnover.measure.get_absolute_url()).content.decode()
    assert f'href="{workforce.get_absolute_url()}"' in measure_page
    risk_page = member.get("/risks/SR7.5/").content.decode()
    assert "1.1 Workforce Recruitment and Retention" in risk_page
    page = member.get(workforce.get_absolute_url()).content.decode()
    assert "SR7.5" in page
    # Each linked metric is charted and tabled from the engine's statuses: the target in force.
    table = page[page.index("Turnover (overall): target and actual by month") :]
    assert re.search(r"May 2022</th>\s*<td[^>]*>13.0%</td>\s*<td[^>]*>25.6%</td>", table)


def test_the_update_form_shows_the_metrics_trajectory_and_the_open_actions(workstream, client_for):
    metric = _metric(workstream, Polarity.BIGGER, [80, 79, 70])
    Measure.objects.filter(pk=metric.measure_id).recompute_statuses()
    form = client_for(roles.SERVICE_LEAD).get(f"/plan/workstreams/{workstream.pk}/update/")
    form = form.content.decode()
    table = form.split('data-testid="update-metrics"')[1].split("</table>")[0]
    assert ">m<" in table and "regressed" in table
    assert "key action" in form and "overdue</strong> as at" in form


def test_owners_entered_twice_are_found_and_merged_with_a_trail(client_for, workstream):
    from improvement_plan.models import Owner

    # As the demo plan has them: one person under two spellings, and two who are not alike.
    make_action(workstream=workstream, owners=["Claire Connelly"])
    make_action(workstream=workstream, owners=["Claire Connelly", "Ann James"])
    make_action(workstream=workstream, owners=["Claire Connolly"])
    make_action(workstream=workstream, owners=["Mark Bone"])
    lead = client_for(roles.SERVICE_LEAD)
    page = lead.get("/plan/owners/").content.decode()
    assert "Probably the same owner twice (1)" in page
    assert "Claire Connelly" in page and "Claire Connolly" in page
    wrong, right = (
        Owner.objects.get(name="Claire Connelly"),
        Owner.objects.get(name="Claire Connolly"),
    )
    moved = list(wrong.actions.values_list("pk", flat=True))
    assert moved
    merge = {"pair": f"{wrong.pk},{right.pk}", "kept": right.pk, "reason": "Misspelt in the plan"}
    response = lead.post("/plan/owners/", merge, follow=True)
    assert "Merged Claire Connelly into Claire Connolly" in response.content.decode()
    assert not Owner.objects.filter(name="Claire Connelly").exists()
    assert set(moved) <= set(right.actions.values_list("pk", flat=True))
    assert AuditEntry.objects.filter(action="delete", object_repr="Claire Connelly").exists()
    assert AuditEntry.objects.filter(field="owners", reason="Misspelt in the plan").count() == len(
        moved
    )
    actions = lead.get("/plan/actions/").content.decode()
    assert '<option value="Claire Connelly"' not in actions
    assert "Probably the same owner twice" not in lead.get("/plan/owners/").content.decode()
    refused = lead.post("/plan/owners/", {"pair": f"{right.pk},{right.pk}", "kept": right.pk},
                        follow=True)  # fmt: skip
    assert "Choose which of the two names to keep" in refused.content.decode()


def test_an_actions_owners_are_chosen_from_the_list_with_a_trail(client_for, db):
    from improvement_plan.models import Owner
    from tests.factories import make_action

    action = make_action(owners=["Head of Fostering", "Claire Connolly"])
    before = sorted(o.name for o in action.owners.all())
    other = Owner.objects.create(name="Principal Social Worker")
    lead = client_for(roles.SERVICE_LEAD)
    page = lead.get(f"/plan/actions/{action.pk}/").content.decode()
    assert 'type="checkbox"' in page and other.name in page
    chosen = [o.pk for o in action.owners.all()] + [other.pk]
    form = {"status": action.status, "owners": chosen, "evidence": action.evidence}
    lead.post(f"/plan/actions/{action.pk}/", {**form, "reason": "Shared"})
    assert other in action.owners.all()
    entry = AuditEntry.objects.for_object(action).get(field="owners")
    assert entry.old_value == ", ".join(before) and other.name in entry.new_value
    assert entry.reason == "Shared"


def test_transcription_notes_on_actions_are_for_staff(client_for, db):
    from html import escape

    from tests.factories import make_action

    action = make_action(note="Owner's name is illegible in the PDF & the date is 'Sept?'")
    url = f"/plan/actions/{action.pk}/"
    member = client_for(roles.COMMITTEE_MEMBER).get(url)
    assert member.status_code == 200 and escape(action.note) not in member.content.decode()
    lead = client_for(roles.SERVICE_LEAD).get(url).content.decode()
    assert "Note for staff" in lead and escape(action.note) in lead
