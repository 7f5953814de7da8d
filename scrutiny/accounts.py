"""Accounts' workflows, for administrators: invite someone by e-mail with one role, and
deactivate or reactivate an account. Each change is kept in the audit trail; the role rules are
``roles.set_role``'s."""

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from scrutiny import roles
from scrutiny.audit import AuditEntry
from scrutiny.mail import OutgoingEmail


def invite(name, email, role, *, by):
    """A new account for ``email`` with ``role`` and no password, and an e-mail (sent after the
    commit) with a link to set one: all or nothing."""
    first, _, last = name.strip().partition(" ")
    with transaction.atomic():
        invited = User(username=email, email=email, first_name=first[:150])
        invited.last_name = last[:150]
        invited.set_unusable_password()
        invited.save()
        AuditEntry.record_changes(
            invited, None, user=by, context="invited", fields=["username", "email"]
        )
        roles.set_role(invited, role, by=by, reason="Invited")
        link = settings.SITE_URL.rstrip("/") + reverse(
            "password_reset_confirm",
            args=[
                urlsafe_base64_encode(force_bytes(invited.pk)),
                default_token_generator.make_token(invited),
            ],
        )
        OutgoingEmail.queue(
            [invited.email],
            f"You are invited to {settings.SERVICE_NAME}",
            render_to_string(
                "scrutiny/email/invited.txt",
                {"user": invited, "link": link, "role": role, "by": by},
            ),
        )
    return invited


def switch_active(person, *, by):
    """Deactivate an active account or reactivate one, kept in the trail. Nobody switches their
    own; only a superuser switches a superuser's or one with a role ``by`` may not give.
    Raises ``roles.RoleRefused`` saying why."""
    if person.pk == by.pk:
        raise roles.RoleRefused("You cannot deactivate your own account.")
    allowed = roles.grantable_by(by)
    if (person.is_superuser and not by.is_superuser) or any(
        r not in allowed for r in roles.role_of(person)
    ):
        raise roles.RoleRefused("Only a superuser may deactivate this account.")
    before = User.objects.get(pk=person.pk)
    person.is_active = not person.is_active
    with transaction.atomic():
        person.save(update_fields=["is_active"])
        AuditEntry.record_changes(person, before, user=by, context="users", fields=["is_active"])
    return person.is_active
