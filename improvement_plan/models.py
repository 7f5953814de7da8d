from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from metrics import calculations as calc
from metrics.models import Measure

ONE_TO_FIVE = [MinValueValidator(1), MaxValueValidator(5)]
IMPACTS = {1: "Insignificant", 2: "Minor", 3: "Moderate", 4: "Major", 5: "Critical"}
LIKELIHOODS = {1: "Rare", 2: "Possible", 3: "Probable", 4: "Likely", 5: "Almost certain"}


class RiskRegister(models.Model):
    name = models.CharField(max_length=200, unique=True)

    def __str__(self):
        return self.name


class RiskQuerySet(models.QuerySet):
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
