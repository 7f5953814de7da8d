from django.db import models
from django.urls import reverse

# The floor's models live in their own modules, so other apps import them without importing
# meetings and packs; Django finds them here.
from scrutiny.audit import AuditEntry, AuditEntryQuerySet  # noqa: F401
from scrutiny.capabilities import Capability  # noqa: F401
from scrutiny.mail import OutgoingEmail  # noqa: F401
from scrutiny.tokens import ApiToken, ApiTokenQuerySet  # noqa: F401

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
        return reverse("scrutiny:glossary") + f"#{self.slug}"

    @property
    def forms(self):
        """Every way the term is written, longest first (so "child protection plan" wins
        over "CP")."""
        found = [self.term, *(f.strip() for f in self.also.split(";") if f.strip())]
        return sorted(set(found), key=len, reverse=True)


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

    class Meta:
        ordering = ["committee", "date"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "date"], name="one_meeting_per_day")
        ]

    def __str__(self):
        return f"{self.committee}, {self.date:%-d %B %Y}"

    def get_absolute_url(self):
        return reverse("scrutiny:meeting", args=[self.pk])

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
        return reverse("scrutiny:minute_action", args=[self.pk])

    @property
    def due(self):
        if self.due_date:
            return self.due_date
        return self.due_meeting.date if self.due_meeting else None

    def is_overdue(self, today):
        return self.status in (self.Status.OPEN, self.Status.IN_PROGRESS) and bool(
            self.due and self.due < today
        )

    def record_update(self, text, status, *, by):
        """An update on the action, kept with who and when; its status changes with it, kept in
        the audit trail with the update as the reason."""
        from django.db import transaction

        with transaction.atomic():
            update = MinuteActionUpdate.objects.create(
                action=self, text=text.strip(), status=status, by=by
            )
            self.status = status
            AuditEntry.save_with_trail(
                self, user=by, reason=text, context="action update", fields=["status"]
            )
        return update


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
        return reverse("scrutiny:question", args=[self.pk])

    @classmethod
    def ask(cls, meeting, text, *, by, late, **subject):
        """A member's question for the meeting (``subject``: the measure, workstream, risk or
        agenda item it is about); the officers who answer are told."""
        from django.utils import timezone

        from scrutiny import notifications

        question = cls.objects.create(
            meeting=meeting, asked_by=by, text=text, submitted_at=timezone.now(), late=late,
            **subject,
        )  # fmt: skip
        notifications.question_received(question)
        return question

    def draft_answer(self, answer, *, by):
        """An officer's answer, waiting for a director's approval before the member sees it;
        kept in the audit trail. A returned answer is sent again."""
        from django.utils import timezone

        self.answer, self.answered_by, self.answer_drafted_at = answer, by, timezone.now()
        self.status = Question.Status.DRAFTED
        self.returned_at, self.return_comment = None, ""
        AuditEntry.save_with_trail(
            self, user=by, context="answer drafted", fields=["answer", "status"]
        )

    def assign(self, officer, *, by):
        """A director names the officer who answers; kept in the trail, the officer e-mailed."""
        from scrutiny import notifications

        self.assigned_to = officer
        AuditEntry.save_with_trail(
            self, user=by, context="question assigned", fields=["assigned_to"]
        )
        notifications.question_assigned(self)

    def send_back(self, by, comment):
        """Return the drafted answer to be redrafted, with what should change."""
        from django.utils import timezone

        self.status = Question.Status.SUBMITTED
        self.returned_at, self.return_comment = timezone.now(), comment.strip()[:2000]
        AuditEntry.save_with_trail(
            self, user=by, reason=self.return_comment, context="answer returned",
            fields=["status", "return_comment"],
        )  # fmt: skip

    def approve(self, by):
        """A director approves the drafted answer: the member sees it and is told."""
        from django.utils import timezone

        from scrutiny import notifications

        self.status, self.approved_by, self.approved_at = (
            Question.Status.ANSWERED,
            by,
            timezone.now(),
        )
        AuditEntry.save_with_trail(
            self, user=by, context="answer approved", fields=["status", "approved_by"]
        )
        notifications.question_answered(self)

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
        return reverse("scrutiny:pack", args=[self.pk])

    def readable(self):
        """The snapshot in the shape today's pages read (``packs.readable``)."""
        from scrutiny.packs import readable

        return readable(self.snapshot)

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
