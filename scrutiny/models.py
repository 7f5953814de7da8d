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


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        """Not revoked and not expired (a token issued before a password change is refused
        by ``user_for`` too, since it no longer matches the password)."""
        from django.utils import timezone

        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=timezone.now())
        )


class ApiToken(models.Model):
    """A personal token for the read-only API. Only a hash is stored: the token is shown once."""

    user = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for")
    prefix = models.CharField(max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Empty: never expires")
    password_stamp = models.CharField(
        max_length=128,
        blank=True,
        help_text="The user's password fingerprint when the token was issued: a token stops "
        "working when the password changes",
    )

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
    def stamp_of(cls, user):
        """A fingerprint of the user's (already salted and hashed) password: it changes when
        the password does, and reveals nothing the password hash beside it does not."""
        return cls.hash(user.password)

    @classmethod
    def issue(cls, user, name, expires_at=None):
        """Create a token; returns (token, key). The key is never stored or shown again."""
        import secrets

        key = secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            name=name,
            prefix=key[:8],
            key_hash=cls.hash(key),
            expires_at=expires_at,
            password_stamp=cls.stamp_of(user),
        )
        return token, key

    @property
    def state(self):
        """Why a token works or not, as its owner reads it."""
        from django.utils import timezone

        if self.revoked_at:
            return f"Revoked {self.revoked_at:%-d %b %Y}"
        if self.expires_at and self.expires_at <= timezone.now():
            return f"Expired {self.expires_at:%-d %b %Y}"
        if self.password_stamp != self.stamp_of(self.user):
            return "Stopped: your password changed since it was made"
        if self.expires_at:
            return f"Works until {self.expires_at:%-d %b %Y}"
        return "Works, no expiry"

    @property
    def works(self):
        return self.state.startswith("Works")

    @classmethod
    def user_for(cls, key):
        from django.utils import timezone

        token = cls.objects.active().select_related("user").filter(key_hash=cls.hash(key)).first()
        if token is None or not token.user.is_active:
            return None
        if token.password_stamp != cls.stamp_of(token.user):
            return None  # the password changed since: every earlier token stops working
        cls.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return token.user


# --------------------------------------------------------------------------------------------
# Glossary
# --------------------------------------------------------------------------------------------


class GlossaryTerm(models.Model):
    """A term a member meets in the papers, in plain English. Officers keep the list; the
    first use of a term on a page is marked, and the page ends with the terms it used."""

    term = models.CharField(max_length=80, unique=True, help_text="As it appears: CIN, EHCP")
    slug = models.SlugField(max_length=80, unique=True)
    expansion = models.CharField(
        max_length=200, blank=True, help_text="What an abbreviation stands for"
    )
    also = models.CharField(
        "Other forms",
        max_length=300,
        blank=True,
        help_text="Other ways the papers write it, separated by semicolons: children in need",
    )
    definition = models.TextField(help_text="Plain English, two or three sentences")
    source = models.CharField(max_length=300, blank=True, help_text="Where the meaning is set")

    class Meta:
        ordering = ["term"]

    def __str__(self):
        return self.term

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("glossary") + f"#{self.slug}"

    @property
    def forms(self):
        """Every way the term is written, longest first (so "child protection plan" wins
        over "CP")."""
        found = [self.term, *(f.strip() for f in self.also.split(";") if f.strip())]
        return sorted(set(found), key=len, reverse=True)


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


class RecommendationQuerySet(models.QuerySet):
    def with_coverage(self, plan, today):
        """Each recommendation with ``rows``: the links to ``plan``'s workstreams, each with
        their key actions; the counts of those actions open, completed and overdue as at
        ``today``; and ``unanswered`` when nothing answers it, or nothing open does and not all
        of it was completed. Three queries whatever the number."""
        from improvement_plan.models import KeyAction

        recommendations = list(
            self.select_related("inspection").prefetch_related(
                models.Prefetch(
                    "links",
                    queryset=RecommendationLink.objects.filter(
                        workstream__priority__plan=plan
                    ).select_related("workstream"),
                )
            )
        )
        actions = {}
        workstream_ids = {link.workstream_id for r in recommendations for link in r.links.all()}
        for item in KeyAction.objects.filter(workstream_id__in=workstream_ids):
            actions.setdefault(item.workstream_id, []).append(item)
        for recommendation in recommendations:
            recommendation.rows = [
                (link, actions.get(link.workstream_id, [])) for link in recommendation.links.all()
            ]
            answering = [a for _, items in recommendation.rows for a in items]
            recommendation.open_count = sum(a.is_open for a in answering)
            recommendation.completed_count = sum(
                a.status == KeyAction.Status.COMPLETED for a in answering
            )
            recommendation.overdue_count = sum(a.is_overdue(today) for a in answering)
            recommendation.unanswered = not answering or (
                recommendation.open_count == 0 and recommendation.completed_count < len(answering)
            )
        return recommendations


