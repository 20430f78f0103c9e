"""The CRM side of Jorgebot: GHL locations, their contacts, conversations, and what crosses the wire.

GHL stays the source of truth for contacts and tags; these rows are our working copy, kept current
by webhooks, plus what only we know (the bot's conversation state, the outbox, listings).
"""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.utils import timezone

from leads.fields import EncryptedTextField


class TokenSource(models.TextChoices):
    """How a location gave us its GHL token (leads.connections)."""

    PRIVATE_INTEGRATION = "private_integration", "Private Integration token"
    MARKETPLACE_APP = "marketplace_app", "Marketplace app (OAuth)"


class Location(models.Model):
    """One GHL sub-account: a brokerage or team, and the tenant boundary of everything else.

    Its GHL tokens are secrets, encrypted at rest (leads.fields): they never appear in the admin, the API,
    `repr()` or logs. A Private Integration token lasts until replaced; the marketplace app's access token
    expires within a day and is renewed with its refresh token (leads.connections).
    """

    id = models.CharField(primary_key=True, max_length=64, help_text="GHL location id")
    name = models.CharField(max_length=200)
    timezone = models.CharField(max_length=64, default="America/Los_Angeles")
    api_token = EncryptedTextField(blank=True, editable=False)
    token_source = models.CharField(
        max_length=20, choices=TokenSource.choices, default=TokenSource.PRIVATE_INTEGRATION, editable=False
    )
    refresh_token = EncryptedTextField(blank=True, editable=False)
    token_expires_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the marketplace app's access token expires"
    )
    reconnect_needed_since = models.DateTimeField(
        null=True, blank=True, editable=False,
        help_text="GHL refused to renew the marketplace app's access: install the app again for this location",
    )
    calendar_id = models.CharField(max_length=64, blank=True, help_text="GHL calendar for booking calls")
    bot_settings = models.JSONField(
        default=dict, blank=True, help_text="Overrides of the bots' defaults: texts, thresholds, tag names"
    )
    sending_paused = models.BooleanField(
        default=False, help_text="Kill switch: while on, no text goes out for this location"
    )
    # The SHA-256 of the secret this location's GHL workflows send in X-Webhook-Secret (leads.workflow_secrets):
    # the secret itself is shown once, when made, and never stored.
    workflow_secret_hash = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"<Location {self.id}>"


class MemberRole(models.TextChoices):
    BROKER = "broker", "Broker"
    AGENT = "agent", "Agent"


