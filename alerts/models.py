"""Who is told what, and what was told: a broker's or an agent's alert subscriptions, and each notification sent.

A notification is recorded before it is sent, under a key made of the event and the recipient, so an event
seen twice (a retried turn, a redelivered task) tells nobody twice; its attempts and last error stay on it.
"""
from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone

from leads.models import Contact, Location


class AlertEvent(models.TextChoices):
    HOT_LEAD = "hot_lead", "Hot lead ready"
    PERSON_REQUESTED = "person_requested", "Person requested"
    FAIR_HOUSING = "fair_housing", "Fair Housing alert"
    DELIVERY_FAILED = "delivery_failed", "Delivery failed"
    CLAUDE_ALERT = "claude_alert", "Claude alert"
    NIGHTLY_FAILED = "nightly_failed", "Nightly run failed"


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SLACK = "slack", "Slack webhook"
    TEAMS = "teams", "Microsoft Teams webhook"


class Timing(models.TextChoices):
    IMMEDIATE = "immediate", "At once"
    DIGEST = "digest", "In the daily digest"


class Subscription(models.Model):
    """One recipient's wish to hear about some events of one location: by email (the person's own address, or a
    plain address a broker adds) or in a chat channel (a Slack or Teams incoming-webhook URL), at once or in the
    daily digest.

    A broker manages every subscription of their locations; an agent only their own. Without a location it is
    install-wide (the install's owner): it hears every location's events.
    """

    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        help_text="Empty: every location (the install's owner only)",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="alert_subscriptions",
        help_text="The person it belongs to; an email goes to their address unless another is given",
    )
    channel = models.CharField(max_length=5, choices=Channel.choices, default=Channel.EMAIL)
    email = models.EmailField(blank=True, help_text="Another address than the person's own")
    # The URL is the channel's secret: anyone holding it can post there. The admin shows it to those who manage it.
    webhook_url = models.URLField(max_length=500, blank=True, help_text="Slack or Teams incoming-webhook URL")
    events = ArrayField(models.CharField(max_length=16, choices=AlertEvent.choices))
    timing = models.CharField(max_length=9, choices=Timing.choices, default=Timing.IMMEDIATE)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="subscription_has_a_recipient",
                condition=(Q(channel="email") & (Q(user__isnull=False) | ~Q(email="")))
                | (Q(channel__in=["slack", "teams"]) & ~Q(webhook_url="")),
            ),
        ]
        indexes = [models.Index(fields=["location"], name="subscription_active_idx", condition=Q(active=True))]

    def __str__(self) -> str:
        where = self.location.name if self.location is not None else "every location"
        return f"{self.get_channel_display()} to {self.recipient_label} ({where})"

    def __repr__(self) -> str:
        return f"<Subscription {self.pk} {self.channel}>"

    @property
    def address(self) -> str:
        """Where it goes: the email address or the webhook URL ("" when the person has no address)."""
        if self.channel != Channel.EMAIL:
            return self.webhook_url
        return self.email or (self.user.email if self.user is not None else "")

    @property
    def recipient_label(self) -> str:
        """Who, for the admin and logs: never the webhook URL, which is a secret."""
        if self.channel != Channel.EMAIL:
            return f"a {self.get_channel_display()}"
        return self.email or (self.user.get_username() if self.user is not None else "nobody")


class NotificationStatus(models.TextChoices):
    WAITING = "waiting", "Waiting"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class Notification(models.Model):
    """One event told to one subscription, at once or in a digest.

    It never holds a phone number or a text's words: the lead's name, a link to the lead's page, the event and
    the location, and a short detail (an error's type, a limit reached).
    """

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="notifications")
    event = models.CharField(max_length=16, choices=AlertEvent.choices)
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # A lead erased or deleted later leaves the notification, without the link.
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(max_length=200)
    detail = models.CharField(max_length=500, blank=True)
    link = models.URLField(max_length=500, blank=True)
    # What happened, once per event (the outbox row, the run, the Claude alert): with the recipient, unique.
    event_key = models.CharField(max_length=300)
    key = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the event key and the recipient")
    digest = models.BooleanField(default=False)
    status = models.CharField(max_length=7, choices=NotificationStatus.choices, default=NotificationStatus.WAITING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The daily digest reads what waits for it.
            models.Index(fields=["subscription"], name="notification_digest_idx",
                         condition=Q(status="waiting", digest=True)),
            # The sweep reads the immediate ones still unsent.
            models.Index(fields=["updated_at"], name="notification_unsent_idx",
                         condition=Q(status__in=["waiting", "sending"], digest=False)),
        ]

    def __str__(self) -> str:
        return f"{self.get_event_display()} ({self.get_status_display().lower()})"

    def __repr__(self) -> str:
        return f"<Notification {self.pk} {self.event} {self.status}>"
