import copy

from django.contrib import admin

from scrutiny.models import (
    AgendaItem,
    AuditEntry,
    Committee,
    Inspection,
    Judgement,
    Meeting,
    Membership,
    MinuteAction,
    Recommendation,
    RecommendationLink,
    WorkProgrammeItem,
)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
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

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RecordedAdmin(admin.ModelAdmin):
    """Keeps who changed what, when, from what, for the committee's records set up here."""

    def save_model(self, request, obj, form, change):
        AuditEntry.save_with_trail(obj, user=request.user, context="admin")

    def save_formset(self, request, form, formset, change):
        befores = {
            f.instance.pk: copy.copy(type(f.instance).objects.get(pk=f.instance.pk))
            for f in formset.initial_forms
            if f.instance.pk
        }
        for deleted in formset.deleted_forms:
            if deleted.instance.pk:
                AuditEntry.record_deletion(deleted.instance, user=request.user, context="admin")
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects + [o for o, _ in formset.changed_objects]:
            AuditEntry.record_changes(obj, befores.get(obj.pk), user=request.user, context="admin")

    def delete_model(self, request, obj):
        AuditEntry.record_deletion(obj, user=request.user, context="admin")
        super().delete_model(request, obj)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    fields = ["name", "role", "user", "started_on", "ended_on"]
    autocomplete_fields = ["user"]


@admin.register(Committee)
class CommitteeAdmin(RecordedAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 1
    fields = ["order", "number", "title", "presenting_officer", "covers", "report"]


@admin.register(Meeting)
class MeetingAdmin(RecordedAdmin):
    list_display = ["date", "committee", "status", "place"]
    list_filter = ["committee", "status"]
    date_hierarchy = "date"
    inlines = [AgendaItemInline]


@admin.register(WorkProgrammeItem)
class WorkProgrammeItemAdmin(RecordedAdmin):
    list_display = ["title", "meeting", "state", "requested_by"]
    list_filter = ["committee", "state"]
    search_fields = ["title", "requested_by"]


@admin.register(MinuteAction)
class MinuteActionAdmin(RecordedAdmin):
    list_display = ["reference", "minute", "owners", "status", "due_date", "due_meeting"]
    list_filter = ["committee", "status"]
    search_fields = ["reference", "text", "owners"]
    autocomplete_fields = ["owner_users"]


class JudgementInline(admin.TabularInline):
    model = Judgement
    extra = 0


class RecommendationInline(admin.TabularInline):
    model = Recommendation
    extra = 0
    fields = ["order", "reference", "text", "source"]


@admin.register(Inspection)
class InspectionAdmin(RecordedAdmin):
    list_display = ["title", "kind", "starts_on", "ends_on"]
    inlines = [JudgementInline, RecommendationInline]


@admin.register(RecommendationLink)
class RecommendationLinkAdmin(RecordedAdmin):
    list_display = ["recommendation", "workstream", "kind"]
    list_filter = ["kind"]
