from django.contrib import admin

from scrutiny.models import AuditEntry


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
