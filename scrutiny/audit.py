"""The audit trail: every change to a figure, target, status, rating, plan item, risk or
role, with who, when, the old and new value and why. Part of the floor every app stands on."""

from django.db import models


class AuditEntryQuerySet(models.QuerySet):
    def for_object(self, obj):
        """The object's history, newest first."""
        from django.contrib.contenttypes.models import ContentType

        return self.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
        ).select_related("user")


class AuditEntry(models.Model):
    """One change to a figure, target, setting, status or rating: who, when, old, new and why.

    Entries are only ever added; nothing in the product edits or deletes them.
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        "auth.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=300)
    action = models.CharField(max_length=20, default="change")
    field = models.CharField(max_length=100, blank=True)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    reason = models.TextField(blank=True)
    context = models.CharField(
        max_length=200, blank=True, help_text="Where the change came from: admin, upload 12, …"
    )

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.object_repr} {self.field}"

    @classmethod
    def record_deletion(cls, obj, *, user, reason="", context=""):
        """An entry per stored field, old value kept, so a deleted object can be rebuilt."""
        from django.contrib.contenttypes.models import ContentType

        content_type = ContentType.objects.get_for_model(obj)
        return cls.objects.bulk_create(
            cls(
                user=user if user and user.is_authenticated else None,
                content_type=content_type,
                object_id=str(obj.pk),
                object_repr=str(obj)[:300],
                action="delete",
                field=field.name,
                old_value=_text(getattr(obj, field.name)),
                reason=reason,
                context=context,
            )
            for field in obj._meta.concrete_fields
        )

    @classmethod
    def record_set(cls, target, field, old, new, *, user, reason="", context="", ordered=False):
        """A change of a set of names that is not a plain field: a user's roles or raw
        permissions, a risk's linked measures; with ``ordered``, a list whose order matters
        (a workstream's objectives), kept one a line."""
        if (list(old) == list(new)) if ordered else (sorted(old) == sorted(new)):
            return None
        join = "\n".join if ordered else (lambda items: ", ".join(sorted(items)))
        from django.contrib.contenttypes.models import ContentType

        return cls.objects.create(
            user=user if user and user.is_authenticated else None,
            content_type=ContentType.objects.get_for_model(target),
            object_id=str(target.pk),
            object_repr=str(target)[:300],
            action="change",
            field=field,
            old_value=join(old),
            new_value=join(new),
            reason=reason,
            context=context or field,
        )

    @classmethod
    def record_changes(cls, obj, before, *, user, reason="", context="", fields=None):
        """Add an entry for each field whose value differs between ``before`` (a copy of the
        object as stored, or None for a new one) and ``obj``."""
        from django.contrib.contenttypes.models import ContentType

        content_type = ContentType.objects.get_for_model(obj)
        entries = []
        for field in fields or [f.name for f in obj._meta.concrete_fields]:
            if field in ("id", "updated_at", "updated_by", "written_at", "computed_at"):
                continue
            old = "" if before is None else _text(getattr(before, field))
            new = _text(getattr(obj, field))
            if before is not None and old == new:
                continue
            if before is None and new == "":
                continue
            entries.append(
                cls(
                    user=user if user and user.is_authenticated else None,
                    content_type=content_type,
                    object_id=str(obj.pk),
                    object_repr=str(obj)[:300],
                    action="add" if before is None else "change",
                    field=field,
                    old_value=old,
                    new_value=new,
                    reason=reason,
                    context=context,
                )
            )
        cls.objects.bulk_create(entries)
        return entries

    @classmethod
    def save_with_trail(cls, obj, *, user, fields=None, reason="", context=""):
        """Save ``obj`` and, in the same transaction, an entry for each of ``fields`` that
        differs from what was stored (every one set, for a new object)."""
        from django.db import transaction

        before = type(obj).objects.filter(pk=obj.pk).first() if obj.pk else None
        with transaction.atomic():
            obj.save()
            return cls.record_changes(
                obj, before, user=user, reason=reason, context=context, fields=fields
            )


def _text(value):
    return "" if value is None else str(value)
