"""What the conversation engine keeps besides the conversation state: planned follow-ups, drafts a broker
approves in suggest mode, the compliance log of what the inbound screen caught, and the install-wide switch that
stops every text at once.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from bots.inbound_screen import ProtectedClass, ScreenClass, label_of
from leads.models import Contact, Location, OutboxMessage


class FollowUpStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    QUEUED = "queued", "Queued"
    CANCELLED = "cancelled", "Cancelled"


class Cadence(models.TextChoices):
    """BOTS.md's follow-up sequences: the seller bot's while the seller is not hot, the lead bot's for silent leads."""

    SELLER = "seller", "Seller nurture"
    LEAD = "lead", "Silent lead"


class FollowUp(models.Model):
    """One planned text the bot will start on its own: attempt `step` of a cadence, due at `due_at`.

    A contact has at most one scheduled follow-up; when it is queued the next step is planned. A reply,
    an opt-out, a booking or a handoff cancels it. `anchor_at` is when the cadence started: every step
    is counted in days from it.
    """

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="follow_ups")
    cadence = models.CharField(max_length=8, choices=Cadence.choices)
    step = models.PositiveSmallIntegerField(help_text="Attempt number within the cadence, from 1")
    anchor_at = models.DateTimeField(help_text="When the cadence started")
    due_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.SCHEDULED)
    status_reason = models.CharField(max_length=200, blank=True)
    outbox = models.ForeignKey(OutboxMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            # One attempt per step of one cadence run: a dispatcher or a turn running twice plans it once. A
            # cancelled attempt (the lead replied) may be planned again.
            models.UniqueConstraint(
                fields=["contact", "cadence", "anchor_at", "step"], condition=~Q(status="cancelled"),
                name="followup_unique_step",
            ),
            # And at most one waiting at a time, so a race between two planners cannot double the cadence.
            models.UniqueConstraint(
                fields=["contact"], condition=Q(status="scheduled"), name="followup_one_scheduled_per_contact"
            ),
        ]
        indexes = [
            models.Index(fields=["due_at"], name="followup_due_idx", condition=Q(status="scheduled")),
        ]

    def __str__(self) -> str:
        return f"{self.get_cadence_display()} attempt {self.step}"

    def __repr__(self) -> str:
        return f"<FollowUp {self.pk} {self.cadence}#{self.step} {self.status}>"

    def describe(self) -> str:
        """One line for the lead's page: which attempt of which cadence, and why it moved if it did."""
        line = f"{self.get_cadence_display()}, attempt {self.step}"
        return f"{line} ({self.status_reason})" if self.status_reason else line


class DraftStatus(models.TextChoices):
    PENDING = "pending", "Waiting for approval"
    APPROVED = "approved", "Approved"
    EDITED = "edited", "Approved with edits"
    DISCARDED = "discarded", "Discarded"
    SUPERSEDED = "superseded", "Replaced by a newer draft"


class Draft(models.Model):
    """A text the bot would have sent, held for a broker in suggest mode.

    Nothing reaches the lead until a person approves it (as written or edited) through bots.drafts, the one
    place that turns a draft into an outbox row. A newer draft, an opt-out or a handoff retires older ones.
    """

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="drafts")
    bot = models.CharField(max_length=10)
    idempotency_key = models.CharField(max_length=200, unique=True)
    body = models.TextField(help_text="What the bot wrote")
    sent_body = models.TextField(blank=True, help_text="What was approved, after any edit")
    status = models.CharField(max_length=10, choices=DraftStatus.choices, default=DraftStatus.PENDING)
    outbox = models.ForeignKey(OutboxMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["location", "-created_at"], name="draft_pending_idx", condition=Q(status="pending")),
        ]

    def __str__(self) -> str:
        return f"Draft for {self.contact}"

    def __repr__(self) -> str:
        return f"<Draft {self.pk} {self.status}>"


class ClaudeRephrasing(models.Model):
    """A reply Claude rephrased: the bot's own text, kept beside the outbox row whose body Claude's wording
    replaced, so a broker sees both ("the bot wrote ... / Claude sent ...")."""

    outbox = models.OneToOneField(OutboxMessage, on_delete=models.CASCADE, related_name="claude_rephrasing")
    bot_wrote = models.TextField(help_text="The bot's own text, before Claude rephrased it")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Claude's rephrasing of outbox row {self.outbox_id}"


