import copy
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from metrics import calculations as calc
from metrics.models import Measure, MeasureStatus, Observation
from scrutiny import clock
from scrutiny.roles import drafts_flag

ONE_TO_FIVE = [MinValueValidator(1), MaxValueValidator(5)]
IMPACTS = {1: "Insignificant", 2: "Minor", 3: "Moderate", 4: "Major", 5: "Critical"}
LIKELIHOODS = {1: "Rare", 2: "Possible", 3: "Probable", 4: "Likely", 5: "Almost certain"}


class RiskRegister(models.Model):
    name = models.CharField(max_length=200, unique=True)

    def __str__(self):
        return self.name


def overdue_since(last_review, today):
    """The day a risk's review became overdue, or None: each quarter needs its review once the
    quarter has ended, so a risk is overdue from the day after the first quarter that ended
    without one (without any review, from the day after the last quarter to end)."""
    closed = calc.add_months(date(today.year, today.month, 1), -1)
    while closed.month not in (3, 6, 9, 12):
        closed = calc.add_months(closed, -1)
    missed = closed if last_review is None else calc.add_months(last_review, 3)
    return calc.add_months(missed, 1) if missed <= closed else None


class RiskQuerySet(models.QuerySet):
    def rated(self, drafts, today=None):
        """Each risk with its current and previous ratings, direction, review due, and whether its
        linked measures question the rating: two queries for the statuses whatever the count."""
        drafts = drafts_flag(drafts)
        risks = list(self.with_assessments())
        measure_ids = {m.pk for risk in risks for m in risk.measures.all()}
        latest = {}
        for status in (
            MeasureStatus.objects.whole_authority()
            .in_view(drafts)
            .filter(measure_id__in=measure_ids)
            .select_related("measure")
            .order_by("period_end")
        ):
            if status.period_kind == status.measure.frequency:
                latest[status.measure_id] = status
        for risk in risks:
            ratings = list(risk.assessments.all())
            settled = [a for a in ratings if not a.is_proposed]
            pending = next((a for a in reversed(ratings) if a.is_proposed), None)
            # Everyone, staff included, reads the latest signed-off rating as the current one;
            # staff also see a review waiting for sign-off, as proposed.
            risk.current = settled[-1] if settled else None
            risk.previous = settled[-2] if len(settled) > 1 else None
            risk.proposed = pending if drafts else None
            risk.ratings = ratings if drafts else settled
            risk.direction = calc.risk_direction(
                risk.current.score if risk.current else None,
                risk.previous.score if risk.previous else None,
            )
            risk.history = risk.ratings[-5:]
            risk.linked = [latest.get(m.pk) for m in risk.measures.all()]
            risk.questioned = calc.risk_rating_questioned(
                risk.current.band if risk.current else "",
                [(s.measure.name, s.rag, s.direction) for s in risk.linked if s],
            )
            # Each risk is reviewed every quarter. A review not yet signed off can still be
            # corrected; once signed off, the next one is for the quarter after.
            # Overdue when a closed quarter has no review, whoever reads it (a review waiting
            # for sign-off counts as done for this).
            risk.overdue_since = overdue_since(
                ratings[-1].quarter_end if ratings else None, today or clock.today()
            )
            risk.review_due = (
                pending.quarter
                if pending
                else calc.Period(calc.add_months(risk.current.quarter_end, 3), calc.QUARTER)
                if risk.current
                else None
            )
        return risks

    def with_assessments(self):
        return self.select_related("register").prefetch_related(
            models.Prefetch("assessments", queryset=RiskAssessment.objects.order_by("quarter_end")),
            "measures",
            "workstreams__priority__plan",
        )


