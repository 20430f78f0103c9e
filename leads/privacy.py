"""A lead's right to know and to delete (CCPA/CPRA): export everything we hold about one contact, then erase it.

GHL stays the source of truth for the contact itself: erasing here removes our copy (texts, the bot's state,
outbox rows, follow-ups, drafts, the webhooks as GHL sent them, scores, overrides, churn predictions, her name in
the admin's log) and keeps a tombstone row with no personal data, so the bot never texts the lead again and GHL's
later events about them are dropped unstored (leads.ingest.doors.is_erased_contact). The brokerage
deletes the contact in GHL itself; the CCPA-Deletion-Request tag tells it to. Claude's response cache holds
no contact id and expires on its own (JORGEBOT_LLM_CACHE_TTL_SECONDS).
"""
from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q, QuerySet
from django.dispatch import Signal
from django.utils import timezone

from leads.ingest.doors import forget_erased_contacts
from leads.models import Contact, Conversation, Message, OutboxMessage, WebhookEvent

logger = logging.getLogger(__name__)

_CONTACT_FIELDS = ("ghl_id", "first_name", "last_name", "phone", "email", "source", "tags", "custom_fields",
                   "timezone", "postal_code", "dnd_sms", "opted_out_at", "active_bot", "bot_paused_until",
                   "temperature", "score", "status", "market_segment", "created_at", "updated_at")


@dataclass(frozen=True)
class Erasure:
    """What `erase_contact` removed, by kind: the broker's record that the request was carried out."""

    messages: int
    outbox_rows: int
    webhook_events: int
    admin_log_entries: int
    # Counted by the apps that keep data about a lead (`lead_erasing`'s receivers).
    follow_ups: int = 0
    drafts: int = 0
    reading_jobs: int = 0
    scores: int = 0
    churn_predictions: int = 0
    # The compliance log keeps the record of each request (CCPA keeps records of requests), not the lead's words.
    compliance_texts: int = 0
    # The bot's own texts kept beside Claude's rephrasing of them.
    claude_rephrasings: int = 0
    # The audit trail keeps who did what to her, not the changed values.
    audit_entries: int = 0


# Sent inside the erasure's transaction, with the lead locked: each app that keeps data about a lead (the bots, the
# analytics) deletes it there and answers with what it removed, by Erasure's field names. leads imports neither.
lead_erasing = Signal()


def export_contact_data(contact: Contact) -> bytes:
    """Everything we hold about the lead, as JSON: the answer to a request to know, and the copy kept before erasing."""
    conversation = Conversation.objects.filter(contact=contact).first()
    data: dict[str, Any] = {
        "exported_at": timezone.now(),
        "location": contact.location_id,
        "contact": {name: getattr(contact, name) for name in _CONTACT_FIELDS},
        "conversation": None if conversation is None else {
            "state": conversation.state, "turn_count": conversation.turn_count,
            "last_inbound_at": conversation.last_inbound_at, "last_outbound_at": conversation.last_outbound_at,
        },
        "messages": list(
            Message.objects.filter(conversation__contact=contact).order_by("sent_at", "id")
            .values("direction", "sender", "body", "message_type", "sent_at")
        ),
        "writes_to_ghl": list(
            contact.outbox.order_by("id").values("kind", "body", "payload", "status", "status_reason", "created_at",
                                                 "sent_at")
        ),
        "follow_ups": list(contact.follow_ups.order_by("id").values("cadence", "step", "due_at", "status")),
        "drafts": list(contact.drafts.order_by("id").values("body", "sent_body", "status", "created_at")),
    }
    return json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False).encode("utf-8")


def erase_contact(contact: Contact) -> Erasure:
    """Delete the lead's personal data and keep a silent tombstone; safe to run twice.

    Her deals stay (the brokerage's revenue history, ids and amounts only); her scores, the broker's override
    (its reason is free text) and her churn prediction go; the admin's log keeps its entries without her name.
    """
    with transaction.atomic():
        locked = Contact.objects.select_for_update().get(pk=contact.pk)
        conversation = Conversation.objects.filter(contact=locked).first()
        elsewhere: dict[str, int] = {}
        for _, removed in lead_erasing.send(sender=Contact, contact=locked, conversation=conversation):
            elsewhere.update(removed)  # type: ignore[arg-type]  # django-stubs: send() gives what receivers return
        erased = Erasure(
            messages=Message.objects.filter(conversation__contact=locked).delete()[0],
            outbox_rows=OutboxMessage.objects.filter(contact=locked).delete()[0],
            webhook_events=_webhook_events_of(locked).delete()[0],
            admin_log_entries=_scrub_admin_log(locked),
            **elsewhere,
        )
        if conversation is not None:
            conversation.delete()
        now = timezone.now()
        for name in ("first_name", "last_name", "phone", "email", "source", "timezone", "postal_code",
                     "market_segment", "temperature"):
            setattr(locked, name, "")
        locked.tags, locked.custom_fields, locked.score = [], {}, None
        # Silent for good: the bot never answers a deleted contact (bots.services), the gate never texts one.
        locked.opted_out_at = locked.opted_out_at or now
        locked.deleted_at = locked.deleted_at or now
        locked.erased_at = now
        locked.save()
        # This process drops her later webhooks at once; the others within their half-minute refresh.
        transaction.on_commit(forget_erased_contacts)
    logger.info("erased contact=%s %s", contact.pk, asdict(erased))
    return erased


def _scrub_admin_log(contact: Contact) -> int:
    """Django's admin log names what a person changed (`object_repr`, `change_message`): the entries about this
    lead, and any that spell out her full name, phone or email, keep their time and action but not her."""
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    about_her = Q(content_type=ContentType.objects.get_for_model(Contact), object_id=str(contact.pk))
    full_name = f"{contact.first_name} {contact.last_name}".strip()
    for value in (full_name, contact.phone, contact.phone[-10:] if len(contact.phone) >= 10 else "", contact.email):
        if value:
            about_her |= Q(object_repr__icontains=value) | Q(change_message__icontains=value)
    return LogEntry.objects.filter(about_her).update(object_repr=f"erased lead {contact.pk}", change_message="")


def _webhook_events_of(contact: Contact) -> QuerySet[WebhookEvent]:
    # GHL names the contact differently per event: contactId (messages, opportunities), id (contact events),
    # contact_id (workflow posts), appointment.contactId (appointments).
    ghl_id = contact.ghl_id
    return WebhookEvent.objects.filter(location_id=contact.location_id).filter(
        Q(payload__contactId=ghl_id) | Q(payload__contact_id=ghl_id) | Q(payload__appointment__contactId=ghl_id)
        | Q(payload__id=ghl_id, event_type__startswith="Contact")
    )
