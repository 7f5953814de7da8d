"""The five roles and what each may do.

A role is a Django group whose permissions are the capabilities listed here. The groups are
brought in line with this file after every ``migrate``, so a deployment never drifts from it.
"""

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied

COMMITTEE_MEMBER = "Committee member"
PERFORMANCE_OFFICER = "Performance officer"
SERVICE_LEAD = "Service lead"
DIRECTOR = "Director"
ADMINISTRATOR = "Administrator"

_READER = ["view_published"]
_LEAD = [*_READER, "view_drafts", "update_plan", "review_risks", "answer_question"]

ROLE_CAPABILITIES = {
    COMMITTEE_MEMBER: [*_READER, "ask_question"],
    PERFORMANCE_OFFICER: [
        *_READER,
        "view_drafts",
        "upload_figures",
        "edit_measures",
        "edit_commentary",
        "publish_period",
    ],
    SERVICE_LEAD: _LEAD,
    DIRECTOR: [*_LEAD, "sign_off", "manage_meetings"],
    ADMINISTRATOR: [
        *_READER,
        "view_drafts",
        "manage_meetings",
    ],
}

_METRICS_MODELS = [
    "measure",
    "target",
    "comparator",
    "observation",
    "baseline",
    "commentary",
    "servicearea",
    "section",
]

# Model permissions for the Django admin: officers keep measures, targets and comparators there;
# administrators manage accounts. Both need is_staff as well (create_demo_users sets it).
MODEL_PERMISSIONS = {
    PERFORMANCE_OFFICER: [
        *[
            ("metrics", f"{action}_{model}")
            for model in _METRICS_MODELS
            for action in ("add", "change", "view")
        ],
        ("metrics", "view_measurestatus"),
        ("scrutiny", "view_auditentry"),
    ],
    ADMINISTRATOR: [
        *[
            (app, f"{action}_{model}")
            for app, model in (
                ("scrutiny", "committee"),
                ("scrutiny", "membership"),
                ("scrutiny", "meeting"),
                ("scrutiny", "agendaitem"),
                ("scrutiny", "workprogrammeitem"),
                ("scrutiny", "minuteaction"),
                ("improvement_plan", "inspection"),
                ("improvement_plan", "judgement"),
                ("improvement_plan", "recommendation"),
                ("improvement_plan", "recommendationlink"),
                ("improvement_plan", "owner"),
                ("improvement_plan", "reportingperiod"),
            )
            for action in ("add", "change", "view")
        ],
        ("auth", "add_user"),
        ("auth", "change_user"),
        ("auth", "view_user"),
        ("auth", "delete_user"),
        ("auth", "view_group"),
        ("scrutiny", "view_auditentry"),
    ],
}
STAFF_ROLES = set(MODEL_PERMISSIONS)

ROLES = list(ROLE_CAPABILITIES)


def sync_roles():
    for role, capabilities in ROLE_CAPABILITIES.items():
        group, _ = Group.objects.get_or_create(name=role)
        permissions = list(
            Permission.objects.filter(content_type__app_label="scrutiny", codename__in=capabilities)
        )
        for app_label, codename in MODEL_PERMISSIONS.get(role, []):
            permissions.extend(
                Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(permissions)


def sync_roles_after_migrate(sender, app_config=None, using="default", **kwargs):
    # post_migrate fires once per app, and the roles hold permissions of every app (the plan's
    # inspections, the figures' measures): each app's permissions are made and the roles synced
    # as it fires, so after the last one every role is whole. Cheap and idempotent.
    if app_config is None or not app_config.models_module:
        return
    from django.contrib.auth.management import create_permissions

    create_permissions(app_config, verbosity=0, using=using)
    sync_roles()


def role_of(user):
    """The user's role names, in the order of ROLES."""
    names = set(user.groups.values_list("name", flat=True)) if user.is_authenticated else set()
    return [role for role in ROLES if role in names]


def sees_drafts(user):
    """May this reader see drafts: figures not yet published, reviews and updates not yet
    signed off? Decided once, in the view; everything below it takes the answer as
    ``drafts``."""
    return user.has_perm("scrutiny.view_drafts")


def drafts_flag(drafts):
    """``drafts`` as given to every method below the views: a yes or no the view decided with
    ``sees_drafts``. Anything else (a user, by mistake, which is always true) is refused, so
    a reader can never be shown drafts by a slip."""
    if not isinstance(drafts, bool):
        raise TypeError(f"drafts is True or False, decided by the view: not {drafts!r}")
    return drafts


def form_for(request, may, make):
    """A page's form, shown only to those who ``may`` use it (a yes or no the view decides);
    a POST from anyone else is refused (403), never silently ignored. ``make(data)`` builds
    the form from the POST, or unbound (``None``) on a GET."""
    if not may:
        if request.method == "POST":
            raise PermissionDenied
        return None
    return make(request.POST or None)


def require(user, capability):
    """Refuse the request (403) unless the user's role includes the capability."""
    if not user.has_perm(f"scrutiny.{capability}"):
        raise PermissionDenied


# Roles an administrator (not a superuser) may give: never one whose holder may sign off or
# administer, which only a superuser grants.
GRANTED_BY_ADMINISTRATORS = [COMMITTEE_MEMBER, PERFORMANCE_OFFICER, SERVICE_LEAD]


def grantable_by(user):
    """The roles ``user`` may give to someone else."""
    if user.is_superuser:
        return list(ROLES)
    if user.has_perm("auth.change_user"):
        return list(GRANTED_BY_ADMINISTRATORS)
    return []


class RoleRefused(Exception):
    """The role change is not allowed; the message says why."""


def set_role(target, role, *, by, reason=""):
    """Give ``target`` exactly one role (or none, with ``role`` ""), as ``by`` may, and keep
    who, when, the old and new role and why in the audit trail."""
    from django.db import transaction

    from scrutiny.audit import AuditEntry

    if target.pk == by.pk:
        raise RoleRefused("Nobody changes their own role: ask another administrator.")
    allowed = grantable_by(by)
    old = role_of(target)
    if role and role not in allowed:
        raise RoleRefused(f"Only a superuser may give the role {role}.")
    if any(r not in allowed for r in old):
        raise RoleRefused(f"Only a superuser may change the role of a {', '.join(old)}.")
    if target.is_superuser and not by.is_superuser:
        raise RoleRefused("Only a superuser may change a superuser's account.")
    with transaction.atomic():
        target.groups.set([Group.objects.get(name=role)] if role else [])
        before = type(target).objects.get(pk=target.pk)
        target.is_staff = role in STAFF_ROLES
        target.save(update_fields=["is_staff"])
        AuditEntry.record_set(target, "roles", old, [role] if role else [], user=by, reason=reason)
        AuditEntry.record_changes(target, before, user=by, reason=reason, fields=["is_staff"])