class Risk(models.Model):
    reference = models.CharField(max_length=20, unique=True)
    title = models.TextField()
    description = models.TextField(
        blank=True, help_text="Empty when the register prints title and description as one"
    )
    owner = models.CharField(max_length=200, blank=True)
    register = models.ForeignKey(RiskRegister, on_delete=models.PROTECT, related_name="risks")
    inherent_impact = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=ONE_TO_FIVE
    )
    inherent_likelihood = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=ONE_TO_FIVE
    )
    inherent_score = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Printed score when impact and likelihood are unknown"
    )
    target_score = models.PositiveSmallIntegerField(null=True, blank=True)
    mitigations = models.TextField(blank=True)
    measures = models.ManyToManyField(Measure, blank=True, related_name="risks")
    workstreams = models.ManyToManyField(
        "Workstream",
        blank=True,
        related_name="risks",
        help_text="The plan's workstreams whose actions mitigate the risk",
    )
    new_this_quarter = models.BooleanField(default=False)
    review_overdue_since = models.DateField(
        null=True,
        blank=True,
        editable=False,
        help_text="Set by the daily job when a quarter has closed without a review",
    )
    closed_at = models.DateField(null=True, blank=True)
    closed_reason = models.TextField(blank=True)
    source = models.TextField(blank=True)

    objects = RiskQuerySet.as_manager()

    class Meta:
        ordering = ["reference"]

    def __str__(self):
        return f"{self.reference} {self.title[:60]}"

    def get_absolute_url(self):
        return reverse("improvement_plan:risk", args=[self.reference])

    @property
    def inherent(self):
        if self.inherent_impact and self.inherent_likelihood:
            return self.inherent_impact * self.inherent_likelihood
        return self.inherent_score

    @property
    def inherent_band(self):
        return calc.risk_band(self.inherent)

    def flag_if_overdue(self, today):
        """Mark the risk overdue when a quarter has closed since its last review; idempotent."""
        last = self.assessments.order_by("-quarter_end").values_list("quarter_end", flat=True)
        since = overdue_since(last.first(), today)
        due = since is not None
        if due != (self.review_overdue_since is not None):
            Risk.objects.filter(pk=self.pk).update(review_overdue_since=since)
        return due

    def clean(self):
        if self.closed_at and not self.closed_reason.strip():
            raise ValidationError({"closed_reason": "Say why the risk is closed."})

    def close(self, reason, *, by):
        """Close the risk today with the reason: it leaves the register and stays readable,
        the closing kept in the audit trail."""
        from scrutiny.audit import AuditEntry

        self.closed_at, self.closed_reason = timezone.localdate(), reason.strip()
        AuditEntry.save_with_trail(
            self,
            user=by,
            reason=self.closed_reason,
            context="risk closed",
            fields=["closed_at", "closed_reason"],
        )

    def review_in(self, quarter):
        """The quarter's review, if one is recorded."""
        return self.assessments.filter(quarter_end=quarter.end).first()

    def waiting_review(self):
        """The review recorded in the product and waiting for sign-off, if any."""
        return (
            self.assessments.filter(signed_off_at__isnull=True, assessed_at__isnull=False)
            .order_by("-quarter_end")
            .first()
        )

    def record_review(self, quarter, *, impact, likelihood, rationale, mitigations, by):
        """Record (or correct, while not signed off) the quarter's review, kept in the audit
        trail with its rationale as the reason; the review then waits for a director's
        sign-off, and the risk is no longer overdue. ``mitigations`` None leaves them as the
        risk has them."""
        from scrutiny.audit import AuditEntry

        existing = self.review_in(quarter)
        before = copy.copy(existing) if existing else None
        review = existing or RiskAssessment(risk=self, quarter_end=quarter.end)
        review.impact, review.likelihood, review.printed_score = impact, likelihood, None
        review.rationale = rationale.strip()
        review.mitigations = (self.mitigations if mitigations is None else mitigations).strip()
        review.assessed_by, review.assessed_at = by, timezone.now()
        # Corrected after being returned: it waits for sign-off again.
        review.returned_at, review.returned_by, review.return_comment = None, None, ""
        with transaction.atomic():
            review.save()
            AuditEntry.record_changes(
                review,
                before,
                user=by,
                reason=review.rationale,
                context=f"risk review {self.reference} {quarter.label}",
                fields=["impact", "likelihood", "printed_score", "rationale"],
            )
            Risk.objects.filter(pk=self.pk).update(review_overdue_since=None)
        return review


