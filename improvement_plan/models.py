from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from metrics import calculations as calc
from metrics.models import Measure, MeasureStatus

ONE_TO_FIVE = [MinValueValidator(1), MaxValueValidator(5)]
IMPACTS = {1: "Insignificant", 2: "Minor", 3: "Moderate", 4: "Major", 5: "Critical"}
LIKELIHOODS = {1: "Rare", 2: "Possible", 3: "Probable", 4: "Likely", 5: "Almost certain"}


class RiskRegister(models.Model):
    name = models.CharField(max_length=200, unique=True)

    def __str__(self):
        return self.name


class RiskQuerySet(models.QuerySet):
    def rated(self, user):
        """Each risk with its current and previous ratings, direction, review due, and whether its
        linked measures question the rating: two queries for the statuses whatever the count."""
        risks = list(self.with_assessments())
        measure_ids = {m.pk for risk in risks for m in risk.measures.all()}
        latest = {}
        for status in (
            MeasureStatus.objects.whole_authority()
            .visible_to(user)
            .filter(measure_id__in=measure_ids)
            .select_related("measure")
            .order_by("period_end")
        ):
            if status.period_kind == status.measure.frequency:
                latest[status.measure_id] = status
        for risk in risks:
            ratings = list(risk.assessments.all())
            risk.current = ratings[-1] if ratings else None
            risk.previous = ratings[-2] if len(ratings) > 1 else None
            risk.direction = calc.risk_direction(
                risk.current.score if risk.current else None,
                risk.previous.score if risk.previous else None,
            )
            risk.history = ratings[-5:]
            risk.linked = [latest.get(m.pk) for m in risk.measures.all()]
            risk.questioned = calc.risk_rating_questioned(
                risk.current.band if risk.current else "",
                [(s.measure.name, s.rag, s.direction) for s in risk.linked if s],
            )
            # Each risk is reviewed every quarter: the next review is for the quarter after.
            # Each risk is reviewed every quarter. A review not yet signed off can still be
            # corrected; once signed off, the next one is for the quarter after.
            pending = risk.current and risk.current.assessed_at and not risk.current.signed_off_at
            risk.review_due = (
                risk.current.quarter
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
        )


class Risk(models.Model):
    reference = models.CharField(max_length=20, unique=True)
    title = models.TextField()
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
        last = last.first()
        closed = calc.add_months(date(today.year, today.month, 1), -1)
        while closed.month not in (3, 6, 9, 12):
            closed = calc.add_months(closed, -1)
        due = last is None or last < closed
        since = calc.add_months(closed, 1) if due else None
        if due != (self.review_overdue_since is not None):
            Risk.objects.filter(pk=self.pk).update(review_overdue_since=since)
        return due

    def clean(self):
        if self.closed_at and not self.closed_reason.strip():
            raise ValidationError({"closed_reason": "Say why the risk is closed."})


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
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assessed_at = models.DateTimeField(null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
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
