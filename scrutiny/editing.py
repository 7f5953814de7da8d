"""One way to add or change a record on a page: a form, saved with its audit entries (who,
when, old, new, why) in one transaction. Used by every app's add and change pages."""

import copy

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render

from scrutiny.models import AuditEntry


def edit_with_trail(request, form, *, heading, caption, breadcrumbs, done, context, sets=()):
    """Show ``form``; when valid, save it and its audit entries and redirect to
    ``done(saved)``. ``sets`` names many-to-many fields, recorded as sets of their items."""
    if request.method == "POST" and form.is_valid():
        instance = form.instance
        before = copy.copy(type(instance).objects.get(pk=instance.pk)) if instance.pk else None
        old_sets = {name: _names(instance, name) if before else [] for name in sets}
        reason = form.cleaned_data.get("reason", "").strip()
        with transaction.atomic():
            saved = form.save()
            AuditEntry.record_changes(
                saved,
                before,
                user=request.user,
                reason=reason,
                context=context,
                fields=[f for f in form.Meta.fields if f not in sets],
            )
            for name in sets:
                AuditEntry.record_set(
                    saved,
                    name,
                    old_sets[name],
                    _names(saved, name),
                    user=request.user,
                    reason=reason,
                    context=context,
                )
        messages.success(request, f"{'Changed' if before else 'Added'}: {saved}.")
        return redirect(done(saved))
    return render(
        request,
        "scrutiny/object_form.html",
        {
            "form": form,
            "heading": heading,
            "caption": caption,
            "editing": form.instance.pk is not None,
            "breadcrumbs": [*breadcrumbs, (heading, None)],
        },
    )


def _names(instance, field):
    return [str(item) for item in getattr(instance, field).all()]