class LocationMembership(models.Model):
    """A person's seat at one brokerage. Brokers run the location: listings, exports, its settings. Agents
    work its leads: read the conversations, pause the bot, hand a lead to a human, approve drafts.

    Without a membership a user sees nothing of a location, in the admin and the API alike; superusers see
    every location. A user may belong to several locations, with a role in each.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="location_memberships")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=6, choices=MemberRole.choices, default=MemberRole.AGENT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "location"], name="membership_unique_user_location"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}) at {self.location}"


class UserPreferences(models.Model):
    """What one person chose for how the console shows things to them; one row per user, made on first change.

    `time_zone` empty means "my location's": the zone of their first location (console.local_time decides).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="preferences"
    )
    time_zone = models.CharField(
        max_length=64, blank=True, help_text="IANA time zone, e.g. America/Chicago; empty: the location's"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "user preferences"

    def __str__(self) -> str:
        return f"Preferences of {self.user}"


class BotKind(models.TextChoices):
    LEAD = "lead", "Lead bot"
    SELLER = "seller", "Seller bot"
    BUYER = "buyer", "Buyer bot"
    NONE = "none", "No bot"


class Temperature(models.TextChoices):
    HOT = "hot", "Hot"
    WARM = "warm", "Warm"
    COLD = "cold", "Cold"


class LeadStatus(models.TextChoices):
    NEW = "new", "New"
    CONTACTED = "contacted", "Contacted"
    QUALIFIED = "qualified", "Qualified"
    APPOINTMENT = "appointment", "Appointment booked"
    UNDER_CONTRACT = "under_contract", "Under contract"
    WON = "won", "Closed won"
    LOST = "lost", "Closed lost"


CLOSED_STATUSES = (LeadStatus.WON, LeadStatus.LOST)


class Contact(models.Model):
    """One person in one GHL location: a lead the bots talk to.

    `tags` mirror GHL's (GHL is the source of truth); the bot reads them to decide which bot
    answers and whether any may. `opted_out_at` set means no bot text, ever, until the lead opts in.
    """

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="contacts")
    ghl_id = models.CharField(max_length=64)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    email = models.EmailField(blank=True)
    source = models.CharField(max_length=100, blank=True)
    tags = ArrayField(models.CharField(max_length=100), default=list, blank=True)
    custom_fields = models.JSONField(default=dict, blank=True)
    timezone = models.CharField(max_length=64, blank=True)
    # The lead's own ZIP (GHL's postalCode): where the lead lives when GHL has no time zone for them.
    postal_code = models.CharField(max_length=10, blank=True)
    dnd_sms = models.BooleanField(default=False, help_text="GHL do-not-disturb for SMS")
    opted_out_at = models.DateTimeField(null=True, blank=True)
    active_bot = models.CharField(max_length=10, choices=BotKind.choices, default=BotKind.LEAD)
    bot_paused_until = models.DateTimeField(
        null=True, blank=True, help_text="A human took over; the bot sleeps until then"
    )
    temperature = models.CharField(max_length=4, choices=Temperature.choices, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=LeadStatus.choices, default=LeadStatus.NEW)
    market_segment = models.CharField(max_length=50, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True, help_text="Last full read from GHL")
    ghl_event_at = models.DateTimeField(
        null=True, blank=True, help_text="Time of the newest contact event applied; older ones are stale"
    )
    deleted_at = models.DateTimeField(null=True, blank=True, help_text="Deleted in GHL")
    erased_at = models.DateTimeField(
        null=True, blank=True, help_text="Personal data erased on the lead's request (leads.privacy)"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["location", "ghl_id"], name="contact_unique_ghl_id_per_location"),
            models.CheckConstraint(condition=Q(score__lte=100), name="contact_score_0_100"),
        ]
        indexes = [
            # The lead list: by status, best score first, freshest first, within a segment.
            models.Index(
                fields=["status", "-score", "-updated_at", "market_segment"], name="contact_status_score_idx"
            ),
            # Active leads only: what the nightly jobs and the bots' sweeps read.
            models.Index(
                fields=["location", "-updated_at"],
                name="contact_active_idx",
                condition=Q(opted_out_at__isnull=True, deleted_at__isnull=True)
                & ~Q(status__in=[s.value for s in CLOSED_STATUSES]),
            ),
            GinIndex(fields=["tags"], name="contact_tags_gin"),
            # The dashboard (console/selectors.py), measured at 100,000 leads by bench/dashboard.py:
            # the pipeline and temperature counts read this index alone (no table access);
            models.Index(
                fields=["location", "status", "temperature"],
                include=["opted_out_at"],
                name="contact_dashboard_idx",
                condition=Q(deleted_at__isnull=True),
            ),
            # new leads per day;
            models.Index(
                fields=["location", "created_at"], name="contact_created_idx", condition=Q(deleted_at__isnull=True)
            ),
            # hot leads whose bot is paused for a person (the other half of "waiting" is the tags index).
            models.Index(
                fields=["location", "bot_paused_until"], name="contact_hot_paused_idx", condition=Q(temperature="hot")
            ),
            # The lead list and the API, freshest first: within one location, and across several.
            models.Index(fields=["location", "-updated_at", "-id"], name="contact_recent_idx"),
            models.Index(fields=["-updated_at", "-id"], name="contact_updated_idx"),
            # The webhook doors' list of erased leads (leads.ingest), whose later events are dropped unstored.
            models.Index(
                fields=["location", "ghl_id"], name="contact_erased_idx", condition=Q(erased_at__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def __repr__(self) -> str:
        return f"<Contact {self.pk} ghl={self.ghl_id}>"

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or f"Contact {self.ghl_id}"

    def has_tag(self, tag: str) -> bool:
        wanted = tag.casefold()
        return any(existing.casefold() == wanted for existing in self.tags)


class Conversation(models.Model):
    """The bot's side of one contact's SMS thread: the typed qualification state and its timing.

    `state` is `bots.state.ConversationState` serialised; only bots.services changes it.
    """

    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="conversation")
    ghl_conversation_id = models.CharField(max_length=64, blank=True)
    state = models.JSONField(default=dict, blank=True)
    turn_count = models.PositiveIntegerField(default=0)
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    last_outbound_at = models.DateTimeField(null=True, blank=True)
    # A turn that keeps failing (a bug, GHL down past the task's retries) is tried again with a growing wait, and
    # set aside for a person (parked, with its error) when it failed in our own code too often (leads.retries).
    failed_turns = models.PositiveIntegerField(default=0)
    retry_turn_at = models.DateTimeField(null=True, blank=True)
    turn_error = models.CharField(max_length=500, blank=True)
    turn_parked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            # The dashboard's reply time reads the conversations begun in the past week.
            models.Index(fields=["created_at"], name="conversation_created_idx"),
        ]

    def __str__(self) -> str:
        return f"Conversation {self.pk} (lead {self.contact_id})"

    def __repr__(self) -> str:
        return f"<Conversation {self.pk} contact={self.contact_id}>"


class Direction(models.TextChoices):
    INBOUND = "inbound", "Inbound"
    OUTBOUND = "outbound", "Outbound"


class Sender(models.TextChoices):
    LEAD = "lead", "Lead"
    BOT = "bot", "Bot"
    HUMAN = "human", "Human"


class Message(models.Model):
    """One text in a conversation, from the lead, the bot or a human agent.

    An inbound message is answered by exactly one bot turn: `answered_at` records which turn took it.
    """

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=8, choices=Direction.choices)
    sender = models.CharField(max_length=5, choices=Sender.choices)
    body = models.TextField(blank=True)
    message_type = models.CharField(max_length=20, default="SMS")
    ghl_message_id = models.CharField(max_length=64, blank=True)
    sent_at = models.DateTimeField(default=timezone.now, help_text="When GHL says it was sent")
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sent_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ghl_message_id"], condition=~Q(ghl_message_id=""), name="message_unique_ghl_id"
            ),
        ]
        indexes = [
            models.Index(fields=["conversation", "sent_at"], name="message_conversation_time_idx"),
            models.Index(
                fields=["conversation", "sent_at"],
                name="message_unanswered_idx",
                condition=Q(direction="inbound", answered_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        # Never the text itself: admin pages and logs show this.
        return f"{self.get_direction_display()} text {self.pk} from the {self.get_sender_display().lower()}"

    def __repr__(self) -> str:
        return f"<Message {self.pk} {self.direction} {self.sender}>"


class WebhookEvent(models.Model):
    """A webhook exactly as GHL delivered it, stored before we acknowledge it.

    Unique on GHL's `webhookId` (and on the message id when there is one), so a redelivery is
    recognised and does nothing. The sweeper re-enqueues rows never processed.
    """

    # Unique by the constraint below rather than unique=True, which would add a LIKE index on
    # PostgreSQL that nothing reads and every webhook's insert pays for.
    webhook_id = models.CharField(max_length=128)
    event_type = models.CharField(max_length=64)
    location_id = models.CharField(max_length=64, blank=True)
    message_id = models.CharField(max_length=64, blank=True)
    source = models.CharField(max_length=16, default="marketplace")
    payload = models.JSONField()
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["webhook_id"], name="webhookevent_unique_webhook_id"),
            models.UniqueConstraint(
                fields=["message_id"], condition=~Q(message_id=""), name="webhookevent_unique_message_id"
            ),
        ]
        indexes = [
            models.Index(
                fields=["received_at"], name="webhookevent_pending_idx", condition=Q(processed_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.webhook_id}"

    def __repr__(self) -> str:
        return f"<WebhookEvent {self.pk} {self.event_type}>"


class OutboxKind(models.TextChoices):
    SMS = "sms", "SMS"
    ADD_TAGS = "add_tags", "Add tags"
    REMOVE_TAGS = "remove_tags", "Remove tags"
    UPDATE_FIELDS = "update_fields", "Update custom fields"
    SET_DND = "set_dnd", "Set SMS do-not-disturb"
    ADD_NOTE = "add_note", "Add note"


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    BLOCKED = "blocked", "Blocked"
    FAILED = "failed", "Failed"
    # Held by the compliance gate until `send_after` (quiet hours in the lead's time zone).
    DEFERRED = "deferred", "Deferred"
    # Withdrawn before it went out: the lead opted out, replied, or a person took over.
    CANCELLED = "cancelled", "Cancelled"
    # Set aside for a person: delivering it kept failing in our own code (leads.retries); the admin retries it.
    PARKED = "parked", "Parked"


class OutboxMessage(models.Model):
    """One write to GHL for one contact (a text, a tag change, fields, a note), done exactly once.

    A bot turn writes its results here in the same transaction as the state it changed; the
    delivery task drains a contact's rows in order. The idempotency key makes a retried turn
    a no-op instead of a second text.
    """

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="outbox")
    kind = models.CharField(max_length=16, choices=OutboxKind.choices)
    idempotency_key = models.CharField(max_length=200, unique=True)
    body = models.TextField(blank=True, help_text="The text, for SMS and notes")
    payload = models.JSONField(default=dict, blank=True, help_text="Tags or fields, for the other kinds")
    # Texts that must go out even to an opted-out lead: the one opt-out confirmation.
    bypass_opt_out = models.BooleanField(default=False)
    # A person approved this text (a draft, in suggest mode): the bot's own off switches (AI-Off, a pause) do not
    # hold it back; consent (opt-out, do-not-disturb) and the kill switches still do.
    approved_by_person = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    status_reason = models.CharField(
        max_length=200, blank=True, help_text="Why it was sent, deferred, blocked, cancelled or failed"
    )
    # The compliance gate's rule behind the status (bots.compliance.Rule), for filtering and counting.
    gate_rule = models.CharField(max_length=32, blank=True)
    send_after = models.DateTimeField(null=True, blank=True, help_text="A deferred text waits until then")
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    # Failed attempts, the first of them (its retry budget in time counts from there) and when to try again.
    failures = models.PositiveIntegerField(default=0)
    failing_since = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    ghl_message_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["contact", "id"],
                name="outbox_pending_idx",
                condition=Q(status__in=["pending", "sending"]),
            ),
            models.Index(fields=["ghl_message_id"], name="outbox_ghl_message_idx", condition=~Q(ghl_message_id="")),
            # What the beat task releases each minute: deferred texts whose window opened.
            models.Index(fields=["send_after"], name="outbox_deferred_idx", condition=Q(status="deferred")),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk} ({self.get_status_display().lower()})"

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.pk} {self.kind} {self.status}>"

    @property
    def tags(self) -> list[str]:
        tags: Any = self.payload.get("tags", [])
        return list(tags)


