"""Users and roles, for administrators: invite by e-mail, give one role, deactivate.

The rules are ``roles.set_role``'s: one role each; administrators give member, officer and
lead roles, only a superuser gives director or administrator; nobody changes their own.
"""

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from scrutiny import accounts, roles
from scrutiny.audit import AuditEntry
from scrutiny.editing import breadcrumbs
from scrutiny.forms import InviteForm, RoleForm


def _require_admin(user):
    if not user.has_perm("auth.change_user"):
        raise PermissionDenied


def users(request):
    _require_admin(request.user)
    grantable = roles.grantable_by(request.user)
    form = InviteForm(request.POST or None, grantable=grantable)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        invited = accounts.invite(data["name"], data["email"], data["role"], by=request.user)
        messages.success(request, f"{invited.get_full_name()} is invited: a link was e-mailed.")
        return redirect("scrutiny:users")
    people = User.objects.prefetch_related("groups").order_by("-is_active", "username")
    return render(
        request,
        "scrutiny/users.html",
        {
            "form": form,
            "people": people,
            "breadcrumbs": breadcrumbs(("Users", None)),
        },
    )


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
            "breadcrumbs": breadcrumbs(
                ("Users", reverse("scrutiny:users")),
                (person.get_full_name() or person.username, None),
            ),
        },
    )


@require_POST
def deactivate(request, pk):
    _require_admin(request.user)
    person = get_object_or_404(User, pk=pk)
    try:
        active = accounts.switch_active(person, by=request.user)
    except roles.RoleRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"Account {'reactivated' if active else 'deactivated'}.")
    return redirect("scrutiny:user", pk=person.pk)