class RiskAssessment(models.Model):
    """A quarter's rating. The score is impact x likelihood, never typed; an assessment carried
    over from papers that print only the score keeps that score, marked as such."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="assessments")
    quarter_end = models.DateField(help_text="First day of the month the quarter ends in")
    impact = models.PositiveSmallIntegerField(null=True, blank=True, validators=ONE_TO_FIVE)
    likelihood = models.PositiveSmallIntegerField(null=True, blank=True, validators=ONE_TO_FIVE)
    printed_score = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Only for ratings carried over from papers that print the score alone",
    )
    rationale = models.TextField(blank=True)
    mitigations = models.TextField(
        blank=True, help_text="The mitigating actions as they stood at this review"
    )
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assessed_at = models.DateTimeField(null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    # A director may return a review instead of signing it off; corrected, it waits again.
    returned_at = models.DateTimeField(null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    return_comment = models.TextField(blank=True)
    source = models.TextField(blank=True)

    class Meta:
        ordering = ["risk", "quarter_end"]
        constraints = [
            models.UniqueConstraint(
                fields=["risk", "quarter_end"], name="one_assessment_per_risk_quarter"
            )
        ]

    def __str__(self):
        return f"{self.risk.reference} {self.quarter.label}: {self.band} {self.score}"

    @property
    def quarter(self):
        return calc.Period(self.quarter_end, calc.QUARTER)

    @property
    def score(self):
        if self.impact and self.likelihood:
            return self.impact * self.likelihood
        return self.printed_score

    @property
    def is_proposed(self):
        """A review recorded in the product and not yet signed off: staff see it as proposed,
        readers and packs do not see it. Ratings carried over from the papers were signed off
        before they were printed."""
        return self.assessed_at is not None and self.signed_off_at is None

    @property
    def score_only(self):
        return not (self.impact and self.likelihood) and self.printed_score is not None

    @property
    def band(self):
        return calc.risk_band(self.score)

    def clean(self):
        if (self.impact is None) != (self.likelihood is None):
            raise ValidationError("Give both impact and likelihood, or neither.")
        if self.impact and self.printed_score is not None:
            raise ValidationError("The score is impact × likelihood; it is not typed.")

    def sign_off(self, by):
        """A director's sign-off, kept in the trail: the rating becomes the current one for
        every reader, and the review's mitigating actions become the risk's."""
        from scrutiny.audit import AuditEntry

        self.signed_off_by, self.signed_off_at = by, timezone.now()
        risk = self.risk
        with transaction.atomic():
            self.save(update_fields=["signed_off_by", "signed_off_at"])
            AuditEntry.record_changes(
                self,
                None,
                user=by,
                context="risk sign-off",
                fields=["signed_off_by", "signed_off_at"],
            )
            if self.mitigations and self.mitigations != risk.mitigations.strip():
                risk.mitigations = self.mitigations
                AuditEntry.save_with_trail(
                    risk,
                    user=by,
                    reason=self.rationale,
                    context=f"risk review {risk.reference} {self.quarter.label}",
                    fields=["mitigations"],
                )

    def send_back(self, by, comment):
        """Return the review to its author with a comment, kept in the trail."""
        from scrutiny.audit import AuditEntry

        before = copy.copy(self)
        self.returned_at, self.returned_by = timezone.now(), by
        self.return_comment = comment.strip()[:2000]
        with transaction.atomic():
            self.save(update_fields=["returned_at", "returned_by", "return_comment"])
            AuditEntry.record_changes(
                self,
                before,
                user=by,
                reason=self.return_comment,
                context="risk review returned",
                fields=["returned_at", "return_comment"],
            )


# --------------------------------------------------------------------------------------------
# The improvement plan
# --------------------------------------------------------------------------------------------


class ProgressStatus(models.TextChoices):
    """The paper's five status boxes, in its own words."""

    IN_PROGRESS = "in_progress", "In progress"
    ON_TARGET = "on_target", "On target"
    AT_RISK = "at_risk", "At risk"
    COMPROMISED = "compromised", "Compromised"
    COMPLETED = "completed", "Completed"


class PlanQuerySet(models.QuerySet):
    def current(self):
        return self.filter(is_current=True).order_by("-created_at").first()


