"""Users and roles, for administrators: invite by e-mail, give one role, deactivate.

The rules are ``roles.set_role``'s: one role each; administrators give member, officer and
lead roles, only a superuser gives director or administrator; nobody changes their own.
"""

from django import forms
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
from scrutiny.editing import SELECT, TEXT
from scrutiny.mail import OutgoingEmail


def _require_admin(user):
    if not user.has_perm("auth.change_user"):
        raise PermissionDenied


class InviteForm(forms.Form):
    name = forms.CharField(label="Full name", max_length=150, widget=forms.TextInput(attrs=TEXT))
    email = forms.EmailField(
        label="E-mail address",
        max_length=150,
        help_text="They sign in with it, and receive a link to set their password.",
        widget=forms.EmailInput(attrs={"class": "govuk-input", "autocomplete": "off"}),
    )
    role = forms.ChoiceField(label="Role", widget=forms.Select(attrs=SELECT))

    def __init__(self, *args, grantable, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r, r) for r in grantable]

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(username__iexact=email).exists():
            raise forms.ValidationError("Someone already signs in with this e-mail address.")
        return email


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", widget=forms.Select(attrs=SELECT))
    reason = forms.CharField(
        label="Why",
        max_length=500,
        help_text="Kept in the audit trail with the old and new role.",
        widget=forms.TextInput(attrs=TEXT),
    )

    def __init__(self, *args, grantable, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", "No role (cannot see anything)")] + [
            (r, r) for r in grantable
        ]


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
