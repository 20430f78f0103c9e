"""What the analytics keep: lead scores and their history, overrides, churn risk, deals, forecasts, and the models.

Every number a broker sees here says where it came from: a trained model (with its measured accuracy), the
transparent prior (and why the prior is in charge), or a person's override.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from leads.models import Contact, Location

if TYPE_CHECKING:
    from analytics.ml.tabular import FittedModel


class ModelKind(models.TextChoices):
    SCORING = "scoring", "Lead scoring"
    CHURN = "churn", "Going cold"


class ScoringModel(models.Model):
    """One trained model: which leads it learned from, how well it did on leads it never saw, and the model itself.

    Models are trained on every location's closed leads together (one location rarely has enough), tested on the
    newest ones it was not trained on, and put in charge only when they beat the prior on those same leads. At most
    one model of each kind is active; the others are kept so their figures can be compared.
    """

    kind = models.CharField(max_length=8, choices=ModelKind.choices)
    version = models.PositiveIntegerField()
    features = models.JSONField(default=list, help_text="The columns the model learned from")
    excluded = models.JSONField(default=dict, blank=True, help_text="Columns it was not allowed to use, and why")
    training_window_start = models.DateTimeField(help_text="Oldest outcome used, to train or to test")
    training_window_end = models.DateTimeField(help_text="Newest outcome used, to train or to test")
    training_rows = models.PositiveIntegerField()
    test_rows = models.PositiveIntegerField(help_text="Newer leads held back to measure it")
    positive_rate = models.FloatField(help_text="Share of training leads that won (scoring) or went silent (churn)")
    accuracy = models.FloatField(help_text="On the held-back leads, at a 50 % cut-off")
    roc_auc = models.FloatField(help_text="On the held-back leads: 0.5 is a coin toss, 1.0 ranks every lead right")
    brier = models.FloatField(
        help_text="On the held-back leads: mean squared error of the probability; lower is better"
    )
    lift_top_decile = models.FloatField(help_text="How much richer in positives the top 10 % of scores are")
    prior_roc_auc = models.FloatField(
        null=True, blank=True, help_text="The transparent prior's ROC-AUC on the same held-back leads"
    )
    calibration = models.JSONField(
        default=list, blank=True, help_text="Per probability band: leads, mean predicted, share that happened"
    )
    model_bytes = models.BinaryField(editable=False)
    sklearn_version = models.CharField(max_length=20)
    trained_at = models.DateTimeField(default=timezone.now)
    is_active = models.BooleanField(default=False)
    note = models.CharField(max_length=300, blank=True, help_text="Why it was or was not put in charge")

    class Meta:
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="scoringmodel_unique_version"),
            models.UniqueConstraint(fields=["kind"], condition=Q(is_active=True), name="scoringmodel_one_active"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"

    def fitted_model(self) -> FittedModel:
        """The model itself. Raises ValueError when it was trained under another scikit-learn: retrain it."""
        # Imported here: scikit-learn and pandas take seconds and ~180 MB to load, and the web processes that read
        # these rows never score a lead.
        from analytics.ml.tabular import FittedModel

        return FittedModel.from_bytes(bytes(self.model_bytes))


class ScoreSource(models.TextChoices):
    MODEL = "model", "Trained model"
    PRIOR = "prior", "Prior (rules)"
    OVERRIDE = "override", "Set by a person"


class LeadScore(models.Model):
    """A lead's 0-100 score at one moment, and the plain-words reasons behind it.

    A row is written whenever a lead's score, its reasons or the model behind it change, so the rows of one lead
    are its score history. `Contact.score` holds the current value the lead list sorts by.
    """

    # The nightly job inserts up to one row per open lead; every index is paid for on each of them, so these two
    # have none of their own: `leadscore_history_idx` starts with the contact, and scores are never looked up by
    # the model behind them.
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="score_history", db_index=False)
    score = models.PositiveSmallIntegerField()
    probability = models.FloatField(
        null=True, blank=True, help_text="Calibrated chance of closing; empty for the prior and for overrides"
    )
    source = models.CharField(max_length=8, choices=ScoreSource.choices)
    model = models.ForeignKey(
        ScoringModel, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False,
        help_text="Empty when the prior or a person set the score",
    )
    reasons = models.JSONField(default=list, help_text='Strongest first, e.g. "pre-approved", "silent 12 days"')
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-computed_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(score__lte=100), name="leadscore_0_100")]
        indexes = [models.Index(fields=["contact", "-computed_at", "-id"], name="leadscore_history_idx")]

    def __str__(self) -> str:
        return f"{self.score} ({self.get_source_display()}) at {self.computed_at:%Y-%m-%d %H:%M}"

    def __repr__(self) -> str:
        return f"<LeadScore {self.pk} contact={self.contact_id} {self.score}>"


class ScoreOverride(models.Model):
    """A broker's own score for a lead. It sticks, whatever the nightly rescoring thinks, until someone clears it."""

    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="score_override")
    score = models.PositiveSmallIntegerField()
    reason = models.CharField(max_length=300)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(score__lte=100), name="scoreoverride_0_100")]

    def __str__(self) -> str:
        return f"{self.score}, set by hand: {self.reason}"

    def __repr__(self) -> str:
        return f"<ScoreOverride contact={self.contact_id} {self.score}>"