class Plan(models.Model):
    """One version of the improvement plan. A new version is a copy; the old one stays readable."""

    title = models.CharField(max_length=300)
    version = models.CharField(max_length=40, unique=True)
    heading = models.CharField(max_length=300, blank=True)
    aim = models.TextField(blank=True, help_text="What the plan is for: the introduction")
    vision = models.CharField(max_length=300, blank=True, help_text="The strapline")
    overseen_by = models.CharField(max_length=200, blank=True)
    reports_to = models.TextField(blank=True, help_text="The bodies it reports to, one a line")
    reporting_months = models.PositiveSmallIntegerField(
        default=3, help_text="Length of a reporting period in months"
    )
    is_current = models.BooleanField(default=True)
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_version"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    trajectory_note = models.TextField(
        blank=True,
        help_text="How the council's own papers count the metrics' trajectories, where that "
        "differs from the product's count; shown beside it",
    )
    source = models.TextField(blank=True)

    objects = PlanQuerySet.as_manager()

    def __str__(self):
        return f"{self.title} {self.version}"

    def get_absolute_url(self):
        if self.is_current:
            return reverse("improvement_plan:plan")
        return reverse("improvement_plan:plan_version", args=[self.pk])

    @property
    def bodies(self):
        return [line.strip() for line in self.reports_to.splitlines() if line.strip()]

    def current_period(self):
        return self.periods.order_by("-start").first()

    def overview(self, drafts, today):
        """Each priority with its latest recorded statuses (``status``) and its workstreams
        summarised as at ``today`` (``rows``): what the plan page, the dashboard, the API and a
        meeting pack show. A fixed number of queries whatever the size of the plan."""
        drafts = drafts_flag(drafts)
        workstreams = Workstream.objects.filter(priority__plan=self).summarised(drafts, today)
        # Statuses come oldest first, so the last one recorded for a priority wins.
        latest = {
            status.priority_id: status
            for status in PriorityStatus.objects.filter(priority__plan=self).select_related(
                "period"
            )
        }
        priorities = list(self.priorities.all())
        for priority in priorities:
            priority.status = latest.get(priority.pk)
            priority.rows = [w for w in workstreams if w.priority_id == priority.pk]
        return priorities

    def new_version(self, version, *, by):
        """Copy the plan, its structure, actions, milestones, metrics and the links to Ofsted's
        recommendations and to risks into a new current version; this one becomes read-only
        history with its updates and statuses. The new version starts at this one's current
        period, and its start is kept in the audit trail, all in one transaction."""
        from scrutiny.audit import AuditEntry

        with transaction.atomic():
            made = self._copy_as(version)
            AuditEntry.record_changes(
                made,
                None,
                user=by,
                context=f"new plan version from {self.version}",
                fields=["version", "previous"],
            )
        return made

    def _copy_as(self, version):
        made = Plan.objects.create(
            **{
                f.name: getattr(self, f.name)
                for f in self._meta.concrete_fields
                if f.name not in ("id", "version", "is_current", "previous", "created_at")
            },
            version=version,
            is_current=True,
            previous=self,
        )
        Plan.objects.filter(pk=self.pk).update(is_current=False)
        period = self.current_period()
        if period:
            ReportingPeriod.objects.create(plan=made, start=period.start, end=period.end)
        for priority in self.priorities.prefetch_related(
            "workstreams__items",
            "workstreams__actions__owners",
            "workstreams__milestones",
            "workstreams__metrics",
            "workstreams__risks",
            "workstreams__recommendation_links",
        ):
            new_priority = Priority.objects.create(
                plan=made, number=priority.number, title=priority.title
            )
            for workstream in priority.workstreams.all():
                copied = _copy(workstream, priority=new_priority)
                for item in workstream.items.all():
                    _copy(item, workstream=copied)
                for item in workstream.milestones.all():
                    _copy(item, workstream=copied)
                for item in workstream.metrics.all():
                    _copy(item, workstream=copied)
                for item in workstream.actions.all():
                    _copy(item, workstream=copied).owners.set(item.owners.all())
                copied.risks.set(workstream.risks.all())
                for link in workstream.recommendation_links.all():
                    _copy(link, workstream=copied)
        return made


def _copy(obj, **changes):
    """A saved copy of a row with some fields changed: for a new version of the plan."""
    copied = type(obj)(
        **{
            f.attname: getattr(obj, f.attname)
            for f in obj._meta.concrete_fields
            if f.name != "id" and f.name not in changes
        },
        **changes,
    )
    copied.save()
    return copied


class ReportingPeriod(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="periods")
    start = models.DateField()
    end = models.DateField()
    reported_to = models.CharField(
        max_length=200, blank=True, help_text="The meeting the period's statuses went to"
    )
    reported_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["plan", "start"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "start"], name="one_period_per_start"),
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="period_ends_after_start"
            ),
        ]

    def __str__(self):
        return self.label

    @property
    def label(self):
        return f"{self.start:%-d %B %Y} to {self.end:%-d %B %Y}"


def statuses(record):
    """A priority status or progress update as plain data (None for each when there is none)."""
    if record is None:
        return {"period": None, "actions_status": None, "impact_status": None}
    return {
        "period": record.period.label,
        "actions_status": record.get_actions_status_display(),
        "impact_status": record.get_impact_status_display(),
    }


class Priority(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="priorities")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)

    class Meta:
        ordering = ["plan", "number"]
        verbose_name_plural = "priorities"
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="one_priority_per_number")
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"


class PriorityStatus(models.Model):
    """A priority's two statuses for a period, as a person recorded them; every one is kept."""

    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="statuses")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="+")
    actions_status = models.CharField(max_length=12, choices=ProgressStatus.choices)
    impact_status = models.CharField(max_length=12, choices=ProgressStatus.choices)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField()
    source = models.TextField(blank=True)

    class Meta:
        ordering = ["priority", "period__start", "recorded_at"]
        verbose_name_plural = "priority statuses"

    def __str__(self):
        return f"Priority {self.priority.number}, {self.period}"

    def record(self, priority, period, by):
        """Record these statuses as ``priority``'s for ``period``, with the note as the reason in
        the audit trail. An earlier recording for the period stays; the latest is shown."""
        from scrutiny.audit import AuditEntry

        self.priority, self.period = priority, period
        self.recorded_by, self.recorded_at = by, timezone.now()
        AuditEntry.save_with_trail(
            self,
            user=by,
            reason=self.note,
            context=f"priority {priority.number} status",
            fields=["actions_status", "impact_status", "note"],
        )
        return self


