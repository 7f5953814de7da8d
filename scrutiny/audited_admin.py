"""The one admin base every app's admin pages stand on: every save, inline change and delete
made in the admin goes into the audit trail, with who, when, the old and new value and why."""

import copy

from django.contrib import admin

from scrutiny.audit import AuditEntry


class AuditedAdmin(admin.ModelAdmin):
    """Keeps who changed what, when, from what and why (the form's ``change_reason``, where it
    asks for one). ``changed(obj)`` runs after each save or delete, for what must follow."""

    def save_model(self, request, obj, form, change):
        AuditEntry.save_with_trail(
            obj,
            user=request.user,
            reason=form.cleaned_data.get("change_reason", ""),
            context="admin",
        )
        self.changed(obj)

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
        self.changed(obj)

    def delete_queryset(self, request, queryset):
        # One at a time, so that each deletion is in the trail.
        for obj in queryset:
            self.delete_model(request, obj)

    def changed(self, obj):
        """What follows a save or a delete; nothing by default."""


class ReadOnlyAdmin(admin.ModelAdmin):
    """Listed for reference; changed only through the product's own paths (the audit trail
    itself, figures and statuses, the DfE's statistics)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
