"""Users and roles, for administrators: invite by e-mail, give one role, deactivate.

The rules are ``roles.set_role``'s: one role each; administrators give member, officer and
lead roles, only a superuser gives director or administrator; nobody changes their own.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.views.decorators.http import require_POST

from scrutiny import roles
from scrutiny.audit import AuditEntry
from scrutiny.forms import InviteForm, RoleForm
from scrutiny.mail import OutgoingEmail


def _require_admin(user):
    if not user.has_perm("auth.change_user"):
        raise PermissionDenied


def users(request):
    _require_admin(request.user)
    grantable = roles.grantable_by(request.user)
    form = InviteForm(request.POST or None, grantable=grantable)
    if request.method == "POST" and form.is_valid():
        invited = _invite(request, form.cleaned_data)
        messages.success(request, f"{invited.get_full_name()} is invited: a link was e-mailed.")
        return redirect("scrutiny:users")
    people = User.objects.prefetch_related("groups").order_by("-is_active", "username")
    return render(
        request,
        "scrutiny/users.html",
        {
            "form": form,
            "people": people,
            "breadcrumbs": [("Dashboard", reverse("scrutiny:home")), ("Users", None)],
        },
    )


def _invite(request, data):
    first, _, last = data["name"].strip().partition(" ")
    with transaction.atomic():
        invited = User(username=data["email"], email=data["email"], first_name=first[:150])
        invited.last_name = last[:150]
        invited.set_unusable_password()
        invited.save()
        AuditEntry.record_changes(
            invited, None, user=request.user, context="invited", fields=["username", "email"]
        )
        roles.set_role(invited, data["role"], by=request.user, reason="Invited")
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
                {"user": invited, "link": link, "role": data["role"], "by": request.user},
            ),
        )
    return invited


def user(request, pk):
    _require_admin(request.user)
    person = get_object_or_404(User, pk=pk)
    form = RoleForm(
        request.POST or None,
        grantable=roles.grantable_by(request.user),
        initial={"role": (roles.role_of(person) or [""])[0]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            roles.set_role(
                person,
                form.cleaned_data["role"],
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except roles.RoleRefused as refused:
            form.add_error("role", str(refused))
        else:
            messages.success(
                request, f"{person.get_full_name() or person.username}'s role changed."
            )
            return redirect("scrutiny:user", pk=person.pk)
    return render(
        request,
        "scrutiny/user.html",
        {
            "person": person,
            "form": form,
            "history": AuditEntry.objects.for_object(person).select_related("user")[:50],
            "breadcrumbs": [
                ("Dashboard", reverse("scrutiny:home")),
                ("Users", reverse("scrutiny:users")),
                (person.get_full_name() or person.username, None),
            ],
        },
    )


@require_POST
def deactivate(request, pk):
    _require_admin(request.user)
    person = get_object_or_404(User, pk=pk)
    allowed = roles.grantable_by(request.user)
    if person.pk == request.user.pk:
        messages.error(request, "You cannot deactivate your own account.")
    elif (
        person.is_superuser
        and not request.user.is_superuser
        or any(r not in allowed for r in roles.role_of(person))
    ):
        messages.error(request, "Only a superuser may deactivate this account.")
    else:
        active = not person.is_active
        before = User.objects.get(pk=person.pk)
        person.is_active = active
        person.save(update_fields=["is_active"])
        AuditEntry.record_changes(
            person, before, user=request.user, context="users", fields=["is_active"]
        )
        messages.success(request, f"Account {'reactivated' if active else 'deactivated'}.")
    return redirect("scrutiny:user", pk=person.pk)
