"""Awaiting you: what waits for a director, with its age, cleared from one place; an update may
go back to its lead with a comment instead of being signed off."""

from datetime import date, timedelta

from django.utils import timezone

from improvement_plan.models import ProgressUpdate, Risk, RiskAssessment, RiskRegister
from scrutiny import roles
from scrutiny.audit import AuditEntry
from scrutiny.models import Question
from tests.factories import make_meeting, make_update, make_user, make_workstream


def _seed(users):
    workstream = make_workstream(title="Workforce")
    update = make_update(workstream=workstream, signed_off=False)
    ProgressUpdate.objects.filter(pk=update.pk).update(
        written_at=timezone.now() - timedelta(days=9)
    )
    risk = Risk.objects.create(reference="SR1", title="Capacity",
                               register=RiskRegister.objects.create(name="R"))  # fmt: skip
    RiskAssessment.objects.create(risk=risk, quarter_end=date(2022, 6, 1), impact=3,
                                  likelihood=3, assessed_at=timezone.now())  # fmt: skip
    meeting = make_meeting(day=timezone.localdate() + timedelta(days=5))
    Question.objects.create(meeting=meeting, asked_by=users[roles.COMMITTEE_MEMBER],
                            text="Why are visits late?", submitted_at=timezone.now(),
                            status="drafted", answer="Staffing.")  # fmt: skip
    return update


def test_a_director_sees_everything_waiting_with_its_age(client_for, users):
    _seed(users)
    director = client_for(roles.DIRECTOR)
    page = director.get("/awaiting/").content.decode()
    expected = ["Plan update to sign off", "Risk review to sign off", "Answer to approve",
                "Pack to publish", "Why are visits late?", "the meeting is in 5 days"]  # fmt: skip
    for words in expected:
        assert words in page, words
    assert ">9</td>" in page  # the update has waited nine days
    home = director.get("/").content.decode()
    assert "4 items awaiting you" in home and "the oldest has waited 9 days" in home
    assert client_for(roles.COMMITTEE_MEMBER).get("/awaiting/").status_code == 403
    assert 'href="/awaiting/"' not in client_for(roles.COMMITTEE_MEMBER).get("/").content.decode()


def test_a_director_signs_off_or_returns_an_update_from_the_list(client_for, users):
    update = _seed(users)
    director = client_for(roles.DIRECTOR)
    returning = f"/plan/updates/{update.pk}/return/"
    refused = director.post(returning, {"comment": "", "next": "/awaiting/"}, follow=True)
    assert "Say what the lead should change" in refused.content.decode()
    comment = "Give the figures behind On target."
    director.post(returning, {"comment": comment, "next": "/awaiting/"})
    update.refresh_from_db()
    assert update.returned_at and update.signed_off_at is None
    assert "Plan update to sign off" not in director.get("/awaiting/").content.decode()
    assert (
        AuditEntry.objects.for_object(update)
        .filter(field="return_comment", new_value="Give the figures behind On target.")
        .exists()
    )

    lead = client_for(roles.SERVICE_LEAD)
    form = lead.get(f"/plan/workstreams/{update.workstream.pk}/update/").content.decode()
    assert "Give the figures behind On target." in form
    assert 'data-testid="update-metrics"' in form and "overdue</strong> as at" in form
    lead.post(f"/plan/workstreams/{update.workstream.pk}/update/", {
        "actions_status": "on_target", "impact_status": "in_progress",
        "comment": "Visits in time rose from 62% to 69%.", "progress_made": "Recruited",
        "actions_next": "",
    })  # fmt: skip
    update.refresh_from_db()
    assert update.returned_at is None and update.comment.startswith("Visits in time")
    director = client_for(roles.DIRECTOR)
    assert "Plan update to sign off" in director.get("/awaiting/").content.decode()
    response = director.post(f"/plan/updates/{update.pk}/sign-off/", {"next": "/awaiting/"})
    assert response["Location"] == "/awaiting/"
    update.refresh_from_db()
    assert update.signed_off_at is not None


def test_an_unsafe_next_address_is_ignored(client_for, users):
    update = _seed(users)
    response = client_for(roles.DIRECTOR).post(
        f"/plan/updates/{update.pk}/sign-off/", {"next": "https://evil.example/"}
    )
    assert response["Location"] == update.workstream.get_absolute_url()


def test_nothing_waiting_says_so(client_for, db):
    make_user(role=roles.DIRECTOR)
    page = client_for(roles.DIRECTOR).get("/awaiting/").content.decode()
    assert "Nothing is waiting for you." in page


def test_a_director_returns_a_risk_review_and_signs_off_the_corrected_one(client_for, users):
    _seed(users)
    director = client_for(roles.DIRECTOR)
    page = director.get("/awaiting/").content.decode()
    assert 'action="/risks/SR1/return/"' in page and 'action="/risks/SR1/sign-off/"' in page
    director.post("/risks/SR1/return/", {"comment": "Likelihood looks low", "next": "/awaiting/"})
    review = RiskAssessment.objects.get(risk__reference="SR1")
    assert review.returned_at and review.return_comment == "Likelihood looks low"
    assert "Risk review to sign off" not in director.get("/awaiting/").content.decode()
    lead = client_for(roles.SERVICE_LEAD)
    form = lead.get("/risks/SR1/review/").content.decode()
    assert "Likelihood looks low" in form
    lead.post("/risks/SR1/review/", {"impact": 3, "likelihood": 4, "rationale": "Raised",
                                     "mitigations": ""})  # fmt: skip
    review.refresh_from_db()
    assert review.returned_at is None and review.likelihood == 4
    director = client_for(roles.DIRECTOR)
    assert "Risk review to sign off" in director.get("/awaiting/").content.decode()
    response = director.post("/risks/SR1/sign-off/", {"next": "/awaiting/"})
    assert response["Location"] == "/awaiting/"
    review.refresh_from_db()
    assert review.signed_off_at is not None


def test_a_director_returns_a_drafted_answer_and_approves_the_redraft(client_for, users):
    _seed(users)
    question = Question.objects.get()
    director = client_for(roles.DIRECTOR)
    page = director.get("/awaiting/").content.decode()
    assert f'action="/questions/{question.pk}/return/"' in page and ">Approve<" in page
    director.post(f"/questions/{question.pk}/return/",
                  {"comment": "Give the numbers", "next": "/awaiting/"})  # fmt: skip
    question.refresh_from_db()
    assert question.status == "submitted" and question.return_comment == "Give the numbers"
    lead = client_for(roles.SERVICE_LEAD)
    assert "Give the numbers" in lead.get(f"/questions/{question.pk}/").content.decode()
    lead.post(f"/questions/{question.pk}/", {"answer": "Staffing: 12 of 40 posts vacant."})
    question.refresh_from_db()
    assert question.status == "drafted" and question.returned_at is None
    director = client_for(roles.DIRECTOR)
    response = director.post(f"/questions/{question.pk}/approve/", {"next": "/awaiting/"})
    assert response["Location"] == "/awaiting/"
    question.refresh_from_db()
    assert question.status == "answered"