class WorkstreamQuerySet(models.QuerySet):
    def summarised(self, drafts, today):
        """Each workstream with its action counts (overdue as at ``today``), its latest signed-off
        update (and, for officers, any draft), and its metrics' trajectories; a fixed number of
        queries whatever the size of the plan."""
        drafts = drafts_flag(drafts)
        workstreams = list(
            self.select_related("priority__plan").annotate(
                action_count=models.Count("actions", distinct=True),
                completed_count=models.Count(
                    "actions",
                    filter=models.Q(actions__status=KeyAction.Status.COMPLETED),
                    distinct=True,
                ),
                overdue_count=models.Count(
                    "actions",
                    filter=overdue_q(today, prefix="actions__"),
                    distinct=True,
                ),
            )
        )
        by_pk = {w.pk: w for w in workstreams}
        for workstream in workstreams:
            workstream.update = workstream.draft = None
            workstream.plan_metrics = []
        for update in (
            ProgressUpdate.objects.standing()
            .filter(workstream__in=by_pk)
            .select_related("period")
            .order_by("period__start", "written_at")
        ):
            workstream = by_pk[update.workstream_id]
            if update.signed_off:
                workstream.update = update
            elif drafts:
                workstream.draft = update
        for metric in PlanMetric.objects.filter(workstream__in=by_pk).list_with_trajectories(
            drafts
        ):
            by_pk[metric.workstream_id].plan_metrics.append(metric)
        for workstream in workstreams:
            counts = {name: 0 for name in TRAJECTORIES.values()}
            for metric in workstream.plan_metrics:
                if metric.trajectory:
                    counts[metric.trajectory] += 1
            workstream.trajectories = counts
            workstream.judged_metrics = sum(counts.values()) - counts["not comparable"]
            on_target = workstream.update and workstream.update.actions_status in (
                ProgressStatus.ON_TARGET,
                ProgressStatus.COMPLETED,
            )
            workstream.mixed_message = bool(on_target and counts["regressed"])
        return workstreams


class Workstream(models.Model):
    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="workstreams")
    number = models.CharField(max_length=10)
    title = models.CharField(max_length=300)
    lead = models.CharField(max_length=200, blank=True, help_text="Empty when the plan names none")
    rationale_heading = models.CharField(max_length=300, blank=True)
    source = models.TextField(blank=True)

    objects = WorkstreamQuerySet.as_manager()

    class Meta:
        ordering = ["priority__plan", "priority__number", "number"]
        constraints = [
            models.UniqueConstraint(fields=["priority", "number"], name="one_workstream_per_number")
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("improvement_plan:workstream", args=[self.pk])

    def updates_in(self, period):
        """The period's standing updates: (the draft, the signed-off one), either None."""
        standing = self.updates.standing().filter(period=period)
        return (
            standing.filter(signed_off_at__isnull=True).first(),
            standing.filter(signed_off_at__isnull=False).first(),
        )

    @property
    def plan(self):
        return self.priority.plan


class WorkstreamItem(models.Model):
    """A line of a workstream's rationale, objectives or deliverables."""

    class Kind(models.TextChoices):
        OFSTED_FINDING = "ofsted", "Ofsted finding"
        LOCAL = "local", "Local rationale"
        OBJECTIVE = "objective", "Objective"
        DELIVERABLE = "deliverable", "Deliverable"

    workstream = models.ForeignKey(Workstream, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    text = models.TextField()
    order = models.PositiveSmallIntegerField(default=0)
    source = models.TextField(blank=True)

    class Meta:
        ordering = ["workstream", "kind", "order"]

    def __str__(self):
        return self.text[:80]


class Owner(models.Model):
    """A person or team that owns actions; linked to an account to receive the digest."""

    class Kind(models.TextChoices):
        PERSON = "person", "Person"
        TEAM = "team", "Team or group"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PERSON)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="action_owners",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def merge_into(self, kept, *, user, reason=""):
        """This owner is a duplicate of ``kept`` (a misspelling, a second entry): its actions
        move to ``kept`` and it is removed; each action's change of owners and the removed
        owner are kept in the audit trail."""
        from django.db import transaction

        from scrutiny.audit import AuditEntry

        if kept.pk == self.pk:
            raise ValueError("An owner cannot be merged into itself.")
        context = f"owners merged: {self.name} into {kept.name}"
        with transaction.atomic():
            for action in self.actions.prefetch_related("owners"):
                before = [o.name for o in action.owners.all()]
                action.owners.remove(self)
                action.owners.add(kept)
                after = [o.name for o in action.owners.all()]
                AuditEntry.record_set(
                    action, "owners", before, after, user=user, reason=reason, context=context
                )
            if kept.user_id is None and self.user_id is not None:
                kept.user_id = self.user_id
                kept.save(update_fields=["user"])
            AuditEntry.record_deletion(self, user=user, reason=reason, context=context)
            self.delete()

    @staticmethod
    def likely_duplicates(owners, ratio=0.8):
        """Pairs of owners whose names are nearly the same ("Connelly", "Connolly")."""
        import difflib

        pairs = []
        for i, a in enumerate(owners):
            for b in owners[i + 1 :]:
                score = difflib.SequenceMatcher(None, a.name.lower(), b.name.lower()).ratio()
                if score >= ratio:
                    pairs.append((a, b))
        return pairs


def overdue_q(on, prefix=""):
    """Open key actions whose due month ended before ``on``, as a filter (``prefix`` for one
    reached through a relation, such as ``actions__``)."""
    return models.Q(**{f"{prefix}due_month__lt": date(on.year, on.month, 1)}) & ~models.Q(
        **{f"{prefix}status__in": CLOSED}
    )


class KeyActionQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status__in=CLOSED)

    def overdue(self, on):
        """Open actions whose due month ended before ``on``."""
        return self.filter(overdue_q(on))

    def due_soon(self, on, days=30):
        from datetime import timedelta

        horizon = on + timedelta(days=days)
        return self.open().filter(due_month__gte=date(on.year, on.month, 1), due_month__lte=horizon)