class Recommendation(models.Model):
    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="recommendations"
    )
    reference = models.CharField(max_length=10)
    text = models.TextField()
    order = models.PositiveSmallIntegerField(default=0)
    source = models.TextField(blank=True)

    objects = RecommendationQuerySet.as_manager()

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


# --------------------------------------------------------------------------------------------
# Committees, meetings and the work programme
# --------------------------------------------------------------------------------------------


class Committee(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    description = models.TextField(blank=True)
    source = models.TextField(blank=True)
    # What the committee's papers put on the public pages, readable without signing in. All
    # off until the council decides; published and signed-off data only, whatever is chosen.
    public_packs = models.BooleanField(
        "Publish the committee's packs", default=False,
        help_text="Each published pack at /public/packs/, frozen as members read it",
    )  # fmt: skip
    public_risks = models.BooleanField(
        "Publish the risk register summary", default=False,
        help_text="Each open risk's signed-off rating, the one before and the direction",
    )  # fmt: skip
    public_plan = models.BooleanField(
        "Publish the improvement plan's statuses", default=False,
        help_text="Each workstream's signed-off actions and impact statuses",
    )  # fmt: skip
    public_questions = models.BooleanField(
        "Include questions and answers in public packs", default=False,
        help_text="Members' questions and officers' answers; off keeps them to signed-in users",
    )  # fmt: skip
    public_names = models.BooleanField(
        "Name people on the public pages", default=False,
        help_text="Officers presenting reports, risk owners, workstream leads, budget holders, "
        "action owners and who asked and answered; off leaves every name out",
    )  # fmt: skip

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        CHAIR = "chair", "Chair"
        VICE_CHAIR = "vice_chair", "Vice-chair"
        MEMBER = "member", "Member"
        CO_OPTED = "co_opted", "Co-opted member"

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="memberships")
    name = models.CharField(max_length=200)
    user = models.ForeignKey(
        "auth.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="memberships",
        help_text="The member's account, for questions and notifications",
    )
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.MEMBER)
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    source = models.TextField(blank=True)

    class Meta:
        ordering = ["committee", "role", "name"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "name"], name="one_membership_per_name")
        ]

    def __str__(self):
        return f"{self.name} ({self.get_role_display()})"


class MeetingQuerySet(models.QuerySet):
    def upcoming(self, today):
        return self.filter(date__gte=today).order_by("date")


class Meeting(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        HELD = "held", "Held"
        POSTPONED = "postponed", "Postponed"
        CANCELLED = "cancelled", "Cancelled"

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="meetings")
    date = models.DateField()
    time = models.TimeField(null=True, blank=True)
    place = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    source = models.TextField(blank=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["committee", "date"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "date"], name="one_meeting_per_day")
        ]

    def __str__(self):
        return f"{self.committee}, {self.date:%-d %B %Y}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("meeting", args=[self.pk])

    def question_deadline(self, working_days):
        """The last day for questions: so many working days (Monday to Friday) before."""
        from datetime import timedelta

        day = self.date
        left = working_days
        while left:
            day -= timedelta(days=1)
            if day.weekday() < 5:
                left -= 1
        return day


class AgendaItem(models.Model):
    class Covers(models.TextChoices):
        SCORECARD = "scorecard", "The scorecard"
        PLAN = "plan", "The improvement plan"
        RISKS = "risks", "The risk register"
        REPORT = "report", "A report"
        OTHER = "other", "Other business"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    number = models.CharField(max_length=10)
    title = models.CharField(max_length=300)
    presenting_officer = models.CharField(max_length=200, blank=True)
    covers = models.CharField(max_length=10, choices=Covers.choices, default=Covers.REPORT)
    report = models.FileField(upload_to="reports/%Y/", blank=True)
    summary = models.TextField(
        "Purpose and summary", blank=True, help_text="The report's purpose, as it states it"
    )
    recommendations = models.TextField(
        blank=True, help_text="What the committee is asked to do, or 'for information'"
    )
    decisions = models.TextField(
        "Decisions and resolutions", blank=True, help_text="After the meeting: what it decided"
    )
    order = models.PositiveSmallIntegerField(default=0)
    source = models.TextField(blank=True)

    class Meta:
        ordering = ["meeting", "order"]

    def __str__(self):
        return f"{self.number}. {self.title}"


