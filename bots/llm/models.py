"""What Claude did and what it cost: every call, each location's spend per day, alerts for the broker, bulk jobs.

Rows here never hold a lead's words except a bulk job's inputs (the texts being re-read); calls are
described by their size, price and outcome only.
"""
from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from leads.models import Conversation, Location


class LLMTask(models.TextChoices):
    EXTRACTION = "extraction", "Reading a lead's text"
    PHRASING = "phrasing", "Phrasing a reply"


class CallOutcome(models.TextChoices):
    OK = "ok", "Answered"
    INVALID_OUTPUT = "invalid_output", "Unusable answer: the offline engine read the text"
    OFF_VOICE = "off_voice", "Phrasing broke a voice rule: the draft was sent"
    RETRYABLE_ERROR = "retryable_error", "Busy or down (429, 529, 5xx, timeout)"
    FINAL_ERROR = "final_error", "Refused (400, 401, credits, spend limit)"


class LLMCall(models.Model):
    """One request to Claude: which model, how many tokens, how long it took and what it cost at list price.

    Batch calls are billed at half price (`batch`). Cache reads and writes are Anthropic's prompt cache;
    answers served from our own response cache cost nothing and are counted on `DailySpend` instead.
    """

    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    task = models.CharField(max_length=10, choices=LLMTask.choices)
    model = models.CharField(max_length=64)
    outcome = models.CharField(max_length=16, choices=CallOutcome.choices)
    input_tokens = models.PositiveIntegerField(default=0)
    output_tokens = models.PositiveIntegerField(default=0)
    cache_read_tokens = models.PositiveIntegerField(default=0)
    cache_write_tokens = models.PositiveIntegerField(default=0)
    latency_ms = models.PositiveIntegerField(default=0)
    cost_usd = models.DecimalField(max_digits=12, decimal_places=6, default=0)
    batch = models.BooleanField(default=False, help_text="Sent through the Message Batches API (half price)")
    error = models.CharField(max_length=200, blank=True, help_text="Status and error type; never message text")
    request_id = models.CharField(max_length=100, blank=True, help_text="Anthropic's request id, for their support")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "Claude call"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["location", "-created_at"], name="llmcall_location_time_idx")]

    def __str__(self) -> str:
        return f"{self.get_task_display()}, {self.created_at:%Y-%m-%d %H:%M}"

    def __repr__(self) -> str:
        return f"<LLMCall {self.pk} {self.task} {self.outcome}>"


class DailySpend(models.Model):
    """What Claude cost one location on one of its local days, and how often our response cache answered instead.

    Kept current with each call (one UPDATE), so the spend limit is checked with one indexed read. Cache hits
    arrive in bulk: each call brings the hits counted since the last one.
    """

    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    day = models.DateField(help_text="In the location's time zone")
    cost_usd = models.DecimalField(max_digits=12, decimal_places=6, default=0)
    calls = models.PositiveIntegerField(default=0, help_text="Requests sent to Anthropic")
    failed_calls = models.PositiveIntegerField(default=0)
    cache_hits = models.PositiveIntegerField(
        default=0, help_text="Answers served from the response cache (counted in Redis, added with the next call)"
    )
    input_tokens = models.PositiveBigIntegerField(default=0)
    output_tokens = models.PositiveBigIntegerField(default=0)
    cache_read_tokens = models.PositiveBigIntegerField(default=0)
    cache_write_tokens = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = "Claude spend per day"
        verbose_name_plural = "Claude spend per day"
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(
                fields=["location", "day"], name="dailyspend_unique_location_day", nulls_distinct=False
            ),
        ]

    def __str__(self) -> str:
        return f"{self.location or 'No location'}, {self.day}"

    def __repr__(self) -> str:
        return f"<DailySpend {self.location_id} {self.day}>"

    @property
    def cache_hit_rate(self) -> float | None:
        lookups = self.calls + self.cache_hits
        return self.cache_hits / lookups if lookups else None


class AlertKind(models.TextChoices):
    SPEND_LIMIT = "spend_limit", "Daily spend limit reached: the bots run offline until tomorrow"
    ACCOUNT = "account", "Anthropic refused the account (credits ran out, key revoked): the bots run offline"


class LLMAlert(models.Model):
    """Something about Claude the broker should know: at most one per kind, location and day."""

    kind = models.CharField(max_length=12, choices=AlertKind.choices)
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    detail = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "Claude alert"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "location", "day"], name="llmalert_unique_per_day", nulls_distinct=False
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class JobMode(models.TextChoices):
    FAN_OUT = "fan_out", "Now, many calls in parallel"
    BATCH = "batch", "Message Batch (half price, within 24 h)"


class JobStatus(models.TextChoices):
    RUNNING = "running", "Running"
    SUBMITTED = "submitted", "Submitted to Anthropic"
    DONE = "done", "Done"


class LLMJob(models.Model):
    """Bulk reading for Claude: re-reading many conversations at once, by fan-out or as a nightly Message Batch."""

    mode = models.CharField(max_length=8, choices=JobMode.choices)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.RUNNING)
    anthropic_batch_id = models.CharField(max_length=100, blank=True)
    polls = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "Claude bulk job"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_mode_display()}, {self.created_at:%Y-%m-%d %H:%M}"

    def __repr__(self) -> str:
        return f"<LLMJob {self.pk} {self.mode} {self.status}>"


class ItemStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class LLMJobItem(models.Model):
    """One conversation's text in a bulk job, and what Claude read in it (an `Extraction` as JSON)."""

    job = models.ForeignKey(LLMJob, on_delete=models.CASCADE, related_name="items")
    conversation = models.ForeignKey(Conversation, null=True, on_delete=models.SET_NULL, related_name="+")
    location = models.ForeignKey(Location, null=True, on_delete=models.SET_NULL, related_name="+")
    # The text and context as sent, so a retried item asks exactly what the batch asked.
    reading_input = models.JSONField()
    status = models.CharField(max_length=8, choices=ItemStatus.choices, default=ItemStatus.PENDING)
    result = models.JSONField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)
    answered_in_batch = models.BooleanField(default=False)
    attempts = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["job"], name="llmjobitem_pending_idx", condition=Q(status="pending")),
        ]

    def __str__(self) -> str:
        return self.custom_id

    def __repr__(self) -> str:
        return f"<LLMJobItem {self.pk} {self.status}>"

    @property
    def custom_id(self) -> str:
        """The id Anthropic echoes back with each batch result ([a-zA-Z0-9_-]{1,64})."""
        return f"item-{self.pk}"
