"""What waits for a director: plan updates and risk reviews to sign off, answers to approve,
and packs to publish for the meetings ahead, each with how long it has waited."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from scrutiny import clock

PACK_NOTICE_DAYS = 14  # a meeting's pack is due this many days before it


def waiting_for(user, today=None):
    """Plain rows (kind, what, url, since, age in days, action) for what ``user`` may clear,
    oldest first within each kind."""
    from improvement_plan.models import ProgressUpdate, RiskAssessment
    from scrutiny.models import Meeting, Question

    today = today or clock.today()
    rows = []
    if user.has_perm("scrutiny.sign_off"):
        for update in (
            ProgressUpdate.objects.standing()
            .filter(signed_off_at__isnull=True, returned_at__isnull=True)
            .select_related("workstream", "period", "written_by")
            .order_by("written_at")
        ):
            rows.append(_row("Plan update to sign off",
                             f"{update.workstream.number} {update.workstream.title}: "
                             f"{update.period.label}", update.workstream.get_absolute_url(),
                             update.written_at, today, update=update))  # fmt: skip
        for review in (
            RiskAssessment.objects.filter(
                assessed_at__isnull=False, signed_off_at__isnull=True, returned_at__isnull=True
            )
            .select_related("risk")
            .order_by("assessed_at")
        ):
            rows.append(_row("Risk review to sign off",
                             f"{review.risk.reference} {review.risk.title[:80]}: "
                             f"{review.quarter.label}", review.risk.get_absolute_url(),
                             review.assessed_at, today, risk=review.risk))  # fmt: skip
        for question in Question.objects.filter(status=Question.Status.DRAFTED).order_by(
            "answer_drafted_at"
        ):
            since = question.answer_drafted_at or question.submitted_at
            rows.append(
                _row(
                    "Answer to approve",
                    question.text[:120],
                    question.get_absolute_url(),
                    since,
                    today,
                    question=question,
                )  # fmt: skip
            )
    if user.has_perm("scrutiny.manage_meetings"):
        soon = today + timedelta(days=PACK_NOTICE_DAYS)
        for meeting in (
            Meeting.objects.filter(
                status=Meeting.Status.SCHEDULED, date__gte=today, date__lte=soon, packs=None
            )
            .select_related("committee")
            .order_by("date")
        ):
            due = meeting.date - timedelta(days=PACK_NOTICE_DAYS)
            rows.append(
                {
                    "kind": "Pack to publish",
                    "what": f"{meeting.committee.name}, {meeting.date:%A %-d %B %Y}",
                    "url": meeting.get_absolute_url(),
                    "since": due,
                    "age": max((today - due).days, 0),
                    "note": f"the meeting is in {(meeting.date - today).days} days",
                }
            )
    return rows


def _row(kind, what, url, since, today, update=None, risk=None, question=None):
    day = timezone.localtime(since).date() if hasattr(since, "hour") else since
    sign_off = return_url = ""
    if update is not None:
        sign_off = reverse("improvement_plan:sign_off_update", args=[update.pk])
        return_url = reverse("improvement_plan:return_update", args=[update.pk])
    elif risk is not None:
        sign_off = reverse("improvement_plan:sign_off", args=[risk.reference])
        return_url = reverse("improvement_plan:return_review", args=[risk.reference])
    elif question is not None:
        sign_off = reverse("scrutiny:approve_answer", args=[question.pk])
        return_url = reverse("scrutiny:return_answer", args=[question.pk])
    return {
        "kind": kind,
        "what": what,
        "url": url,
        "since": day,
        "age": max((today - day).days, 0),
        "note": "",
        "sign_off_url": sign_off,
        "return_url": return_url,
    }
