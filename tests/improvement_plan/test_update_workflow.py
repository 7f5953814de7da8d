"""The progress update's workflow on the models, without pages."""

from improvement_plan.models import ProgressStatus, ProgressUpdate
from scrutiny import roles
from scrutiny.audit import AuditEntry
from tests.factories import make_update, make_user, make_workstream

FIELDS = ["actions_status", "impact_status", "comment", "progress_made", "actions_next"]


def _draft(**fields):
    return ProgressUpdate(
        actions_status=ProgressStatus.ON_TARGET,
        impact_status=ProgressStatus.IN_PROGRESS,
        comment="On track",
        progress_made="Recruited two team managers",
        **fields,
    )


def test_a_replacement_says_why_and_supersedes_the_signed_off_update_once_signed_off(db):
    lead, director = make_user(role=roles.SERVICE_LEAD), make_user(role=roles.DIRECTOR)
    workstream = make_workstream()
    signed = make_update(workstream=workstream)
    replacement = _draft()
    replacement.record(
        workstream, signed.period, replacing=signed, reason=" Wrong quarter's figures ",
        fields=FIELDS, by=lead,
    )  # fmt: skip
    assert replacement.replace_reason == "Wrong quarter's figures"
    assert not replacement.signed_off and ProgressUpdate.objects.get(pk=signed.pk).signed_off
    replacement.sign_off(director)
    signed.refresh_from_db()
    assert signed.superseded_at == replacement.signed_off_at
    assert list(workstream.updates.standing()) == [replacement]
    contexts = set(AuditEntry.objects.for_object(replacement).values_list("context", flat=True))
    assert "progress update sign-off" in contexts


def test_a_returned_update_corrected_waits_for_sign_off_again(db):
    lead, director = make_user(role=roles.SERVICE_LEAD), make_user(role=roles.DIRECTOR)
    workstream = make_workstream()
    update = _draft()
    period = workstream.plan.current_period()
    update.record(workstream, period, replacing=None, reason="", fields=FIELDS, by=lead)
    update.send_back(director, "Say what the audit found.")
    assert ProgressUpdate.objects.get(pk=update.pk).return_comment == "Say what the audit found."
    update.comment = "Audit found two gaps"
    update.record(workstream, period, replacing=None, reason="", fields=FIELDS, by=lead)
    update.refresh_from_db()
    assert (update.returned_at, update.return_comment, update.comment) == (
        None,
        "",
        "Audit found two gaps",
    )
