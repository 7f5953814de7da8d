from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied

from scrutiny.audited_admin import AuditedAdmin, ReadOnlyAdmin
from scrutiny.models import (
    AgendaItem,
    AuditEntry,
    Committee,
    Meeting,
    Membership,
    MinuteAction,
    WorkProgrammeItem,
)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = [
        "at",
        "user",
        "object_repr",
        "action",
        "field",
        "old_value",
        "new_value",
        "reason",
        "context",
    ]
    list_filter = ["content_type", "action"]
    search_fields = ["object_repr", "reason", "context"]
    date_hierarchy = "at"


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    fields = ["name", "role", "user", "started_on", "ended_on"]
    autocomplete_fields = ["user"]


@admin.register(Committee)
class CommitteeAdmin(AuditedAdmin):
    list_display = ["name", "slug", "public_packs", "public_risks", "public_plan"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 1
    fields = ["order", "number", "title", "presenting_officer", "covers", "report"]


@admin.register(Meeting)
class MeetingAdmin(AuditedAdmin):
    list_display = ["date", "committee", "status", "place"]
    list_filter = ["committee", "status"]
    date_hierarchy = "date"
    inlines = [AgendaItemInline]


@admin.register(WorkProgrammeItem)
class WorkProgrammeItemAdmin(AuditedAdmin):
    list_display = ["title", "meeting", "state", "requested_by"]
    list_filter = ["committee", "state"]
    search_fields = ["title", "requested_by"]


@admin.register(MinuteAction)
class MinuteActionAdmin(AuditedAdmin):
    list_display = ["reference", "minute", "owners", "status", "due_date", "due_meeting"]
    list_filter = ["committee", "status"]
    search_fields = ["reference", "text", "owners"]
    autocomplete_fields = ["owner_users"]


ACCOUNT_FIELDS = ["username", "first_name", "last_name", "email", "is_active"]
PRIVILEGE_FIELDS = ["is_superuser", "is_staff", "groups", "user_permissions"]


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Accounts, for superusers. Administrators give roles on the product's Users page, which
    keeps to the rules in ``roles.set_role``; here they may correct names and e-mail addresses
    but not grant superuser, staff, roles or permissions, nor set other users' passwords.
    Nobody changes their own privileges. Every change is kept in the audit trail."""

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser or (obj is not None and obj.pk == request.user.pk):
            fields += [f for f in PRIVILEGE_FIELDS if f not in fields]
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            fields += [f for f in ACCOUNT_FIELDS if f not in fields]
        return fields

    def user_change_password(self, request, id, form_url=""):
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def save_model(self, request, obj, form, change):
        before = User.objects.filter(pk=obj.pk).first() if obj.pk else None
        super().save_model(request, obj, form, change)
        AuditEntry.record_changes(
            obj,
            before,
            user=request.user,
            context="admin",
            fields=ACCOUNT_FIELDS + ["is_staff", "is_superuser"],
        )

    def save_related(self, request, form, formsets, change):
        user = form.instance
        sets = {"roles": (user.groups, "name"), "permissions": (user.user_permissions, "codename")}

        def held():
            return {field: list(m.values_list(key, flat=True)) for field, (m, key) in sets.items()}

        before = held() if change else dict.fromkeys(sets, [])
        super().save_related(request, form, formsets, change)
        for field, now in held().items():
            AuditEntry.record_set(
                user, field, before[field], now, user=request.user, context="admin"
            )