class Property(models.Model):
    """A listing the buyer bot can match, imported with RESO Data Dictionary field names.

    One brokerage's copy of an MLS listing: two brokerages importing the same MLS feed each hold their own row
    under the same `listing_id`, and an import never moves a row from one location to another.
    """

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="properties", null=True, blank=True)
    listing_id = models.CharField(max_length=64)
    address = models.CharField(max_length=255)
    city = models.CharField(max_length=100)
    state_or_province = models.CharField(max_length=32, blank=True)
    postal_code = models.CharField(max_length=16, blank=True)
    neighbourhood = models.CharField(max_length=100, blank=True)
    list_price = models.PositiveIntegerField()
    beds = models.PositiveSmallIntegerField(default=0)
    baths = models.DecimalField(max_digits=4, decimal_places=1, default=0)
    living_area = models.PositiveIntegerField(null=True, blank=True, help_text="Square feet")
    property_type = models.CharField(max_length=50, blank=True)
    status = models.CharField(max_length=20, default="Active", help_text="RESO StandardStatus")
    description = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "properties"
        constraints = [
            # Listings without a location (a command-line import that names none) are one set among themselves.
            models.UniqueConstraint(
                fields=["location", "listing_id"], name="property_unique_listing_per_location", nulls_distinct=False
            ),
        ]
        indexes = [
            models.Index(fields=["status", "list_price"], name="property_status_price_idx"),
            models.Index(fields=["city"], name="property_city_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.address}, {self.city}"


class DealStatus(models.TextChoices):
    OPEN = "open", "Open"
    WON = "won", "Won"
    LOST = "lost", "Lost"
    ABANDONED = "abandoned", "Abandoned"


class Deal(models.Model):
    """An opportunity in a GHL pipeline: a lead's listing or purchase the team expects to be paid on.

    Kept current by GHL's opportunity webhooks; `ghl_event_at` is the time of the newest event applied, so an older
    one delivered late changes nothing. `value` is what GHL calls the monetary value: the sale price (commission is
    value x the location's commission rate).
    """

    # `deal_location_status_idx` starts with the location.
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="deals", db_index=False)
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="deals")
    ghl_id = models.CharField(max_length=64, help_text="GHL opportunity id")
    pipeline_id = models.CharField(max_length=64)
    pipeline_stage_id = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=9, choices=DealStatus.choices, default=DealStatus.OPEN)
    value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    assigned_to = models.CharField(max_length=64, blank=True, help_text="GHL user id of the agent")
    expected_close = models.DateField(
        null=True, blank=True, help_text="When the team expects it to close; empty: the location's usual time"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True, help_text="When it was won, lost or abandoned")
    ghl_event_at = models.DateTimeField(null=True, blank=True, help_text="Time of the newest GHL event applied")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # The table kept its name when the model moved here from analytics (migrations: a state-only move).
        db_table = "analytics_deal"
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["location", "ghl_id"], name="deal_unique_ghl_id_per_location"),
        ]
        indexes = [
            models.Index(fields=["location", "status", "closed_at"], name="deal_location_status_idx"),
        ]

    def __str__(self) -> str:
        return f"Deal {self.ghl_id} ({self.get_status_display()})"

    def __repr__(self) -> str:
        return f"<Deal {self.pk} ghl={self.ghl_id} {self.status}>"