class KeyAction(models.Model):
    class Status(models.TextChoices):
        NOT_REPORTED = "not_reported", "Not reported"
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"
        DROPPED = "dropped", "Dropped"

    workstream = models.ForeignKey(Workstream, on_delete=models.CASCADE, related_name="actions")
    reference = models.CharField(max_length=20)
    text = models.TextField()
    owners = models.ManyToManyField(Owner, blank=True, related_name="actions")
    owners_as_printed = models.CharField(max_length=300, blank=True)
    due_month = models.DateField(
        null=True, blank=True, help_text="First day of the month the action is due in"
    )
    due_as_printed = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.NOT_STARTED)
    completed_on = models.DateField(null=True, blank=True)
    evidence = models.TextField(blank=True, help_text="What shows the action is done")
    overdue_since = models.DateField(
        null=True, blank=True, editable=False, help_text="Set by the daily job"
    )
    note = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    source = models.TextField(blank=True)

    objects = KeyActionQuerySet.as_manager()

    class Meta:
        ordering = ["workstream", "order"]
        constraints = [
            models.UniqueConstraint(fields=["workstream", "reference"], name="one_action_per_ref")
        ]

    def __str__(self):
        return f"{self.reference} {self.text[:60]}"

    def get_absolute_url(self):
        return reverse("improvement_plan:action", args=[self.pk])

    @property
    def is_open(self):
        return self.status not in CLOSED

    def is_overdue(self, on):
        """Open, and the month it was due in has ended."""
        return bool(self.is_open and self.due_month and self.due_month < date(on.year, on.month, 1))

    def save_change(self, owners, *, fields, reason, by):
        """Save this changed action and its owners, each change kept in the audit trail with
        the reason; a closed action is no longer overdue. Returns whether anything changed."""
        from scrutiny.audit import AuditEntry

        if not self.is_open:
            self.overdue_since = None
        context = f"key action {self.reference}"
        before = [o.name for o in KeyAction.objects.get(pk=self.pk).owners.all()]
        with transaction.atomic():
            entries = AuditEntry.save_with_trail(
                self, user=by, reason=reason, context=context, fields=fields
            )
            moved = AuditEntry.record_set(
                self, "owners", before, [o.name for o in owners],
                user=by, reason=reason, context=context,
            )  # fmt: skip
            if moved:
                self.owners.set(owners)
        return bool(entries or moved)

    @property
    def due_label(self):
        if self.due_month:
            return f"{self.due_month:%B %Y}"
        return self.due_as_printed or "No date"

    def clean(self):
        if self.status == self.Status.COMPLETED and not self.completed_on:
            raise ValidationError({"completed_on": "Give the date the action was completed."})
        if self.status != self.Status.COMPLETED and self.completed_on:
            raise ValidationError(
                {"completed_on": "Only a completed action has a completion date."}
            )
        if self.due_month and self.due_month.day != 1:
            raise ValidationError({"due_month": "A due month starts on the first day."})


