"""The committee's workflows on the models, without pages: each change with its audit entry."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from improvement_plan.models import KeyAction, Owner
from scrutiny import roles
from scrutiny.audit import AuditEntry
from scrutiny.models import MinuteAction, Question
from scrutiny.roles import form_for
from tests.factories import (
    make_action,
    make_inspection,
    make_minute_action,
    make_question,
    make_risk,
    make_user,
    make_workstream,
)


def test_an_officers_answer_waits_for_approval_and_is_in_the_trail(db):
    officer = make_user(role=roles.PERFORMANCE_OFFICER)
    question = make_question(returned_at="2022-09-01T10:00Z", return_comment="Shorter, please")
    question.draft_answer("Because of the new front door.", by=officer)
    question.refresh_from_db()
    assert question.status == Question.Status.DRAFTED
    assert (question.answered_by, question.returned_at, question.return_comment) == (
        officer,
        None,
        "",
    )
    entry = AuditEntry.objects.for_object(question).get(field="answer")
    assert entry.new_value == "Because of the new front door." and entry.user == officer


def test_a_minute_action_update_keeps_the_text_and_changes_the_status(db):
    officer = make_user(role=roles.PERFORMANCE_OFFICER)
    action = make_minute_action()
    update = action.record_update("  Report circulated.  ", MinuteAction.Status.DONE, by=officer)
    assert update.text == "Report circulated." and update.by == officer
    assert MinuteAction.objects.get(pk=action.pk).status == MinuteAction.Status.DONE
    entry = AuditEntry.objects.for_object(action).get(field="status")
    assert (entry.old_value, entry.new_value) == ("open", "done")


def test_a_key_action_change_and_its_owners_are_kept_with_the_reason(db):
    lead = make_user(role=roles.SERVICE_LEAD)
    action = make_action()
    owner = Owner.objects.create(name="Head of Safeguarding")
    action.status = KeyAction.Status.COMPLETED
    action.completed_on = "2022-08-31"
    changed = action.save_change(
        [owner], fields=["status", "completed_on"], reason="Signed off at board", by=lead
    )
    assert changed
    assert [o.name for o in KeyAction.objects.get(pk=action.pk).owners.all()] == [owner.name]
    trail = AuditEntry.objects.for_object(action)
    assert {e.field for e in trail} >= {"status", "owners"}
    assert {e.reason for e in trail} == {"Signed off at board"}
    assert not action.save_change(
        [owner], fields=["status", "completed_on"], reason="again", by=lead
    )


def test_the_form_is_only_for_those_who_may_and_their_post_is_refused(db):
    factory = RequestFactory()
    get, post = factory.get("/"), factory.post("/", {"text": "x"})
    assert form_for(get, False, dict) is None
    with pytest.raises(PermissionDenied):
        form_for(post, False, dict)
    assert form_for(get, True, lambda data: data) is None  # unbound on a GET
    assert form_for(post, True, lambda data: data)["text"] == "x"


def test_an_inspection_from_its_factory_has_its_recommendations(db):
    inspection = make_inspection(recommendations=("R1", "R2"))
    assert [r.reference for r in inspection.recommendations.all()] == ["R1", "R2"]


def test_back_to_the_page_a_post_came_from_but_never_to_another_site(db):
    from scrutiny.editing import redirect_back

    factory = RequestFactory()
    here = factory.post("/x/", {"next": "/risks/?sort=score"})
    away = factory.post("/x/", {"next": "https://evil.example/"})
    assert redirect_back(here, "/fallback/").url == "/risks/?sort=score"
    assert redirect_back(away, "/fallback/").url == "/fallback/"


def test_a_director_assigns_returns_and_approves_an_answer_each_in_the_trail(db):
    from scrutiny.mail import OutgoingEmail

    director = make_user(role=roles.DIRECTOR)
    officer = make_user(role=roles.PERFORMANCE_OFFICER)
    officer.email = "officer@example.org"
    officer.save()
    question = make_question()
    question.asked_by.email = "member@example.org"
    question.asked_by.save()
    question.assign(officer, by=director)
    assert OutgoingEmail.objects.filter(recipient="officer@example.org").exists()
    question.draft_answer("First try.", by=officer)
    question.send_back(director, " Give the numbers. ")
    question.refresh_from_db()
    assert question.status == Question.Status.SUBMITTED
    assert question.return_comment == "Give the numbers."
    question.draft_answer("Re-referrals rose from 19% to 24%.", by=officer)
    question.approve(director)
    question.refresh_from_db()
    assert (question.status, question.approved_by) == (Question.Status.ANSWERED, director)
    assert OutgoingEmail.objects.filter(recipient="member@example.org").exists()
    contexts = set(AuditEntry.objects.for_object(question).values_list("context", flat=True))
    assert contexts >= {"question assigned", "answer returned", "answer approved"}


def test_a_user_is_never_taken_for_a_yes_or_no_about_drafts(db):
    from metrics.models import MeasureStatus, ServiceArea

    member = make_user(role=roles.COMMITTEE_MEMBER)
    with pytest.raises(TypeError, match="decided by the view"):
        MeasureStatus.objects.in_view(member)  # a user is always true: drafts for everyone
    with pytest.raises(TypeError):
        ServiceArea.objects.list_with_headlines(member)
    assert list(MeasureStatus.objects.in_view(roles.sees_drafts(member))) == []


def test_a_members_question_is_taken_late_or_not_and_the_officers_are_told(db):
    from scrutiny.mail import OutgoingEmail

    officer = make_user(role=roles.SERVICE_LEAD)  # answers questions
    officer.email = "answers@example.org"
    officer.save()
    member = make_user(role=roles.COMMITTEE_MEMBER)
    meeting = make_question().meeting
    question = Question.ask(meeting, "What changed in June?", by=member, late=True)
    assert (question.asked_by, question.late, question.status) == (
        member,
        True,
        Question.Status.SUBMITTED,
    )
    assert OutgoingEmail.objects.filter(recipient="answers@example.org").exists()


def test_a_directors_priority_statuses_are_kept_each_time_with_the_note_as_the_reason(db):
    from improvement_plan.models import PriorityStatus, ProgressStatus

    director = make_user(role=roles.DIRECTOR)
    priority = make_workstream().priority
    period = priority.plan.periods.get()
    first = PriorityStatus(
        actions_status=ProgressStatus.ON_TARGET, impact_status=ProgressStatus.AT_RISK
    ).record(priority, period, by=director)
    second = PriorityStatus(
        actions_status=ProgressStatus.AT_RISK,
        impact_status=ProgressStatus.AT_RISK,
        note="Two recruitment campaigns slipped",
    ).record(priority, period, by=director)
    assert list(priority.statuses.order_by("recorded_at")) == [first, second]
    assert second.recorded_by == director and second.recorded_at >= first.recorded_at
    entry = AuditEntry.objects.for_object(second).get(field="actions_status")
    assert entry.new_value == ProgressStatus.AT_RISK and entry.user == director
    assert entry.reason == "Two recruitment campaigns slipped"
    assert entry.context == f"priority {priority.number} status"


def test_closing_a_risk_keeps_the_reason_in_the_trail_and_takes_it_off_the_register(db):
    from improvement_plan.models import Risk

    lead = make_user(role=roles.SERVICE_LEAD)
    risk = make_risk(reference="SR7.10")
    risk.close("  Merged into SR7.7 ", by=lead)
    assert not Risk.objects.filter(closed_at__isnull=True, pk=risk.pk).exists()
    entry = AuditEntry.objects.for_object(risk).get(field="closed_reason")
    assert entry.new_value == entry.reason == "Merged into SR7.7" and entry.user == lead


def test_a_new_version_of_the_plan_is_kept_in_the_trail_with_the_one_it_replaces(db):
    director = make_user(role=roles.DIRECTOR)
    old = make_workstream().priority.plan
    new = old.new_version("v3.0", by=director)
    old.refresh_from_db()
    assert (new.is_current, old.is_current, new.previous) == (True, False, old)
    assert new.priorities.get().workstreams.get().number == "1.1"
    entry = AuditEntry.objects.for_object(new).get(field="version")
    assert entry.user == director and entry.context == f"new plan version from {old.version}"


def test_a_milestones_progress_is_saved_with_each_change_and_the_reason_in_the_trail(db):
    from datetime import date

    from improvement_plan.models import Milestone

    lead = make_user(role=roles.SERVICE_LEAD)
    milestone = Milestone.objects.create(
        workstream=make_workstream(), reference="M1", name="Microsite relaunched"
    )
    milestone.done, milestone.done_on = True, date(2022, 8, 12)
    milestone.save_progress(by=lead, reason=" Launched at the August board ")
    milestone.refresh_from_db()
    assert (milestone.done, milestone.done_on) == (True, date(2022, 8, 12))
    entries = AuditEntry.objects.for_object(milestone)
    assert {e.field for e in entries} == {"done", "done_on"}
    assert {(e.reason, e.user, e.context) for e in entries} == {
        ("Launched at the August board", lead, "milestone M1")
    }
