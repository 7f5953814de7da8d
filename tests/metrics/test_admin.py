"""Officers keep measures and targets in the admin: clear errors, and every change audited."""

from datetime import date

from metrics.models import MeasureStatus, Target
from scrutiny import roles
from scrutiny.audit import AuditEntry
from tests.factories import make_commentary, make_measure, make_observation, make_target


def target_form(measure, **fields):
    return {
        "measure": measure.pk,
        "kind": "standard",
        "value": "80",
        "effective_from": "2022-06-01",
        "effective_to": "",
        "source": "",
        "note": "",
        "change_reason": "",
        **fields,
    }


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
    assert MeasureStatus.objects.in_view(drafts=True).get(measure=measure).rag == "red"


def test_committee_members_cannot_reach_the_admin(client_for, db):
    response = client_for(roles.COMMITTEE_MEMBER).get("/admin/metrics/target/")
    assert response.status_code == 302


def test_figures_cannot_be_added_changed_or_deleted_in_the_admin(client_for, db):
    """An edit here used to skip the figure history, the upload version check and publication,
    and a later rollback silently deleted it."""
    from metrics.models import Observation

    observation = make_observation(value=68.9)
    client = client_for(roles.PERFORMANCE_OFFICER)
    url = f"/admin/metrics/observation/{observation.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200 and b'name="value"' not in page.content  # view only
    client.post(url, {"measure": observation.measure_id, "value": "6.9", "period_kind": "quarter"})
    client.post(f"/admin/metrics/observation/{observation.pk}/delete/", {"post": "yes"})
    assert client.get("/admin/metrics/observation/add/").status_code == 403
    assert Observation.objects.get().value == observation.value


def test_commentary_author_and_publication_are_not_typed_in_the_admin(client_for, db):
    from metrics.models import Commentary

    measure = make_measure()
    note = make_commentary(measure=measure, text="Draft")
    client = client_for(roles.PERFORMANCE_OFFICER)
    page = client.get(f"/admin/metrics/commentary/{note.pk}/change/").content.decode()
    assert 'name="text"' in page
    assert 'name="published"' not in page and 'name="written_by"' not in page
    client.post(
        f"/admin/metrics/commentary/{note.pk}/change/",
        {
            "measure": measure.pk,
            "period_kind": "quarter",
            "period_end": "2022-06-01",
            "text": "Draft",
            "source": "",
            "published": "on",
            "change_reason": "publish it",
        },
    )
    assert not Commentary.objects.get().published