CLOSED = [KeyAction.Status.COMPLETED, KeyAction.Status.DROPPED]


class Milestone(models.Model):
    workstream = models.ForeignKey(Workstream, on_delete=models.CASCADE, related_name="milestones")
    reference = models.CharField(max_length=20)
    name = models.CharField(max_length=300)
    month = models.DateField(
        null=True, blank=True, help_text="Empty when the papers do not say which month"
    )
    done = models.BooleanField(default=False)
    done_on = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    source = models.TextField(blank=True)

    class Meta:
        ordering = ["workstream", "order"]

    def __str__(self):
        return f"{self.reference} {self.name}"

    PROGRESS_FIELDS = ["month", "done", "done_on"]

    def save_progress(self, *, by, reason):
        """Save the milestone's month and whether (and when) it was reached, each change kept
        in the audit trail with the reason."""
        from scrutiny.audit import AuditEntry

        AuditEntry.save_with_trail(
            self,
            user=by,
            reason=reason.strip(),
            context=f"milestone {self.reference}",
            fields=self.PROGRESS_FIELDS,
        )


TRAJECTORIES = {
    calc.IMPROVING: "improved",
    calc.NO_CHANGE: "no significant change",
    calc.DECLINING: "regressed",
    calc.NOT_COMPARABLE: "not comparable",
}


class PlanMetricQuerySet(models.QuerySet):
    def list_with_trajectories(self, drafts):
        """Each metric with the first and latest of its measure's monthly values in the view
        ``drafts`` chooses, and whether it improved, made no significant change or regressed
        between them (the covering report's test), judged with the measure's own dead-band:
        one query for the values whatever the count."""
        drafts = drafts_flag(drafts)
        metrics = list(self.select_related("measure"))
        linked = [m.measure_id for m in metrics if m.measure_id]
        series = {}
        for observation in (
            Observation.objects.whole_authority()
            .in_view(drafts)
            .filter(measure_id__in=linked, period_kind=calc.MONTH, value__isnull=False)
            .order_by("period_end")
            .values("measure_id", "period_end", "value")
        ):
            series.setdefault(observation["measure_id"], []).append(observation)
        comparable = [m for m in metrics if len(series.get(m.measure_id, [])) >= 2]
        codes = []
        if comparable:
            codes = calc.direction(
                [float(series[m.measure_id][-1]["value"]) for m in comparable],
                [float(series[m.measure_id][0]["value"]) for m in comparable],
                [m.measure.polarity for m in comparable],
                [m.measure.deadband_kind for m in comparable],
                [float(m.measure.deadband) for m in comparable],
            )
        found = dict(zip((m.pk for m in comparable), codes, strict=True))
        for metric in metrics:
            values = series.get(metric.measure_id, [])
            metric.first = values[0] if values else None
            metric.latest = values[-1] if values else None
            code = found.get(metric.pk)
            metric.trajectory = TRAJECTORIES[int(code)] if code is not None else ""
        return metrics


class PlanMetric(models.Model):
    """A workstream's metric. Linked to a measure wherever one exists, so the engine's targets,
    RAG and direction apply; otherwise the figures stay as printed."""

    workstream = models.ForeignKey(Workstream, on_delete=models.CASCADE, related_name="metrics")
    reference = models.CharField(max_length=20)
    name = models.CharField(max_length=300)
    measure = models.ForeignKey(
        Measure, on_delete=models.SET_NULL, null=True, blank=True, related_name="plan_metrics"
    )
    printed_values = models.TextField(blank=True, help_text="The figures as printed, unlinked")
    note = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    source = models.TextField(blank=True)

    objects = PlanMetricQuerySet.as_manager()

    class Meta:
        ordering = ["workstream", "order"]

    def __str__(self):
        return f"{self.reference} {self.name}"


class ProgressUpdateQuerySet(models.QuerySet):
    def standing(self):
        """Updates not superseded: for a period, at most one signed off and one draft."""
        return self.filter(superseded_at__isnull=True)


