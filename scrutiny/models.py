from django.db import models


class Capability(models.Model):
    """Holds the product's capabilities as permissions; it has no rows and no table.

    The roles (groups) are made of these, and views check them with
    ``user.has_perm("scrutiny.<codename>")``, so what a role may do is decided in one place:
    ``scrutiny/roles.py``.
    """

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("view_published", "Read published figures, plans, risks and meeting packs"),
            ("view_drafts", "See draft figures before they are published"),
            ("ask_question", "Send questions to officers before a meeting"),
            ("upload_figures", "Upload and correct figures"),
            ("edit_measures", "Edit measures, targets and comparators"),
            ("edit_commentary", "Write commentary on measures"),
            ("publish_period", "Publish or withdraw a period's figures"),
            ("update_plan", "Record improvement plan progress and action status"),
            ("review_risks", "Record quarterly risk reviews"),
            ("answer_question", "Draft answers to members' questions"),
            ("sign_off", "Sign off plan updates and risk reviews, approve answers"),
            ("manage_meetings", "Manage committees, meetings, work programme and packs"),
        ]

    def __str__(self):
        return "Capabilities"


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


def _text(value):
    return "" if value is None else str(value)


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A personal token for the read-only API. Only a hash is stored: the token is shown once."""

    user = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for")
    prefix = models.CharField(max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash(key):
        import hashlib

        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, user, name):
        """Create a token; returns (token, key). The key is never stored or shown again."""
        import secrets

        key = secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, prefix=key[:8], key_hash=cls.hash(key))
        return token, key

    @classmethod
    def user_for(cls, key):
        from django.utils import timezone

        token = cls.objects.active().select_related("user").filter(key_hash=cls.hash(key)).first()
        if token is None or not token.user.is_active:
            return None
        cls.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return token.user


# --------------------------------------------------------------------------------------------
# Inspections
# --------------------------------------------------------------------------------------------


class Inspection(models.Model):
    title = models.CharField(max_length=300)
    kind = models.CharField("Type", max_length=200, help_text="For example, ILACS standard")
    starts_on = models.DateField()
    ends_on = models.DateField()
    published_on = models.DateField(null=True, blank=True)
    lead_inspector = models.CharField(max_length=200, blank=True)
    report_url = models.URLField(blank=True)
    source = models.TextField(blank=True)

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="inspection_ends_after_start",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("inspection", args=[self.pk])


class Judgement(models.Model):
    class Grade(models.TextChoices):
        OUTSTANDING = "outstanding", "Outstanding"
        GOOD = "good", "Good"
        REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement to be good"
        INADEQUATE = "inadequate", "Inadequate"

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="judgements")
    area = models.CharField(max_length=300)
    grade = models.CharField(max_length=24, choices=Grade.choices)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["inspection", "order"]

    def __str__(self):
        return f"{self.area}: {self.get_grade_display()}"


class Recommendation(models.Model):
    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="recommendations"
    )
    reference = models.CharField(max_length=10)
    text = models.TextField()
    order = models.PositiveSmallIntegerField(default=0)
    source = models.TextField(blank=True)

    class Meta:
        ordering = ["inspection", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "reference"], name="one_recommendation_per_ref"
            )
        ]

    def __str__(self):
        return f"{self.reference} {self.text[:60]}"


class RecommendationLink(models.Model):
    """A workstream that answers a recommendation, and how we know."""

    class Kind(models.TextChoices):
        EXPLICIT = "explicit", "Stated in the plan"
        INFERRED = "inferred", "Inferred"

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="links"
    )
    workstream = models.ForeignKey(
        "improvement_plan.Workstream", on_delete=models.CASCADE, related_name="recommendation_links"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.EXPLICIT)
    evidence = models.TextField(blank=True)

    class Meta:
        ordering = ["recommendation", "workstream__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "workstream"], name="one_link_per_workstream"
            )
        ]

    def __str__(self):
        return f"{self.recommendation.reference} answered by {self.workstream.number}"
