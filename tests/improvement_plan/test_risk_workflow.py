"""The risk review's workflow on the models, without pages: record, correct, return, sign off,
each kept in the audit trail."""

from datetime import date

from improvement_plan.models import Risk
from metrics import calculations as calc
from scrutiny import roles
from scrutiny.audit import AuditEntry
from tests.factories import make_review, make_risk, make_user

Q1 = calc.quarter_period(2022, 1)
Q2 = calc.quarter_period(2022, 2)


def test_a_review_waits_for_sign_off_and_the_risk_is_no_longer_overdue(db):
    lead = make_user(role=roles.SERVICE_LEAD)
    risk = make_risk(mitigations="Recruit agency staff", review_overdue_since=date(2022, 10, 1))
    make_review(risk=risk, quarter_end=Q1.end, impact=3, likelihood=3)
    review = risk.record_review(
        Q2, impact=4, likelihood=4, rationale="Vacancies rose to 28%", mitigations=None, by=lead
    )
    assert (review.score, review.band, review.is_proposed) == (16, "High", True)
    assert review.mitigations == "Recruit agency staff"  # None keeps the risk's
    assert risk.waiting_review() == review
    assert Risk.objects.get(pk=risk.pk).review_overdue_since is None
    trail = AuditEntry.objects.for_object(review)
    assert {(e.field, e.new_value) for e in trail} >= {("impact", "4"), ("likelihood", "4")}
    assert {e.reason for e in trail} == {"Vacancies rose to 28%"}


def test_correcting_a_returned_review_sends_it_for_sign_off_again(db):
    lead, director = make_user(role=roles.SERVICE_LEAD), make_user(role=roles.DIRECTOR)
    risk = make_risk()
    review = risk.record_review(
        Q2, impact=2, likelihood=2, rationale="", mitigations="Weekly panel", by=lead
    )
    review.send_back(director, "  Say what the panel found.  ")
    review.refresh_from_db()
    assert review.returned_by == director and review.return_comment == "Say what the panel found."
    assert AuditEntry.objects.for_object(review).filter(context="risk review returned").exists()
    corrected = risk.record_review(
        Q2, impact=2, likelihood=3, rationale="Panel found drift", mitigations="", by=lead
    )
    assert corrected.pk == review.pk  # the same quarter's review, corrected
    assert corrected.returned_at is None and corrected.return_comment == ""
    assert (corrected.impact, corrected.likelihood) == (2, 3)


def test_sign_off_makes_the_reviews_mitigations_the_risks(db):
    lead, director = make_user(role=roles.SERVICE_LEAD), make_user(role=roles.DIRECTOR)
    risk = make_risk(mitigations="Old plan")
    review = risk.record_review(
        Q2, impact=3, likelihood=4, rationale="Why", mitigations="New plan", by=lead
    )
    review.sign_off(director)
    risk.refresh_from_db()
    assert risk.mitigations == "New plan"
    assert risk.waiting_review() is None
    assert AuditEntry.objects.for_object(risk).filter(field="mitigations", reason="Why").exists()
    assert AuditEntry.objects.for_object(review).filter(context="risk sign-off").exists()


def test_a_changed_risk_and_its_links_are_kept_with_the_reason(db):
    from improvement_plan.forms import RiskForm
    from tests.factories import make_measure

    lead = make_user(role=roles.SERVICE_LEAD)
    risk = make_risk(reference="SR1")
    measure = make_measure(code="CSC05")
    data = {
        "reference": "SR1",
        "title": "Not enough social workers, and rising",
        "register": risk.register_id,
        "measures": [measure.pk],
        "reason": "Vacancies at 28%",
    }
    form = RiskForm(data, instance=risk)
    assert form.is_valid(), form.errors
    saved = form.save_with_trail(lead)
    trail = AuditEntry.objects.for_object(saved)
    assert {(e.field, e.new_value) for e in trail} >= {
        ("title", "Not enough social workers, and rising"),
        ("measures", "CSC05"),
    }
    assert {e.reason for e in trail} == {"Vacancies at 28%"}
