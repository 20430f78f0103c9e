"""The audit trail: who did what to which lead or setting, when, and through which door (admin page, list action,
REST API). Written only by audit.services.record_action, which the console calls for every broker action."""
from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from leads.models import Contact, Location


class AuditAction(models.TextChoices):
    """What a person did, in the broker's words."""

    PAUSED = "paused", "Paused the bot"
    RESUMED = "resumed", "Resumed the bot"
    HANDED_TO_HUMAN = "handed_to_human", "Handed to a human"
    HANDED_BACK = "handed_back", "Handed back to the bot"
    STATUS_CHANGED = "status_changed", "Changed the lead's status"
    SCORE_OVERRIDDEN = "score_overridden", "Set the score by hand"
    SCORE_OVERRIDE_CLEARED = "score_override_cleared", "Went back to the computed score"
    RESCORED = "rescored", "Rescored now"
    REREAD = "reread", "Had Claude re-read the texts"
    RETRIED_DELIVERY = "retried_delivery", "Sent a failed write to GHL again"
    RETRIED_TURN = "retried_turn", "Had the bot answer a parked turn again"
    RETRIED_EVENT = "retried_event", "Applied a parked webhook again"
    DRAFT_APPROVED = "draft_approved", "Approved a draft"
    DRAFT_DISCARDED = "draft_discarded", "Discarded a draft"
    EXPORTED = "exported", "Exported leads"
    ERASED = "erased", "Erased a lead on request"
    SETTINGS_CHANGED = "settings_changed", "Changed the location's settings"
    WORKFLOW_SECRET_MADE = "workflow_secret_made", "Made a new workflow secret"
    MEMBER_ADDED = "member_added", "Added a member"
    MEMBER_CHANGED = "member_changed", "Changed a member's role"
    MEMBER_REMOVED = "member_removed", "Removed a member"
    LISTINGS_IMPORTED = "listings_imported", "Imported listings"
    ADDED = "added", "Added"
    CHANGED = "changed", "Changed"
    DELETED = "deleted", "Deleted"


class Channel(models.TextChoices):
    """Through what the person acted."""

    ADMIN = "admin", "Admin page"
    ADMIN_ACTION = "admin_action", "Admin list action"
    API = "api", "REST API"


class AuditEntry(models.Model):
    """One thing one person did: a broker paused a lead, an agent approved a draft, a broker changed the daily cap.

    The person is kept by name too, so the entry still says who after their user is deleted. `changes` holds each
    changed field as [before, after]; secrets are never in it (console.audit hides them).
    """

    created_at = models.DateTimeField("when", default=timezone.now)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    username = models.CharField("who", max_length=150)
    # Null for what belongs to no location (a webhook of the whole install), and once a location is deleted:
    # then only superusers see the entry.
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    lead = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=30, choices=AuditAction.choices)
    channel = models.CharField("through", max_length=12, choices=Channel.choices)
    summary = models.CharField("what", max_length=300, blank=True)
    changes = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder,
                               help_text="Each changed field as [before, after]")

    class Meta:
        verbose_name = "audit entry"
        verbose_name_plural = "audit trail"
        indexes = [
            models.Index(fields=["location", "-created_at"], name="audit_location_time_idx"),
            models.Index(fields=["lead", "-created_at"], name="audit_lead_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.username}: {self.get_action_display()} ({self.created_at:%Y-%m-%d %H:%M})"