class ChurnTier(models.TextChoices):
    CRITICAL = "critical", "Critical"
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class ChurnPrediction(models.Model):
    """How likely an open lead is to go cold: no text from them for `horizon_days` (JORGEBOT_CHURN_SILENCE_DAYS).

    One row per open lead, replaced every night; leads that closed or opted out lose theirs. The risk tier and the
    recommended next step come from the probability (analytics.churn), so the follow-up engine and the dashboard
    read the same advice.
    """

    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="churn_prediction")
    # Rewritten for every open lead each night: the urgent list's partial index serves the reads by location, and
    # nothing reads predictions by model, so neither foreign key gets an index of its own.
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="+", db_index=False)
    probability = models.FloatField()
    tier = models.CharField(max_length=8, choices=ChurnTier.choices)
    horizon_days = models.PositiveSmallIntegerField()
    reasons = models.JSONField(default=list)
    recommended_action = models.CharField(max_length=200)
    model = models.ForeignKey(
        ScoringModel, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False,
        help_text="Empty when the prior predicted it",
    )
    predicted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-probability"]
        indexes = [
            # The dashboard's and the admin's "going cold" list: only the leads worth a person's time today.
            models.Index(
                fields=["location", "-probability"], name="churn_urgent_idx",
                condition=Q(tier__in=["critical", "high"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_tier_display()} risk: {self.probability:.0%} in {self.horizon_days} days"

    def __repr__(self) -> str:
        return f"<ChurnPrediction contact={self.contact_id} {self.tier}>"


class ForecastMethod(models.TextChoices):
    PIPELINE_AND_TREND = "pipeline+trend", "Weighted pipeline + trend model of closed revenue"
    PIPELINE_AND_AVERAGE = "pipeline+average", "Weighted pipeline + average closed revenue"
    PIPELINE_ONLY = "pipeline", "Weighted pipeline only"


class RevenueForecast(models.Model):
    """Commission a location can expect in one month, with an interval and the four forecast categories.

    `expected` = commission already closed + open deals weighted by their chance of closing + business not yet in
    the pipeline (from the trend of closed commission). The categories are unweighted and nested: closed, commit
    (closed + deals at 80 %+), best case (+ deals at 50 %+), pipeline (every open deal). `backtest_wmape` is the
    trend model's measured error on this location's own past months.
    """

    # The unique (location, month) constraint's index starts with the location.
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="+", db_index=False)
    month = models.DateField(help_text="First day of the month")
    expected = models.DecimalField(max_digits=14, decimal_places=2)
    low = models.DecimalField(max_digits=14, decimal_places=2)
    high = models.DecimalField(max_digits=14, decimal_places=2)
    interval_level = models.FloatField(help_text="Chance the month lands between low and high")
    closed = models.DecimalField(max_digits=14, decimal_places=2)
    commit = models.DecimalField(max_digits=14, decimal_places=2)
    best_case = models.DecimalField(max_digits=14, decimal_places=2)
    pipeline = models.DecimalField(max_digits=14, decimal_places=2)
    method = models.CharField(max_length=16, choices=ForecastMethod.choices)
    trend_model = models.CharField(max_length=40, blank=True, help_text="The time-series model chosen, if any")
    history_months = models.PositiveSmallIntegerField(help_text="Months of closed commission it learned from")
    backtest_wmape = models.FloatField(
        null=True, blank=True,
        help_text="Trend model's error on past months: sum |actual - forecast| / sum actual, in %",
    )
    backtest_pairs = models.PositiveSmallIntegerField(default=0, help_text="Past (month, horizon) pairs scored")
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["location", "month"]
        constraints = [
            models.UniqueConstraint(fields=["location", "month"], name="revenueforecast_unique_month"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%B %Y}: {self.expected:,.0f} expected"

    def __repr__(self) -> str:
        return f"<RevenueForecast {self.location_id} {self.month:%Y-%m}>"


class RunKind(models.TextChoices):
    NIGHTLY = "nightly", "Nightly rescoring, churn and forecast"
    RETRAIN = "retrain", "Retraining"


class RunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class AnalyticsRun(models.Model):
    """One run of the nightly analytics or the retraining, for whoever runs the install: when, how long each stage
    took, how many rows it wrote, and where it failed. The error names the exception type only: a database error's
    text can quote a lead's data."""

    kind = models.CharField(max_length=8, choices=RunKind.choices)
    status = models.CharField(max_length=9, choices=RunStatus.choices, default=RunStatus.RUNNING)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    # A list of [stage, seconds] pairs, not an object: jsonb keeps an object's keys sorted, not in the order they ran.
    stage_seconds = models.JSONField(default=list, blank=True, help_text="Seconds per stage, in the order they ran")
    leads_rescored = models.PositiveIntegerField(default=0)
    score_changes = models.PositiveIntegerField(default=0, help_text="History rows written: scores that changed")
    churn_predictions = models.PositiveIntegerField(default=0)
    forecasts = models.PositiveIntegerField(default=0, help_text="Location-months forecast")
    models_trained = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=200, blank=True, help_text="The stage that failed and the exception type")

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["kind", "-started_at"], name="analyticsrun_latest_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.started_at:%Y-%m-%d %H:%M}"
