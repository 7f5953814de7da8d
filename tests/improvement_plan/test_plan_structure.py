"""A council writes its improvement plan in the product: plan, priorities, workstreams with
their rationale, objectives and deliverables, key actions, milestones and metrics."""

from datetime import date

from improvement_plan.models import KeyAction, Milestone, Owner, Plan, PlanMetric, Priority
from scrutiny import roles
from scrutiny.audit import AuditEntry
from tests.factories import make_measure


def test_a_lead_writes_the_first_plan_from_nothing(client_for, db):
    lead = client_for(roles.SERVICE_LEAD)
    page = lead.get("/plan/").content.decode()
    assert "No improvement plan has been written yet." in page and "/plan/new/" in page
    lead.post("/plan/new/", {"title": "Children's Services Improvement Plan", "version": "1.0"})
    plan = Plan.objects.get()
    assert plan.is_current

    lead.post("/plan/priorities/new/", {"number": "1", "title": "Workforce"})
    duplicate = lead.post("/plan/priorities/new/", {"number": "1", "title": "Again"})
    assert "There is already one with this number here." in duplicate.content.decode()
    priority = Priority.objects.get()

    lead.post(
        "/plan/workstreams/new/",
        {
            "priority": priority.pk,
            "number": "1.1",
            "title": "Recruitment and retention",
            "lead": "Head of Workforce",
            "rationale": "Agency rate above 30%\nTurnover rising",
            "objectives": "A stable workforce",
            "deliverables": "",
        },
    )
    workstream = priority.workstreams.get()
    assert [i.text for i in workstream.items.filter(kind="local")] == [
        "Agency rate above 30%",
        "Turnover rising",
    ]
    owner = Owner.objects.create(name="Head of Workforce")
    lead.post(
        f"/plan/workstreams/{workstream.pk}/actions/new/",
        {
            "reference": "1.1-A01",
            "text": "Run an overseas campaign",
            "owners": [owner.pk],
            "due_month": "2022-09",
            "order": "1",
        },
    )
    action = KeyAction.objects.get()
    assert (action.due_month, list(action.owners.all())) == (date(2022, 9, 1), [owner])
    assert AuditEntry.objects.for_object(action).filter(field="owners").exists()
    lead.post(
        f"/plan/workstreams/{workstream.pk}/milestones/new/",
        {"reference": "M1", "name": "Campaign launched", "month": "2022-10", "order": "1"},
    )
    assert Milestone.objects.get().month == date(2022, 10, 1)
    measure = make_measure(code="CSC13")
    refused = lead.post(
        f"/plan/workstreams/{workstream.pk}/metrics/new/",
        {"reference": "K1", "name": "Agency rate", "order": "1"},
    )
    assert "Link the measure, or type the figures." in refused.content.decode()
    lead.post(
        f"/plan/workstreams/{workstream.pk}/metrics/new/",
        {"reference": "K1", "name": "Agency rate", "measure": measure.pk, "order": "1"},
    )
    assert PlanMetric.objects.get().measure == measure
    html = client_for(roles.COMMITTEE_MEMBER).get(workstream.get_absolute_url()).content.decode()
    assert "Run an overseas campaign" in html and "Agency rate above 30%" in html


def test_changes_need_a_reason_and_earlier_versions_stay_as_they_stood(client_for, db):
    from tests.factories import make_workstream

    workstream = make_workstream()
    lead = client_for(roles.SERVICE_LEAD)
    form = {
        "priority": workstream.priority_id,
        "number": workstream.number,
        "title": "A better title",
        "lead": "",
        "rationale": "",
        "objectives": "",
        "deliverables": "",
    }
    refused = lead.post(f"/plan/workstreams/{workstream.pk}/change/", form).content.decode()
    assert "Say why this is being changed." in refused
    lead.post(
        f"/plan/workstreams/{workstream.pk}/change/",
        {**form, "objectives": "Fewer vacancies\nLower agency use", "reason": "Board agreed"},
    )
    entry = AuditEntry.objects.get(field="title", context="plan workstream")
    assert (entry.new_value, entry.reason) == ("A better title", "Board agreed")
    lines = AuditEntry.objects.get(field="objectives", context="plan workstream")
    assert (lines.old_value, lines.new_value, lines.reason) == (
        "",
        "Fewer vacancies\nLower agency use",
        "Board agreed",
    )

    Plan.objects.filter(pk=workstream.priority.plan_id).update(is_current=False)
    assert lead.get(f"/plan/workstreams/{workstream.pk}/change/").status_code == 403
    assert lead.get(f"/plan/workstreams/{workstream.pk}/actions/new/").status_code == 403
    assert client_for(roles.COMMITTEE_MEMBER).get("/plan/priorities/new/").status_code == 403
