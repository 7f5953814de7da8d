"""The plan's daily round: flag overdue actions, and e-mail each owner what is late or due soon."""

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string

from improvement_plan.models import KeyAction, Owner, Plan
from scrutiny.mail import OutgoingEmail


@dataclass
class Round:
    flagged: int = 0
    cleared: int = 0
    overdue: list = field(default_factory=list)
    due_soon: list = field(default_factory=list)
    emails: int = 0

    def __str__(self):
        return (
            f"{len(self.overdue)} actions overdue ({self.flagged} newly), {self.cleared} no longer "
            f"overdue, {len(self.due_soon)} due in the next 30 days; {self.emails} digests sent."
        )


def daily_round(today, send=True):
    """Idempotent: flags are set once (keeping the first day an action was seen overdue) and
    cleared when it is done; each owner with an account gets one digest a day."""
    plan = Plan.objects.current()
    result = Round()
    if plan is None:
        return result
    actions = KeyAction.objects.filter(workstream__priority__plan=plan)
    overdue = actions.overdue(today)
    with transaction.atomic():
        result.flagged = overdue.filter(overdue_since__isnull=True).update(overdue_since=today)
        result.cleared = (
            actions.filter(overdue_since__isnull=False)
            .exclude(pk__in=overdue.values("pk"))
            .update(overdue_since=None)
        )
    related = ("workstream",)
    result.overdue = list(overdue.select_related(*related).order_by("due_month", "reference"))
    result.due_soon = list(
        actions.due_soon(today).select_related(*related).order_by("due_month", "reference")
    )
    if send:
        result.emails = _send_digests(result, today)
    return result


def _send_digests(result, today):
    sent = 0
    owners = Owner.objects.filter(user__isnull=False, user__is_active=True).exclude(user__email="")
    for owner in owners.select_related("user").prefetch_related("actions"):
        mine = {a.pk for a in owner.actions.all()}
        late = [a for a in result.overdue if a.pk in mine]
        soon = [a for a in result.due_soon if a.pk in mine]
        if not late and not soon:
            continue
        context = {
            "owner": owner,
            "overdue": late,
            "due_soon": soon,
            "today": today,
            "site_url": settings.SITE_URL,
        }
        OutgoingEmail.queue(
            [owner.user.email],
            f"Improvement plan: {len(late)} overdue and {len(soon)} due soon",
            render_to_string("improvement_plan/email/digest.txt", context),
        )
        sent += 1
    return sent
