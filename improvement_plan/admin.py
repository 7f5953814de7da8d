"""Setting up the plan: owners linked to accounts (for the digest), reporting periods, and the
inspections whose recommendations the plan answers."""

from django.contrib import admin

from improvement_plan.models import (
    Inspection,
    Judgement,
    Owner,
    Recommendation,
    RecommendationLink,
    ReportingPeriod,
)
from scrutiny.audited_admin import AuditedAdmin


@admin.register(Owner)
class OwnerAdmin(AuditedAdmin):
    list_display = ["name", "kind", "user"]
    list_filter = ["kind"]
    search_fields = ["name"]
    autocomplete_fields = ["user"]


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(AuditedAdmin):
    list_display = ["plan", "start", "end", "reported_to"]
    list_filter = ["plan"]


class JudgementInline(admin.TabularInline):
    model = Judgement
    extra = 0


class RecommendationInline(admin.TabularInline):
    model = Recommendation
    extra = 0
    fields = ["order", "reference", "text", "source"]


@admin.register(Inspection)
class InspectionAdmin(AuditedAdmin):
    list_display = ["title", "kind", "starts_on", "ends_on"]
    inlines = [JudgementInline, RecommendationInline]


@admin.register(RecommendationLink)
class RecommendationLinkAdmin(AuditedAdmin):
    list_display = ["recommendation", "workstream", "kind"]
    list_filter = ["kind"]
