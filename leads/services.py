"""Write operations of the CRM side: keeping our copy of GHL's contacts, conversations and deals current.

The webhooks are received and stored by leads.ingest; the worker calls `apply_webhook_event` (through
bots.events, whose rules act on what an event changed), which turns a stored event into contacts, messages and
deals. leads imports no other app of ours (tests/test_import_contracts.py).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from leads.ghl import events as ghl_events
from leads.ghl.connect import ghl_client_for
from leads.ghl.errors import GHLFinalError
from leads.models import (
    Contact,
    Conversation,
    Deal,
    DealStatus,
    Direction,
    LeadStatus,
    Location,
    Message,
    OutboxKind,
    OutboxMessage,
    OutboxStatus,
    Sender,
    WebhookEvent,
)

logger = logging.getLogger(__name__)


def ensure_configured_location() -> Location | None:
    """The single-location install: create its Location from GHL_LOCATION_ID + GHL_API_TOKEN if missing."""
    if not settings.GHL_LOCATION_ID:
        return None
    location, created = Location.objects.get_or_create(
        id=settings.GHL_LOCATION_ID,
        defaults={
            "name": "Main location", "api_token": settings.GHL_API_TOKEN, "calendar_id": settings.GHL_CALENDAR_ID
        },
    )
    if created:
        logger.info("created the configured location %s", location.id)
    return location


def rotate_workflow_secret(location: Location) -> str:
    """A new secret for the location's GHL workflow posts (X-Webhook-Secret), replacing the one before it.

    Returned once, for the broker to paste into GHL; only its hash is kept.
    """
    secret = secrets.token_urlsafe(32)
    location.workflow_secret_hash = workflow_secret_hash(secret)
    location.save(update_fields=["workflow_secret_hash", "updated_at"])
    logger.info("new workflow secret for location %s", location.id)
    return secret


def workflow_secret_hash(secret: str) -> str:
    # A random 256-bit secret needs no slow password hash: its SHA-256 gives nothing away.
    return hashlib.sha256(secret.encode()).hexdigest()


# An event that failed this many times is left for a person (the admin shows its error).
MAX_EVENT_ATTEMPTS = 5


@dataclass(frozen=True)
class AppliedEvent:
    """What applying an event changed that the bots act on (bots.events), inside the event's transaction:
    `conversation_id`, a conversation with new inbound text to answer; `human_took_over`, a person texted `contact`
    from GHL; `tags_before`, a contact event replaced the tags of `contact`, and these were the old ones (removing
    AI-Off in GHL hands a lead back). `drop_event`: the event is about an erased lead, and its row goes too."""

    conversation_id: int | None = None
    contact: Contact | None = None
    human_took_over: bool = False
    tags_before: tuple[str, ...] | None = None
    drop_event: bool = False


class EventRules(Protocol):
    """What applying an event needs from the layer above, which leads does not import (the bots' rules)."""

    def silencing_tags(self, location: Location) -> frozenset[str]:
        """Tags, case-folded, that keep the bot quiet for a lead: an unsigned post may never take them away."""
        ...

    def act(self, applied: AppliedEvent) -> None:
        """Called inside the event's transaction, so what the event means for the bots is kept with it or not at
        all."""
        ...


def apply_webhook_event(event_id: int, rules: EventRules) -> AppliedEvent:
    """Apply one stored event to our copy of the CRM, exactly once (a row lock serialises redeliveries); `rules`
    acts on its effects in the same transaction."""
    with transaction.atomic():
        event = WebhookEvent.objects.select_for_update().get(pk=event_id)
        if event.processed_at is not None:
            return AppliedEvent()
        event.attempts += 1
        try:
            applied = _apply(event, rules)
        except ghl_events.MalformedEvent as exc:
            # Stored but unusable: keep the row and say why, never retry it.
            applied = AppliedEvent()
            event.error = str(exc)[:1000]
        if applied.drop_event:
            event.delete()
            logger.info("event %s about an erased lead dropped", event_id)
            return AppliedEvent()
        rules.act(applied)
        event.processed_at = timezone.now()
        event.save(update_fields=["attempts", "processed_at", "error"])
    return applied


def record_webhook_failure(event_id: int, error: Exception) -> None:
    WebhookEvent.objects.filter(pk=event_id).update(
        attempts=F("attempts") + 1, error=f"{type(error).__name__}: {error}"[:1000]
    )


def _apply(event: WebhookEvent, rules: EventRules) -> AppliedEvent:
    location = Location.objects.filter(id=event.location_id).first()
    if location is None:
        return AppliedEvent()
    if event.source == "workflow":
        workflow_event = ghl_events.parse_workflow_event(event.payload)
        if _is_erased(location, workflow_event.contact_id):
            return AppliedEvent(drop_event=True)
        return _apply_workflow_event(location, workflow_event, event.webhook_id, rules)
    parsed = ghl_events.parse_event(event.payload)
    if _is_erased(location, ghl_events.contact_id_of(parsed)):
        return AppliedEvent(drop_event=True)
    if isinstance(parsed, ghl_events.InboundMessage):
        return AppliedEvent(record_inbound_message(location, parsed).conversation_id)
    if isinstance(parsed, ghl_events.OutboundMessage):
        return record_outbound_message(location, parsed)
    if isinstance(parsed, ghl_events.ContactDelete):
        Contact.objects.filter(location=location, ghl_id=parsed.contact_id).update(deleted_at=timezone.now())
    elif isinstance(parsed, ghl_events.ContactEvent):
        return apply_contact_event(location, parsed)
    elif isinstance(parsed, ghl_events.OpportunityEvent):
        apply_opportunity_event(location, parsed)
    elif isinstance(parsed, ghl_events.AppointmentCreate):
        _contact_for(location, parsed.appointment.contact_id)
        Contact.objects.filter(location=location, ghl_id=parsed.appointment.contact_id).update(
            status=LeadStatus.APPOINTMENT
        )
    return AppliedEvent()


def _is_erased(location: Location, ghl_contact_id: str) -> bool:
    # Also asked here: the webhook doors' list of erased leads may be half a minute old.
    return bool(ghl_contact_id) and Contact.objects.filter(
        location=location, ghl_id=ghl_contact_id, erased_at__isnull=False
    ).exists()


def _contact_for(location: Location, ghl_contact_id: str) -> Contact:
    """Our row for a GHL contact; a stub when we have not seen it (filled from GHL before its first turn)."""
    contact, _ = Contact.objects.get_or_create(location=location, ghl_id=ghl_contact_id)
    return contact


def _conversation_for(contact: Contact, ghl_conversation_id: str = "") -> Conversation:
    conversation, created = Conversation.objects.get_or_create(
        contact=contact, defaults={"ghl_conversation_id": ghl_conversation_id}
    )
    if not created and ghl_conversation_id and not conversation.ghl_conversation_id:
        conversation.ghl_conversation_id = ghl_conversation_id
        conversation.save(update_fields=["ghl_conversation_id", "updated_at"])
    return conversation


def record_inbound_message(location: Location, event: ghl_events.InboundMessage) -> Message:
    contact = _contact_for(location, event.contact_id)
    sent_at = event.date_added or event.timestamp or timezone.now()
    conversation, created = Conversation.objects.get_or_create(
        contact=contact, defaults={"ghl_conversation_id": event.conversation_id, "last_inbound_at": sent_at}
    )
    if not created:
        changes: dict[str, object] = {"last_inbound_at": max_time(conversation.last_inbound_at, sent_at)}
        if event.conversation_id and not conversation.ghl_conversation_id:
            changes.update(ghl_conversation_id=event.conversation_id, updated_at=timezone.now())
        Conversation.objects.filter(pk=conversation.pk).update(**changes)
    fields = {"conversation": conversation, "direction": Direction.INBOUND, "sender": Sender.LEAD, "body": event.body,
              "message_type": event.message_type, "sent_at": sent_at}
    if not event.message_id:
        return Message.objects.create(**fields)
    # Insert first: GHL's message id is new nearly always (the webhook's unique message id already turned
    # redeliveries away), so looking it up first would be a wasted query on every text.
    try:
        with transaction.atomic():
            return Message.objects.create(ghl_message_id=event.message_id, **fields)
    except IntegrityError:
        return Message.objects.get(ghl_message_id=event.message_id)


def record_outbound_message(location: Location, event: ghl_events.OutboundMessage) -> AppliedEvent:
    """GHL echoes every outbound text. One a person sent from GHL means a human took over: the bot sleeps."""
    contact = _contact_for(location, event.contact_id)
    conversation = _conversation_for(contact, event.conversation_id)
    ours = _confirm_our_text(contact, event)
    Message.objects.get_or_create(
        ghl_message_id=event.message_id,
        defaults={
            "conversation": conversation,
            "direction": Direction.OUTBOUND,
            "sender": Sender.BOT if ours else Sender.HUMAN,
            "body": event.body,
            "message_type": event.message_type,
            "sent_at": event.date_added or event.timestamp or timezone.now(),
        },
    )
    # A person typed it in GHL (GHL sets userId); automations without a user do not wake a human.
    if not ours and event.user_id:
        return AppliedEvent(contact=contact, human_took_over=True)
    return AppliedEvent()


def _confirm_our_text(contact: Contact, event: ghl_events.OutboundMessage) -> bool:
    """Whether the echoed text is one of ours; a text still `sending` (its answer lost) is now known sent."""
    if OutboxMessage.objects.filter(ghl_message_id=event.message_id).exists():
        return True
    if event.user_id:
        return False  # typed by a person in GHL
    in_flight = (
        OutboxMessage.objects.select_for_update()
        .filter(contact=contact, kind=OutboxKind.SMS, status=OutboxStatus.SENDING, body=event.body)
        .order_by("id")
        .first()
    )
    if in_flight is None:
        return False
    in_flight.status = OutboxStatus.SENT
    in_flight.status_reason = "confirmed by GHL's echo"
    in_flight.ghl_message_id = event.message_id
    in_flight.sent_at = event.date_added or timezone.now()
    in_flight.save(update_fields=["status", "status_reason", "ghl_message_id", "sent_at", "updated_at"])
    return True


def apply_contact_event(location: Location, event: ghl_events.ContactEvent) -> AppliedEvent:
    """Keep our copy current; an event older than the last one applied is stale and changes nothing."""
    contact = Contact.objects.select_for_update().filter(location=location, ghl_id=event.contact_id).first()
    if contact is None:
        contact = _contact_for(location, event.contact_id)
    event_time = event.timestamp
    if event_time and contact.ghl_event_at and event_time < contact.ghl_event_at:
        logger.info("stale %s for contact=%s ignored", event.type, contact.pk)
        return AppliedEvent()
    if contact.erased_at is not None:
        # The lead asked us to delete their data (leads.privacy): GHL's copy must not flow back in.
        logger.info("%s for erased contact=%s ignored", event.type, contact.pk)
        return AppliedEvent()
    tags_before = list(contact.tags)
    _copy_contact_fields(contact, event)
    contact.ghl_event_at = event_time or contact.ghl_event_at
    contact.save()
    return AppliedEvent(contact=contact, tags_before=tuple(tags_before))


def _copy_contact_fields(contact: Contact, event: ghl_events.ContactEvent) -> None:
    for name in ("first_name", "last_name", "phone", "email", "source", "timezone", "postal_code"):
        value = getattr(event, name)
        if value is not None:
            setattr(contact, name, value)
    contact.tags = list(event.tags)
    if event.custom_fields:
        contact.custom_fields = {**contact.custom_fields, **dict(event.custom_fields)}
    contact.dnd_sms = event.sms_dnd


def apply_opportunity_event(location: Location, event: ghl_events.OpportunityEvent) -> None:
    contact = _contact_for(location, event.contact_id)
    if not record_deal_event(location, contact, event):
        return  # older than the deal's newest update (GHL delivered it late): it must not undo that one
    status_by_deal = {
        ghl_events.OpportunityStatus.WON: LeadStatus.WON,
        ghl_events.OpportunityStatus.LOST: LeadStatus.LOST,
        ghl_events.OpportunityStatus.ABANDONED: LeadStatus.LOST,
    }
    new_status = status_by_deal.get(event.status)
    if new_status and contact.status != new_status:
        contact.status = new_status
        contact.save(update_fields=["status", "updated_at"])


def record_deal_event(location: Location, contact: Contact, event: ghl_events.OpportunityEvent) -> bool:
    """Bring our copy of a GHL opportunity up to date; False when the event is older than the last one applied.

    GHL does not promise delivery order: a "won" sent before a reopening can arrive after it, and must not undo it.
    """
    moment = event.timestamp or timezone.now()
    # Two events of a new deal can be applied at once by two workers: insert it if missing, then lock the row.
    Deal.objects.bulk_create(
        [Deal(location=location, contact=contact, ghl_id=event.opportunity_id, pipeline_id=event.pipeline_id,
              opened_at=moment)],
        ignore_conflicts=True,
    )
    deal = Deal.objects.select_for_update().get(location=location, ghl_id=event.opportunity_id)
    # Any event proves the deal existed by then, even one too old to change its state.
    deal.opened_at = min(deal.opened_at, moment)
    if event.timestamp and deal.ghl_event_at and event.timestamp < deal.ghl_event_at:
        deal.save(update_fields=["opened_at", "updated_at"])
        return False
    _copy_deal_fields(deal, contact, event, moment)
    deal.save()
    return True


def _copy_deal_fields(deal: Deal, contact: Contact, event: ghl_events.OpportunityEvent, moment: dt.datetime) -> None:
    deal.contact = contact
    deal.pipeline_id = event.pipeline_id
    if event.pipeline_stage_id is not None:
        deal.pipeline_stage_id = event.pipeline_stage_id
    if event.monetary_value is not None:
        deal.value = event.monetary_value
    if event.assigned_to is not None:
        deal.assigned_to = event.assigned_to
    status = DealStatus(event.status.value)
    if status == DealStatus.OPEN:
        deal.closed_at = None
    elif status != deal.status or deal.closed_at is None:
        deal.closed_at = moment
    deal.status = status
    deal.ghl_event_at = max(filter(None, [deal.ghl_event_at, event.timestamp]), default=None)


def _apply_workflow_event(
    location: Location, event: ghl_events.WorkflowEvent, webhook_id: str, rules: EventRules
) -> AppliedEvent:
    """A workflow post is unsigned: what it leaves out stays as it was, and it never takes an opt-out or
    deactivation tag away (only a signed contact event, or a person in the admin, can)."""
    contact = Contact.objects.select_for_update().filter(location=location, ghl_id=event.contact_id).first()
    contact = contact or _contact_for(location, event.contact_id)
    for name in ("first_name", "last_name", "phone", "email"):
        value = getattr(event, name)
        if value:
            setattr(contact, name, value)
    if event.tags is not None:
        contact.tags = _tags_kept_from_unsigned_post(rules.silencing_tags(location), contact.tags, event.tags)
    contact.save()
    if not event.message_body:
        return AppliedEvent()
    conversation = _conversation_for(contact)
    now = timezone.now()
    Message.objects.get_or_create(
        ghl_message_id=_workflow_message_id(webhook_id),
        defaults={
            "conversation": conversation,
            "direction": Direction.INBOUND,
            "sender": Sender.LEAD,
            "body": event.message_body,
            "message_type": event.message_type or "SMS",
            "sent_at": now,
        },
    )
    Conversation.objects.filter(pk=conversation.pk).update(last_inbound_at=now)
    return AppliedEvent(conversation.pk)


def _tags_kept_from_unsigned_post(silencing: frozenset[str], current: list[str], posted: tuple[str, ...]) -> list[str]:
    """The posted tags, plus every opt-out and deactivation tag (`silencing`, case-folded) the contact has now: an
    opt-out held only as a GHL tag must survive a workflow that posts a stale or partial list."""
    posted_folded = {tag.casefold() for tag in posted}
    kept = [tag for tag in current if tag.casefold() in silencing and tag.casefold() not in posted_folded]
    return list(dict.fromkeys([*posted, *kept]))


def _workflow_message_id(webhook_id: str) -> str:
    # The stored event's key names the location and the post (leads.ingest); hashed to fit GHL's 64-character ids.
    return "wf:" + hashlib.sha256(webhook_id.encode()).hexdigest()[:61]


def refresh_contact_from_ghl(contact: Contact) -> None:
    """Read a contact we have never fetched (tags, name, time zone, DND) before its first turn.

    A contact GHL no longer knows (404) is answered from what we have; retryable errors propagate
    so the caller's task retries.
    """
    try:
        remote = ghl_client_for(contact.location).get_contact(contact.ghl_id)
    except GHLFinalError:
        logger.warning("GHL has no readable contact=%s; answering from our copy", contact.pk)
        Contact.objects.filter(pk=contact.pk).update(synced_at=timezone.now())
        return
    with transaction.atomic():
        fresh = Contact.objects.select_for_update().get(pk=contact.pk)
        for name in ("first_name", "last_name", "phone", "email", "source", "timezone", "postal_code"):
            value = getattr(remote, name, None)
            if value:
                setattr(fresh, name, value)
        # Tags changed by a turn after GHL's read would be lost by a plain overwrite: merge instead.
        fresh.tags = list(dict.fromkeys([*remote.tags, *fresh.tags]))
        fresh.dnd_sms = bool(remote.dnd or remote.dnd_sms)
        fresh.synced_at = timezone.now()
        fresh.save()
    contact.refresh_from_db()


def max_time(a: dt.datetime | None, b: dt.datetime) -> dt.datetime:
    return b if a is None or b > a else a
