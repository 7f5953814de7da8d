"""Officers keep measures and targets in the admin: clear errors, and every change audited."""

from datetime import date

from metrics.models import MeasureStatus, Target
from scrutiny import roles
from scrutiny.models import AuditEntry
from tests.factories import make_measure, make_observation, make_target


def target_form(measure, **fields):
    data = {
        "measure": measure.pk,
        "kind": "standard",
        "value": "80",
        "effective_from": "2022-06-01",
        "effective_to": "",
        "source": "",
        "note": "",
        "change_reason": "",
    }
    data.update(fields)
    return data


def test_overlapping_targets_are_refused_with_a_clear_error(client_for, db):
    measure = make_measure()
    make_target(measure=measure, value=80, effective_from=date(2021, 6, 1))
    response = client_for(roles.PERFORMANCE_OFFICER).post(
        "/admin/metrics/target/add/", target_form(measure, effective_from="2022-06-01")
    )
    assert response.status_code == 200
    assert "overlap another target" in response.content.decode()
    assert Target.objects.count() == 1


def test_a_percentage_target_outside_0_to_100_is_refused(client_for, db):
    measure = make_measure()
    response = client_for(roles.PERFORMANCE_OFFICER).post(
        "/admin/metrics/target/add/", target_form(measure, value="120")
    )
    assert "A percentage target must be between 0 and 100." in response.content.decode()


def test_a_target_for_a_month_a_quarterly_measure_does_not_report_is_refused(client_for, db):
    measure = make_measure(frequency="quarter")
    response = client_for(roles.PERFORMANCE_OFFICER).post(
        "/admin/metrics/target/add/", target_form(measure, effective_from="2022-05-01")
    )
    assert "is reported quarterly" in response.content.decode()


def test_changing_a_target_needs_a_reason_is_audited_and_recomputes(
    client_for, db, django_capture_on_commit_callbacks, eager_tasks
):
    measure = make_measure()
    make_observation(measure=measure, value=76)
    target = make_target(measure=measure, value=80)
    client = client_for(roles.PERFORMANCE_OFFICER)
    url = f"/admin/metrics/target/{target.pk}/change/"
    refused = client.post(url, target_form(measure, value="78"))
    assert "Say why this is being changed." in refused.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, target_form(measure, value="90", change_reason="Stretch agreed")
        )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(field="value")
    assert (entry.old_value, entry.new_value, entry.reason) == ("80.0000", "90", "Stretch agreed")
    assert entry.user.username == "officer"
    assert MeasureStatus.objects.get(measure=measure).rag == "red"


def test_committee_members_cannot_reach_the_admin(client_for, db):
    response = client_for(roles.COMMITTEE_MEMBER).get("/admin/metrics/target/")
    assert response.status_code == 302
