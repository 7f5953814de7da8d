"""Setting up the plan: owners linked to accounts (for the digest) and reporting periods."""

from django.contrib import admin

from improvement_plan.models import Owner, ReportingPeriod
from scrutiny.admin import RecordedAdmin


@admin.register(Owner)
class OwnerAdmin(RecordedAdmin):
    list_display = ["name", "kind", "user"]
    list_filter = ["kind"]
    search_fields = ["name"]
    autocomplete_fields = ["user"]


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(RecordedAdmin):
    list_display = ["plan", "start", "end", "reported_to"]
    list_filter = ["plan"]
