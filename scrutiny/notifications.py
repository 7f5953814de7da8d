"""E-mails: a pack published, a question received, a question answered."""

from django.conf import settings
from django.contrib.auth.models import Permission
from django.db.models import Q
from django.template.loader import render_to_string

from scrutiny.mail import OutgoingEmail


def _send(subject, template, context, recipients):
    """Queue the e-mail in the outbox: written now, sent by a worker (see OutgoingEmail)."""
    recipients = sorted({r for r in recipients if r})
    if not recipients:
        return 0
    body = render_to_string(template, {**context, "site_url": settings.SITE_URL})
    return OutgoingEmail.queue(recipients, subject, body)


def pack_published(pack):
    """Each committee member with an account hears of the pack, with its headline changes."""
    members = pack.meeting.committee.memberships.filter(
        user__isnull=False, user__is_active=True, ended_on__isnull=True
    ).select_related("user")
    return _send(
        f"Pack published for {pack.meeting.committee.name}, {pack.meeting.date:%-d %B %Y}"
        + (f" (version {pack.version})" if pack.version > 1 else ""),
        "scrutiny/email/pack_published.txt",
        {"pack": pack, "s": pack.readable()},
        [m.user.email for m in members],
    )


def answerers():
    from django.contrib.auth.models import User

    permission = Permission.objects.get(
        content_type__app_label="scrutiny", codename="answer_question"
    )
    return User.objects.filter(
        Q(groups__permissions=permission) | Q(user_permissions=permission), is_active=True
    ).distinct()


def question_received(question):
    return _send(
        f"A member's question for {question.meeting.date:%-d %B %Y}"
        + (" (late)" if question.late else ""),
        "scrutiny/email/question_received.txt",
        {"question": question},
        [u.email for u in answerers()],
    )


def question_answered(question):
    return _send(
        "Your question has been answered",
        "scrutiny/email/question_answered.txt",
        {"question": question},
        [question.asked_by.email],
    )


def question_assigned(question):
    return _send(
        f"You are asked to answer a member's question for {question.meeting.date:%-d %B %Y}",
        "scrutiny/email/question_received.txt",
        {"question": question},
        [question.assigned_to.email] if question.assigned_to else [],
    )
