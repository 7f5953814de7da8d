"""The strategic risk register: ratings as the papers print them, and the question they raise."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from improvement_plan.models import Risk, RiskAssessment
from metrics import calculations as calc
from metrics.models import Measure, Polarity
from scrutiny import roles
from tests.factories import (
    make_measure,
    make_observation,
    make_review,
    make_risk,
    make_target,
)


@pytest.mark.parametrize(
    ("score", "band"),
    [(1, "Low"), (6, "Low"), (7, "Moderate"), (12, "Moderate"), (13, "High"), (25, "High")],
)
def test_bands_follow_the_councils_matrix(score, band):
    assert calc.risk_band(score) == band


def test_a_score_outside_the_matrix_is_refused():
    with pytest.raises(ValueError, match="1 to 25"):
        calc.risk_band(26)


def test_direction_against_the_last_assessment():
    assert calc.risk_direction(12, 8) == "increasing"
    assert calc.risk_direction(6, 8) == "decreasing"
    assert calc.risk_direction(12, 12) == "no_change"
    assert calc.risk_direction(8, None) == ""


def test_a_low_rating_over_a_red_measure_is_questioned():
    assert calc.risk_rating_questioned("Low", [("Audits", "red", "improving")]).startswith(
        "Rated Low, but 1 linked measure is worse than tolerance"
    )
    assert calc.risk_rating_questioned("Moderate", [("Audits", "red", "improving")]) == ""
    assert "declining" in calc.risk_rating_questioned("Moderate", [("x", "red", "declining")])
    assert calc.risk_rating_questioned("High", [("x", "red", "declining")]) == ""


def test_impact_and_likelihood_come_together_and_the_score_is_never_typed(db):
    risk = make_risk()
    with pytest.raises(ValidationError, match="both impact and likelihood"):
        RiskAssessment(risk=risk, quarter_end=date(2022, 9, 1), impact=4).full_clean()
    with pytest.raises(ValidationError, match="not typed"):
        RiskAssessment(
            risk=risk, quarter_end=date(2022, 9, 1), impact=4, likelihood=4, printed_score=16
        ).full_clean()
    assert (
        RiskAssessment(risk=risk, quarter_end=date(2022, 9, 1), impact=4, likelihood=4).score == 16
    )


def test_the_heat_map_places_score_only_risks_by_their_score(client_for, settings):
    _rated_risk(settings, "SR7.4", impact=3, likelihood=3)
    # Carried over from papers that print the score alone: no impact or likelihood to place.
    make_review(risk=make_risk(reference="SR7.5"), impact=None, likelihood=None, printed_score=12)
    html = client_for(roles.COMMITTEE_MEMBER).get("/risks/heat-map/").content.decode()
    assert "Almost certain (5)" in html and "5 Critical" in html
    assert "Placed by score" in html
    boxes = html.split("heat-map-scale__band")[1:]
    (box,) = [b for b in boxes if ">Moderate: scores" in b]
    assert ">SR7.5</a> score 12 " in box and "(by score" in box
    assert "SR7.4" not in "".join(boxes)  # placed by its impact and likelihood instead


def test_the_risk_page_shows_its_history_chart_and_linked_measures(client_for, settings):
    risk = _rated_risk(settings, "SR7.7", impact=3, likelihood=2)  # Low 6
    measure = make_measure(
        code="CSC11", name="Children in care with 3 or more placements", polarity=Polarity.SMALLER
    )
    make_target(measure=measure, value="10", effective_from=date(2022, 1, 1))
    make_observation(measure=measure, period_end=date(2022, 3, 1), value="11.0")
    make_observation(measure=measure, period_end=date(2022, 6, 1), value="14.0")
    Measure.objects.filter(pk=measure.pk).recompute_statuses()
    risk.measures.add(measure)
    member = client_for(roles.COMMITTEE_MEMBER)
    html = member.get("/risks/SR7.7/").content.decode()
    assert "Rating over time" in html and "risk-SR7.7" in html
    assert "Children in care with 3 or more placements" in html
    assert "Check the rating." in html  # rated Low, yet its measure is red and declining
    assert member.get("/risks/SR9.9/").status_code == 404


def test_a_lead_records_a_review_that_raises_a_risk_and_a_director_signs_it_off(
    client_for, settings
):
    _rated_risk(settings, "SR7.5", impact=4, likelihood=3)  # Moderate 12
    _rated_risk(settings, "SR7.7", impact=3, likelihood=3)
    lead = client_for(roles.SERVICE_LEAD)
    refused = lead.post("/risks/SR7.5/review/", {"impact": "4", "likelihood": "4"})
    assert "Say why the rating changes from Moderate 12." in refused.content.decode()
    bad = lead.post("/risks/SR7.5/review/", {"impact": "9", "likelihood": "4"})
    assert "Select a valid choice" in bad.content.decode()
    lead.post(
        "/risks/SR7.5/review/",
        {"impact": "4", "likelihood": "4", "rationale": "Agency rate rose to 34.5%"},
    )
    review = RiskAssessment.objects.get(risk__reference="SR7.5", quarter_end=date(2022, 9, 1))
    assert (review.score, review.band, review.assessed_by.username) == (16, "High", "lead")
    from scrutiny.audit import AuditEntry

    assert AuditEntry.objects.filter(field="impact", new_value="4").exists()
    # Until a director signs it off, members read the signed-off rating; staff see the proposal.
    member_api = client_for(roles.COMMITTEE_MEMBER).get("/api/v1/risks/SR7.5").json()
    assert (member_api["current"]["score"], member_api["proposed"]) == (12, None)
    html = client_for(roles.COMMITTEE_MEMBER).get("/risks/").content.decode()
    row = html[html.index("SR7.5") : html.index("SR7.7")]
    assert "(proposed)" not in row and "Risk increasing" not in row
    staff = client_for(roles.SERVICE_LEAD).get("/risks/").content.decode()
    assert "(proposed)" in staff[staff.index("SR7.5") : staff.index("SR7.7")]
    member_page = client_for(roles.COMMITTEE_MEMBER).get("/risks/SR7.5/").content.decode()
    assert "Proposed rating" not in member_page and "Agency rate rose" not in member_page
    staff_page = client_for(roles.SERVICE_LEAD).get("/risks/SR7.5/").content.decode()
    proposed = staff_page[staff_page.index("Proposed rating") :]
    assert "High 16" in proposed[:800] and "Agency rate rose" in staff_page

    assert client_for(roles.SERVICE_LEAD).post("/risks/SR7.5/sign-off/").status_code == 403
    client_for(roles.DIRECTOR).post("/risks/SR7.5/sign-off/")
    review.refresh_from_db()
    assert review.signed_off_by.username == "director"
    html = client_for(roles.COMMITTEE_MEMBER).get("/risks/").content.decode()
    row = html[html.index("SR7.5") : html.index("SR7.7")]
    assert "High 16" in row and "Risk increasing" in row
    again = client_for(roles.SERVICE_LEAD).get("/risks/SR7.5/review/", follow=True)
    assert "2022/23 Q3" in again.content.decode()  # the next review is now due


def _rated_risk(settings, reference, impact, likelihood, **fields):
    """A risk rated (and signed off) for 2022/23 Q1, read as at September 2022."""
    settings.AS_AT = date(2022, 9, 14)
    risk = make_risk(reference=reference, **fields)
    make_review(risk=risk, quarter_end=date(2022, 6, 1), impact=impact, likelihood=likelihood)
    return risk


def test_a_review_can_be_corrected_until_it_is_signed_off(client_for, settings):
    _rated_risk(settings, "SR7.2", impact=3, likelihood=2)
    lead = client_for(roles.SERVICE_LEAD)
    lead.post("/risks/SR7.2/review/", {"impact": "3", "likelihood": "2"})  # Low 6, unchanged
    lead.post(
        "/risks/SR7.2/review/",
        {"impact": "3", "likelihood": "3", "rationale": "Audit quality is not improving"},
    )
    reviews = RiskAssessment.objects.filter(risk__reference="SR7.2", quarter_end=date(2022, 9, 1))
    assert [(r.score, r.band) for r in reviews] == [(9, "Moderate")]
    from scrutiny.audit import AuditEntry

    change = AuditEntry.objects.get(field="likelihood", old_value="2")
    assert (change.new_value, change.reason) == ("3", "Audit quality is not improving")
    client_for(roles.DIRECTOR).post("/risks/SR7.2/sign-off/")
    page = lead.get("/risks/SR7.2/review/").content.decode()
    assert "Review for 2022/23 Q3" in page


def test_the_daily_job_flags_overdue_reviews_and_is_idempotent(db, settings):
    from improvement_plan.tasks import flag_overdue_reviews

    for number in range(3):
        _rated_risk(settings, f"SR7.{number}", impact=3, likelihood=3)
    _rated_risk(settings, "SR7.5", impact=4, likelihood=3)
    make_risk(reference="SR8.1", closed_at=date(2022, 8, 1), closed_reason="Merged into SR7.5")
    settings.AS_AT = None  # today: no review since 2022/23 Q1, years ago
    assert flag_overdue_reviews() == 4
    assert flag_overdue_reviews() == 4
    risk = Risk.objects.get(reference="SR7.5")
    assert risk.review_overdue_since is not None
    assert not risk.flag_if_overdue(date(2022, 8, 15))  # Q1 was reviewed; Q2 still open
    risk.refresh_from_db()
    assert risk.review_overdue_since is None


def test_the_heat_map_places_reviewed_risks_and_where_they_stood_before(client_for, settings):
    _rated_risk(settings, "SR7.5", impact=4, likelihood=3)
    settings.AS_AT = date(2022, 12, 14)  # the next quarter's review
    lead = client_for(roles.SERVICE_LEAD)
    lead.post("/risks/SR7.5/review/", {"impact": "4", "likelihood": "3"})  # Moderate 12
    client_for(roles.DIRECTOR).post("/risks/SR7.5/sign-off/")
    lead = client_for(roles.SERVICE_LEAD)  # the test client is shared: sign the lead in again
    lead.post("/risks/SR7.5/review/", {"impact": "4", "likelihood": "4", "rationale": "Worse"})
    client_for(roles.DIRECTOR).post("/risks/SR7.5/sign-off/")
    html = client_for(roles.COMMITTEE_MEMBER).get("/risks/heat-map/").content.decode()
    likely = html[html.index("Likely (4)") : html.index("Probable (3)")]
    probable = html[html.index("Probable (3)") : html.index("Possible (2)")]
    assert ">SR7.5</a>" in likely and "SR7.5 last quarter" in probable


def test_a_measure_page_links_to_the_risks_that_cite_it(client_for, db):
    from tests.factories import make_measure

    make_risk(reference="SR7.7").measures.add(make_measure(code="CSC11"))
    html = client_for(roles.COMMITTEE_MEMBER).get("/measures/CSC11/").content.decode()
    assert "Strategic risks that cite this measure" in html and 'href="/risks/SR7.7/"' in html


def test_a_review_keeps_the_earlier_mitigations_on_the_risk_page(client_for, settings):
    from scrutiny.audit import AuditEntry
    from tests.factories import make_workstream

    risk = _rated_risk(settings, "SR7.5", impact=4, likelihood=3, mitigations="Agency cap")
    risk.workstreams.add(make_workstream(number="1.1"))
    before = Risk.objects.get(reference="SR7.5").mitigations
    client_for(roles.SERVICE_LEAD).post(
        "/risks/SR7.5/review/",
        {
            "impact": "3",
            "likelihood": "4",
            "mitigations": "Recruitment campaign abroad\nRetention payments",
        },
    )
    # The new actions are part of the review: readers see them once it is signed off.
    assert Risk.objects.get(reference="SR7.5").mitigations == before
    unsigned = client_for(roles.COMMITTEE_MEMBER).get("/risks/SR7.5/").content.decode()
    assert "Retention payments" not in unsigned
    client_for(roles.DIRECTOR).post("/risks/SR7.5/sign-off/")
    risk = Risk.objects.get(reference="SR7.5")
    assert risk.mitigations == "Recruitment campaign abroad\nRetention payments"
    review = risk.assessments.get(quarter_end=date(2022, 9, 1))
    assert review.mitigations == risk.mitigations
    entry = AuditEntry.objects.for_object(risk).get(field="mitigations")
    assert (entry.old_value, entry.user.username) == (before, "director")
    page = client_for(roles.COMMITTEE_MEMBER).get("/risks/SR7.5/").content.decode()
    assert "Earlier mitigating actions (1 change)" in page
    assert "Retention payments" in page
    api = client_for(roles.COMMITTEE_MEMBER).get("/api/v1/risks/SR7.5").json()
    assert api["workstreams"] == ["1.1"]


def _risk_form(**fields):
    return {
        "reference": "SR7.10",
        "title": "Children's homes sufficiency",
        "description": "",
        "owner": "Director of Children's Services",
        "register": "",
        "register_name": "Strategic Risk 7: Safeguarding",
        "inherent_impact": "4",
        "inherent_likelihood": "4",
        "target_score": "8",
        "new_this_quarter": "on",
        "reason": "",
        **fields,
    }


def test_a_lead_adds_a_new_risk_changes_it_with_a_reason_and_closes_it(client_for, db):
    from metrics.models import Measure
    from scrutiny.audit import AuditEntry
    from tests.factories import make_measure

    measure = make_measure(code="CSC11")
    lead = client_for(roles.SERVICE_LEAD)
    bad = lead.post("/risks/new/", _risk_form(inherent_likelihood="", register_name=""))
    html = bad.content.decode()
    assert "Give both impact and likelihood, or neither." in html
    assert "Choose the register, or name a new one." in html
    response = lead.post("/risks/new/", _risk_form(measures=[measure.pk]))
    assert response.status_code == 302
    risk = Risk.objects.get(reference="SR7.10")
    assert (risk.inherent, risk.inherent_band, risk.register.name) == (
        16,
        "High",
        "Strategic Risk 7: Safeguarding",
    )
    assert list(risk.measures.all()) == [Measure.objects.get(code="CSC11")]
    added = AuditEntry.objects.for_object(risk)
    assert {e.field for e in added} >= {"reference", "title", "measures"}
    assert "SR7.10" in client_for(roles.COMMITTEE_MEMBER).get("/risks/").content.decode()

    change = _risk_form(register=risk.register_id, register_name="", owner="Head of Service")
    lead = client_for(roles.SERVICE_LEAD)  # the test client is shared: sign the lead in again
    refused = lead.post("/risks/SR7.10/change/", change).content.decode()
    assert "Say why the risk is being changed." in refused
    lead.post("/risks/SR7.10/change/", {**change, "reason": "Owner moved"})
    entry = AuditEntry.objects.for_object(risk).get(field="owner", action="change")
    assert (entry.old_value, entry.new_value, entry.reason) == (
        "Director of Children's Services",
        "Head of Service",
        "Owner moved",
    )

    lead = client_for(roles.SERVICE_LEAD)
    lead.post("/risks/SR7.10/close/", {"reason": ""})
    assert Risk.objects.get(reference="SR7.10").closed_at is None
    lead.post("/risks/SR7.10/close/", {"reason": "Merged into SR7.7"})
    closed = Risk.objects.get(reference="SR7.10")
    assert closed.closed_at is not None and closed.closed_reason == "Merged into SR7.7"
    register = client_for(roles.COMMITTEE_MEMBER).get("/risks/").content.decode()
    assert "Children's homes sufficiency" not in register
    page = client_for(roles.COMMITTEE_MEMBER).get("/risks/SR7.10/").content.decode()
    assert "Merged into SR7.7" in page and "Owner moved" in page
    assert client_for(roles.SERVICE_LEAD).get("/risks/SR7.10/change/").status_code == 403


def test_members_cannot_add_change_or_close_risks(client_for, db):
    member = client_for(roles.COMMITTEE_MEMBER)
    assert member.get("/risks/new/").status_code == 403
    assert member.post("/risks/new/", _risk_form()).status_code == 403
    assert not Risk.objects.exists()
    assert "Add a risk" not in member.get("/risks/").content.decode()


def test_a_reference_already_used_is_refused(client_for, db):
    lead = client_for(roles.SERVICE_LEAD)
    lead.post("/risks/new/", _risk_form())
    again = lead.post("/risks/new/", _risk_form()).content.decode()
    assert "Risk with this Reference already exists." in again
    assert Risk.objects.count() == 1


@pytest.mark.parametrize(
    "last, today, since",
    [
        (date(2022, 6, 1), date(2022, 9, 14), None),  # Q1 reviewed; Q2 not ended
        (date(2022, 6, 1), date(2022, 10, 1), date(2022, 10, 1)),  # Q2 ended, no review
        (date(2022, 3, 1), date(2022, 9, 14), date(2022, 7, 1)),  # two quarters ago
        (date(2022, 9, 1), date(2022, 10, 3), None),
        (None, date(2022, 9, 14), date(2022, 7, 1)),  # never reviewed
    ],
)
def test_a_review_is_overdue_once_its_quarter_has_ended(last, today, since):
    from improvement_plan.models import overdue_since

    assert overdue_since(last, today) == since


def test_overdue_reviews_are_counted_as_at_the_day_without_the_daily_job(client_for, settings):
    from scrutiny.roles import COMMITTEE_MEMBER

    for number in (2, 4, 5):
        _rated_risk(settings, f"SR7.{number}", impact=3, likelihood=3)  # reviewed for Q1
    make_risk(reference="SR8.1", closed_at=date(2022, 8, 1), closed_reason="Merged")
    member = client_for(COMMITTEE_MEMBER)
    assert "No review is overdue." in member.get("/risks/overdue/").content.decode()
    settings.AS_AT = date(2023, 1, 10)  # Q2 and Q3 have ended since
    page = member.get("/risks/overdue/").content.decode()
    assert (
        page.count("overdue since 1 October 2022")
        == Risk.objects.filter(closed_at__isnull=True).count()
    )
    assert "As at" in page and "Tuesday 10 January 2023" in page