class WorkProgrammeItem(models.Model):
    class State(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        SCHEDULED = "scheduled", "Scheduled"
        MOVED = "moved", "Moved"
        DONE = "done", "Done"

    committee = models.ForeignKey(
        Committee, on_delete=models.CASCADE, related_name="work_programme"
    )
    meeting = models.ForeignKey(
        Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="programme"
    )
    title = models.CharField(max_length=300)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PROPOSED)
    requested_by = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)
    source = models.TextField(blank=True)

    class Meta:
        ordering = ["committee", models.F("meeting__date").asc(nulls_last=True), "pk"]

    def __str__(self):
        return self.title


# --------------------------------------------------------------------------------------------
# Actions from the minutes
# --------------------------------------------------------------------------------------------


class MinuteActionQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=[MinuteAction.Status.OPEN, MinuteAction.Status.IN_PROGRESS])

    def overdue(self, today):
        return self.open().filter(
            models.Q(due_date__lt=today)
            | models.Q(due_date__isnull=True, due_meeting__date__lt=today)
        )


class MinuteAction(models.Model):
    """What the committee asked of officers, from the minutes ("Action – CS/KG")."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="actions")
    reference = models.CharField(max_length=30, unique=True)
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="actions_raised", help_text="Minuted at"
    )
    minute = models.CharField(max_length=20, blank=True)
    text = models.TextField()
    owners = models.CharField(max_length=200, help_text="As minuted: names or initials")
    owner_users = models.ManyToManyField("auth.User", blank=True, related_name="minute_actions")
    due_date = models.DateField(null=True, blank=True)
    due_meeting = models.ForeignKey(
        Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions_due"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    source = models.TextField(blank=True)

    objects = MinuteActionQuerySet.as_manager()

    class Meta:
        ordering = ["committee", "meeting__date", "reference"]

    def __str__(self):
        return f"{self.reference} {self.text[:60]}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("minute_action", args=[self.pk])

    @property
    def due(self):
        if self.due_date:
            return self.due_date
        return self.due_meeting.date if self.due_meeting else None

    def is_overdue(self, today):
        return self.status in (self.Status.OPEN, self.Status.IN_PROGRESS) and bool(
            self.due and self.due < today
        )


class MinuteActionUpdate(models.Model):
    action = models.ForeignKey(MinuteAction, on_delete=models.CASCADE, related_name="updates")
    text = models.TextField()
    status = models.CharField(max_length=12, choices=MinuteAction.Status.choices)
    by = models.ForeignKey("auth.User", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["action", "at"]

    def __str__(self):
        return f"{self.action.reference} update {self.at:%Y-%m-%d}"


# --------------------------------------------------------------------------------------------
# Members' questions
# --------------------------------------------------------------------------------------------


class QuestionQuerySet(models.QuerySet):
    def answered(self):
        return self.filter(status=Question.Status.ANSWERED)

    def visible_to(self, user):
        """Members see their own questions and every answered one; officers see all."""
        if user.has_perm("scrutiny.answer_question"):
            return self
        return self.filter(models.Q(asked_by=user) | models.Q(status=Question.Status.ANSWERED))


class Question(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Waiting for an answer"
        DRAFTED = "drafted", "Answer waiting for approval"
        ANSWERED = "answered", "Answered"
        WITHDRAWN = "withdrawn", "Withdrawn"

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="questions")
    asked_by = models.ForeignKey("auth.User", on_delete=models.PROTECT, related_name="questions")
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="questions"
    )
    measure = models.ForeignKey(
        "metrics.Measure",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="questions",
    )
    workstream = models.ForeignKey(
        "improvement_plan.Workstream",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="questions",
    )
    risk = models.ForeignKey(
        "improvement_plan.Risk",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="questions",
    )
    text = models.TextField()
    submitted_at = models.DateTimeField()
    late = models.BooleanField(default=False, help_text="Sent after the deadline")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    assigned_to = models.ForeignKey(
        "auth.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="questions_to_answer",
        help_text="The officer responsible for the answer",
    )
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        "auth.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answer_drafted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        "auth.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    # A director may return a drafted answer instead of approving it; redrafted, it waits again.
    returned_at = models.DateTimeField(null=True, blank=True)
    return_comment = models.TextField(blank=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "submitted_at"]

    def __str__(self):
        return f"Question {self.pk} for {self.meeting}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("question", args=[self.pk])

    @property
    def about(self):
        """What the question is about, as a (label, url) pair."""
        for thing in (self.measure, self.workstream, self.risk):
            if thing is not None:
                return str(thing), thing.get_absolute_url()
        if self.agenda_item:
            return f"Agenda item {self.agenda_item}", self.meeting.get_absolute_url()
        return "The meeting in general", self.meeting.get_absolute_url()


# --------------------------------------------------------------------------------------------
# Meeting packs
# --------------------------------------------------------------------------------------------


class MeetingPack(models.Model):
    """What the committee reads for a meeting, frozen when published. The snapshot is written
    once and never changed; publishing again makes the next version and keeps this one."""

    class PdfStatus(models.TextChoices):
        NONE = "", "Not requested"
        QUEUED = "queued", "Queued"
        BUILDING = "building", "Being built"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="packs")
    version = models.PositiveSmallIntegerField()
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        "auth.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True, help_text="Why this version was published")
    snapshot = models.JSONField()
    pdf = models.FileField(upload_to="packs/", blank=True)
    pdf_status = models.CharField(max_length=10, choices=PdfStatus.choices, blank=True, default="")
    pdf_error = models.TextField(blank=True)
    pdf_queued_at = models.DateTimeField(
        null=True, blank=True, help_text="When the PDF was last asked for (the sweeper asks again)"
    )

    class Meta:
        ordering = ["meeting", "version"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "version"], name="one_pack_per_version")
        ]

    def __str__(self):
        return f"Pack for {self.meeting}, version {self.version}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            stored = MeetingPack.objects.filter(pk=self.pk).values_list("snapshot", flat=True)
            if stored and stored[0] != self.snapshot:
                raise ValueError("A published pack's snapshot is never changed; publish again.")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("pack", args=[self.pk])

    @property
    def pdf_stuck(self):
        """Asked for long enough ago that a worker should have built it: may be asked again."""
        from datetime import timedelta

        from django.conf import settings
        from django.utils import timezone

        if self.pdf_status not in (self.PdfStatus.QUEUED, self.PdfStatus.BUILDING):
            return False
        limit = timezone.now() - timedelta(minutes=settings.STUCK_WORK_MINUTES)
        return self.pdf_queued_at is None or self.pdf_queued_at < limit


class OutgoingEmail(models.Model):
    """An e-mail to send, written with the change it tells of and sent by a worker, so that a
    mail server that is down delays it instead of failing the change. Kept once sent."""

    recipient = models.EmailField()
    subject = models.CharField(max_length=300)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    MAX_ATTEMPTS = 12  # at the sweeper's pace, about an hour of a mail server being down

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["sent_at", "created_at"], name="outbox_unsent")]

    def __str__(self):
        return f"{self.subject} to {self.recipient}"

    @classmethod
    def queue(cls, recipients, subject, body):
        """Write one e-mail per recipient and send each once the transaction commits."""
        from scrutiny.queue import enqueue
        from scrutiny.tasks import send_email

        emails = cls.objects.bulk_create(
            cls(recipient=r, subject=subject[:300], body=body) for r in recipients
        )
        for email in emails:
            enqueue(send_email, email.pk)
        return len(emails)

    def send(self):
        """Send it unless it has been sent; on failure, count the attempt and keep the error."""
        from django.core.mail import send_mail
        from django.utils import timezone

        if self.sent_at:
            return True
        try:
            send_mail(self.subject, self.body, None, [self.recipient])
        except Exception as error:  # noqa: BLE001 - kept and retried by the sweeper
            OutgoingEmail.objects.filter(pk=self.pk).update(
                attempts=models.F("attempts") + 1, last_error=f"{type(error).__name__}: {error}"
            )
            return False
        OutgoingEmail.objects.filter(pk=self.pk).update(
            sent_at=timezone.now(), attempts=models.F("attempts") + 1, last_error=""
        )
        return True