class SendingSwitch(models.Model):
    """The install-wide kill switch, flipped in the admin without a deploy (JORGEBOT_SENDING_PAUSED is the
    deploy-time one). One row; while `paused`, the gate blocks every text of every location."""

    paused = models.BooleanField(default=False)
    reason = models.CharField(max_length=200, blank=True)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "global kill switch"
        verbose_name_plural = "global kill switch"

    def __str__(self) -> str:
        return "Sending paused everywhere" if self.paused else "Sending allowed"

    @classmethod
    def is_paused(cls) -> bool:
        return cls.objects.filter(paused=True).exists()


class ComplianceEvent(models.Model):
    """One request the inbound screen caught in a lead's text (bots.inbound_screen): which class, the protected class
    for a Fair Housing request, the lead's own words and what the bot did.

    The broker's record for a lawyer or a regulator, shown in the admin (Compliance log) and on the lead's page;
    only the broker of the lead's location sees it. Written in the turn's transaction, once per turn and class.
    """

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="compliance_events")
    kind = models.CharField("request", max_length=20, choices=[(c.value, label_of(c.value)) for c in ScreenClass])
    protected_class = models.CharField(
        max_length=20, blank=True, choices=[(c.value, label_of(c.value)) for c in ProtectedClass],
        help_text="For a Fair Housing request: the protected class it selects on, when it names one",
    )
    family = models.CharField("matched phrase family", max_length=100, blank=True)
    text = models.TextField(help_text="The lead's text, as received")
    action = models.CharField("what the bot did", max_length=200, blank=True)
    idempotency_key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "compliance log entry"
        verbose_name_plural = "compliance log"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["location", "-created_at"], name="compliance_location_idx"),
            models.Index(fields=["contact", "-created_at"], name="compliance_contact_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.contact}"

    def __repr__(self) -> str:
        return f"<ComplianceEvent {self.pk} {self.kind}>"

    @classmethod
    def of_lead(cls, contact: Contact, limit: int = 50) -> list[ComplianceEvent]:
        """What the lead's page shows: the newest first."""
        return list(cls.objects.filter(contact=contact).order_by("-created_at", "-id")[:limit])


class FaqEntry(models.Model):
    """A broker's answer to what leads ask, per location and language (BOTS.md "When the lead says something other
    than an answer"). `kind` is the kind of question it answers (fees, process, next steps, ...); an entry of kind
    "other" answers any question whose text holds every word of one of its `keywords` phrases. An entry overrides
    the bots' default answer for its kind; a question nobody answers is collected as an UnansweredQuestion."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("question kind", max_length=20, default="other")
    keywords = models.CharField(
        max_length=300, blank=True,
        help_text='For kind "other": comma separated phrases; a question with every word of one of them gets this '
                  "answer",
    )
    answer = models.TextField(help_text="What the bot texts back, before its next question. No numbers you cannot "
                                        "stand behind.")
    language = models.CharField(max_length=2, default="en", choices=[("en", "English"), ("es", "Spanish")])
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "FAQ answer"
        verbose_name_plural = "FAQ answers"
        indexes = [models.Index(fields=["location", "language"], name="faq_location_language_idx")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.keywords or self.answer[:40]}"


class UnansweredQuestion(models.Model):
    """A question leads asked that no FAQ answer covered, counted each time a lead asks it again (the same
    words, whatever their order or punctuation), until the broker answers it."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("question kind", max_length=20, default="other")
    question = models.CharField(max_length=300, help_text="The first lead's words")
    # The question's significant words, sorted: what makes two askings the same question.
    words = models.CharField(max_length=300)
    language = models.CharField(max_length=2, default="en")
    times_asked = models.PositiveIntegerField(default=1)
    first_asked_at = models.DateTimeField(default=timezone.now)
    last_asked_at = models.DateTimeField(default=timezone.now)
    answered_by = models.ForeignKey(FaqEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "unanswered question"
        constraints = [
            models.UniqueConstraint(fields=["location", "kind", "words"], name="unanswered_question_once"),
        ]
        indexes = [models.Index(fields=["location", "-times_asked"], name="unanswered_location_count_idx")]

    def __str__(self) -> str:
        return self.question