class ProgressUpdate(models.Model):
    """A workstream's report for a period. A service lead writes it and may correct it until a
    director signs it off. A signed-off update is never edited: a replacement is written with a
    reason, and the old one is superseded when the replacement is signed off."""

    workstream = models.ForeignKey(Workstream, on_delete=models.CASCADE, related_name="updates")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="updates")
    actions_status = models.CharField(max_length=12, choices=ProgressStatus.choices)
    impact_status = models.CharField(max_length=12, choices=ProgressStatus.choices)
    comment = models.TextField("Comment about overall status")
    progress_made = models.TextField("Progress made this period")
    actions_next = models.TextField("Actions next period", blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    written_at = models.DateTimeField()
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    sign_off_note = models.CharField(
        max_length=300, blank=True, help_text="Who signed it off when not a user of this system"
    )
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )
    replace_reason = models.TextField(blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)
    # A director may return an update instead of signing it off; the lead corrects it and it
    # waits for sign-off again (the comment stays until then, and in the audit trail).
    returned_at = models.DateTimeField(null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    return_comment = models.TextField(blank=True)
    source = models.TextField(blank=True)

    objects = ProgressUpdateQuerySet.as_manager()

    class Meta:
        ordering = ["workstream", "period__start", "written_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["workstream", "period"],
                condition=models.Q(superseded_at__isnull=True, signed_off_at__isnull=False),
                name="one_signed_off_update_per_period",
            ),
            models.UniqueConstraint(
                fields=["workstream", "period"],
                condition=models.Q(signed_off_at__isnull=True),
                name="one_draft_update_per_period",
            ),
        ]

    def __str__(self):
        return f"{self.workstream.number} update, {self.period}"

    @property
    def signed_off(self):
        return self.signed_off_at is not None

    def record(self, workstream, period, *, replacing, reason, fields, by):
        """Save this update (new, or a correction of the draft) for the period; one replacing
        a signed-off update says why. It then waits for a director's sign-off, kept in the
        audit trail."""
        from scrutiny.audit import AuditEntry

        self.workstream, self.period = workstream, period
        self.written_by, self.written_at = by, timezone.now()
        if replacing is not None:
            self.replaces, self.replace_reason = replacing, reason.strip()
        # Corrected after being returned: it waits for sign-off again.
        self.returned_at, self.returned_by, self.return_comment = None, None, ""
        AuditEntry.save_with_trail(
            self,
            user=by,
            reason=self.replace_reason,
            context=f"progress update {workstream.number} {period.label}",
            fields=[*fields, "replace_reason", "return_comment"],
        )

    def sign_off(self, by):
        """A director's sign-off: the update is what readers see, and the one it replaces is
        superseded, in one transaction kept in the audit trail."""
        from scrutiny.audit import AuditEntry

        now = timezone.now()
        with transaction.atomic():
            if self.replaces_id:
                ProgressUpdate.objects.filter(pk=self.replaces_id).update(superseded_at=now)
            self.signed_off_by, self.signed_off_at = by, now
            AuditEntry.save_with_trail(
                self,
                user=by,
                context="progress update sign-off",
                fields=["signed_off_by", "signed_off_at"],
            )

    def send_back(self, by, comment):
        """Return the update to its lead with a comment instead of signing it off."""
        from scrutiny.audit import AuditEntry

        self.returned_at, self.returned_by = timezone.now(), by
        self.return_comment = comment.strip()[:2000]
        AuditEntry.save_with_trail(
            self,
            user=by,
            reason=self.return_comment,
            context="progress update returned",
            fields=["returned_at", "returned_by", "return_comment"],
        )

    @property
    def progress_lines(self):
        return [line.strip() for line in self.progress_made.splitlines() if line.strip()]

    @property
    def next_lines(self):
        return [line.strip() for line in self.actions_next.splitlines() if line.strip()]


# --------------------------------------------------------------------------------------------
# Inspections: what the plan answers (its coverage, the links to workstreams, copied with a
# new plan version)
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
        db_table = "scrutiny_inspection"  # made in the scrutiny app; the data never moved
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
        return reverse("scrutiny:inspection", args=[self.pk])


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
        db_table = "scrutiny_judgement"  # made in the scrutiny app; the data never moved
        ordering = ["inspection", "order"]

    def __str__(self):
        return f"{self.area}: {self.get_grade_display()}"


class RecommendationQuerySet(models.QuerySet):
    def list_with_coverage(self, plan, today):
        """Each recommendation with ``rows``: the links to ``plan``'s workstreams, each with
        their key actions; the counts of those actions open, completed and overdue as at
        ``today``; and ``unanswered`` when nothing answers it, or nothing open does and not all
        of it was completed. Three queries whatever the number."""
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
        db_table = "scrutiny_recommendation"  # made in the scrutiny app; the data never moved
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
        Workstream, on_delete=models.CASCADE, related_name="recommendation_links"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.EXPLICIT)
    evidence = models.TextField(blank=True)

    class Meta:
        db_table = "scrutiny_recommendationlink"  # made in the scrutiny app; the data never moved
        ordering = ["recommendation", "workstream__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "workstream"], name="one_link_per_workstream"
            )
        ]

    def __str__(self):
        return f"{self.recommendation.reference} answered by {self.workstream.number}"
