"""What a broker or an agent does to leads from the admin or the API: pause and resume the bot, hand the lead to a
person and back, send again the writes to GHL that failed or were parked, approve or discard a draft, erase a lead
on request. Views and admin actions call these and nothing else; tags and notes travel to GHL through the outbox,
the bots' own services (bots.human, bots.followups, bots.drafts) do their part, and each action goes on the audit
trail, attributed to `by`, in the same transaction.
"""
from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable
from dataclasses import asdict
from typing import TextIO

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from audit.models import AuditAction
from audit.services import Actor, record_action, record_lead_actions
from bots import drafts, human, outbox
from bots.config import config_for
from bots.drafts import retire_drafts
from bots.followups import cancel_follow_ups, restart_follow_ups
from bots.models import Draft, DraftStatus
from bots.outbox import queue_tag_changes
from bots.state import ConversationState
from leads import privacy, retries, services
from leads.listings import ImportReport, import_listings_csv
from leads.models import Contact, Conversation, Location, OutboxMessage, WebhookEvent

logger = logging.getLogger(__name__)

# A pause a person set by hand lasts until a person lifts it: the reactivation timer never reaches this date.
PAUSED_UNTIL_RESUMED = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)


def is_paused_until_resumed(until: dt.datetime | None) -> bool:
    return until is not None and until.year == PAUSED_UNTIL_RESUMED.year


def pause_bot(contacts: QuerySet[Contact], *, by: Actor, until: dt.datetime | None = None) -> int:
    """A person takes these leads: the bot sleeps until `until` (or until resumed), its follow-ups stop and its
    waiting drafts are withdrawn. Returns how many leads."""
    with transaction.atomic():
        leads = list(contacts.select_for_update(of=("self",)))
        Contact.objects.filter(pk__in=[lead.pk for lead in leads]).update(
            bot_paused_until=until or PAUSED_UNTIL_RESUMED, updated_at=timezone.now()
        )
        for lead in leads:
            cancel_follow_ups(lead, "paused by a person")
            retire_drafts(lead)
        record_lead_actions(by, AuditAction.PAUSED, leads,
                            f"until {until:%Y-%m-%d %H:%M} UTC" if until else "until resumed")
    logger.info("bot paused for %s contacts", len(leads))
    return len(leads)


def resume_bot(contacts: QuerySet[Contact], *, by: Actor) -> int:
    """End the pause for these leads and resume their follow-ups, as the reactivation timer would. Tags stay as
    they are: a lead tagged AI-Off stays with its person until handed back (`hand_back_to_bot`)."""
    now = timezone.now()
    with transaction.atomic():
        leads = list(contacts.select_related("location").select_for_update(of=("self",)))
        Contact.objects.filter(pk__in=[lead.pk for lead in leads]).update(bot_paused_until=None, updated_at=now)
        for lead in leads:
            restart_follow_ups(lead, config_for(lead.location), now)
        record_lead_actions(by, AuditAction.RESUMED, leads)
    logger.info("bot resumed for %s contacts", len(leads))
    return len(leads)


def hand_back_to_bot(contacts: QuerySet[Contact], *, by: Actor) -> int:
    """Give these leads back to the bot: AI-Off and Human-Follow-Up-Needed come off in GHL, any pause ends, the
    follow-ups resume (bots.human). An opted-out lead stays silent. Returns how many leads the bot has again."""
    with transaction.atomic():
        leads = list(contacts.select_related("location"))
        handed = human.hand_back_to_bot(leads)
        # bots.human leaves an opted-out lead alone: nothing was done to her, so nothing is recorded.
        record_lead_actions(by, AuditAction.HANDED_BACK, [lead for lead in leads if lead.opted_out_at is None])
    return handed


def hand_to_human(contacts: Iterable[Contact], *, by: Actor) -> int:
    """Tag each lead `Human-Follow-Up-Needed` + `AI-Off` (the location's names) in GHL, leave the agent a note of
    what the bot learned, stop the follow-ups and withdraw the drafts. A lead already tagged both ways is left
    alone, so a second click changes nothing. Returns how many leads were handed over."""
    handed: list[Contact] = []
    with transaction.atomic():
        for contact in contacts:
            config = config_for(contact.location)
            wanted = [config.tag("human_follow_up"), config.tag("ai_off")]
            if all(contact.has_tag(tag) for tag in wanted):
                continue
            # Each click is its own action: a fresh key, so a later handoff is not mistaken for this one.
            key = f"handoff-to-human:{contact.pk}:{uuid.uuid4().hex}"
            queue_tag_changes(contact, key, add=wanted)
            human.note_handoff(contact, _state_of(contact), key, "a broker handed the lead over from Jorgebot")
            retire_drafts(contact)
            handed.append(contact)
        record_lead_actions(by, AuditAction.HANDED_TO_HUMAN, handed)
        outbox.deliver_after_commit([contact.pk for contact in handed])
    logger.info("handed %s contacts to a human", len(handed))
    return len(handed)


def _state_of(contact: Contact) -> ConversationState:
    state = Conversation.objects.filter(contact=contact).values_list("state", flat=True).first()
    return ConversationState.from_dict(state)


def retry_deliveries(rows: QuerySet[OutboxMessage], *, by: Actor) -> int:
    """Send again the chosen writes to GHL that failed (budget spent, GHL refused) or were parked: each goes back in
    line as new, through the compliance gate again. Returns how many rows."""
    chosen = list(rows.select_related(None).only("pk", "status", "contact_id"))
    retried = [row for row in chosen if row.status in retries.RETRYABLE_BY_HAND]
    with transaction.atomic():
        contact_ids = retries.retry_deliveries(chosen)
        for lead in Contact.objects.filter(pk__in={row.contact_id for row in retried}).only("pk", "location_id"):
            writes = [str(row.pk) for row in retried if row.contact_id == lead.pk]
            record_action(by, AuditAction.RETRIED_DELIVERY, location_id=lead.location_id, lead=lead,
                          summary=f"write(s) {', '.join(writes)}")
        outbox.deliver_after_commit(contact_ids)
    return len(retried)


def retry_webhook_events(event_ids: Iterable[int], *, by: Actor) -> int:
    """Apply again the chosen webhook events that were parked after failing too often. Returns how many."""
    from bots.tasks import handle_webhook_events

    with transaction.atomic():
        parked = retries.retry_webhook_events(event_ids)
        events = list(WebhookEvent.objects.filter(pk__in=parked).only("pk", "event_type", "location_id"))
        # A webhook names its location by GHL's id, which may be one we do not serve: then the entry has none.
        served = set(Location.objects.filter(pk__in={event.location_id for event in events}).values_list("pk",
                                                                                                      flat=True))
        for event in events:
            record_action(by, AuditAction.RETRIED_EVENT,
                          location_id=event.location_id if event.location_id in served else None,
                          summary=f"webhook event {event.pk} ({event.event_type})")
    if parked:
        handle_webhook_events.apply_async(args=[parked])
    return len(parked)


def retry_parked_turns(contacts: QuerySet[Contact], *, by: Actor) -> int:
    """Have the bot answer again the texts of these leads whose turn was parked after failing too often. Returns
    how many conversations."""
    from bots.tasks import schedule_turn

    with transaction.atomic():
        conversation_ids = retries.unpark_turns(contacts.values_list("pk", flat=True))
        record_lead_actions(by, AuditAction.RETRIED_TURN,
                            Contact.objects.filter(conversation__pk__in=conversation_ids).only("pk", "location_id"))
    for conversation_id in conversation_ids:
        schedule_turn(conversation_id, countdown=0)
    return len(conversation_ids)


def approve_draft(draft_id: int, *, by: Actor, body: str | None = None) -> OutboxMessage:
    """Send a draft, as written or with the person's edit (bots.drafts checks the edit). Raises
    bots.drafts.DraftNotPending or DraftRejected, and then records nothing."""
    with transaction.atomic():
        row = drafts.approve_draft(draft_id, by.user, body)
        draft = Draft.objects.select_related("contact").get(pk=draft_id)
        edited = draft.status == DraftStatus.EDITED
        record_action(by, AuditAction.DRAFT_APPROVED, location_id=draft.location_id, lead=draft.contact,
                      changes={"text": [draft.body, draft.sent_body]} if edited else {},
                      summary=f"draft {draft.pk}, {'with an edit' if edited else 'as written'}")
    return row


def discard_draft(draft_id: int, *, by: Actor) -> None:
    """Drop a draft: nothing is sent. Raises bots.drafts.DraftNotPending, and then records nothing."""
    with transaction.atomic():
        drafts.discard_draft(draft_id, by.user)
        draft = Draft.objects.select_related("contact").get(pk=draft_id)
        record_action(by, AuditAction.DRAFT_DISCARDED, location_id=draft.location_id, lead=draft.contact,
                      summary=f"draft {draft.pk}")


def export_and_erase(contact: Contact, *, by: Actor) -> bytes:
    """A lead's deletion request: a copy of everything we hold about her (the broker's record of what was erased),
    then the erasure (leads.privacy). The entry says who erased her and what went, by kind, never her data."""
    with transaction.atomic():
        exported = privacy.export_contact_data(contact)
        erased = privacy.erase_contact(contact)
        removed = ", ".join(f"{count} {kind.replace('_', ' ')}" for kind, count in asdict(erased).items() if count)
        record_action(by, AuditAction.ERASED, location_id=contact.location_id, lead=contact,
                      summary=f"erased: {removed or 'nothing left to erase'}")
    return exported


def import_listings(stream: TextIO, location: Location, *, by: Actor) -> ImportReport:
    """Upsert a RESO CSV of listings into the location (leads.listings); bad rows are reported, not fatal."""
    # Recorded after the import, not in one transaction with it: the import commits a thousand rows at a time, so
    # a big file does not hold its locks until the end.
    report = import_listings_csv(stream, location)
    record_action(by, AuditAction.LISTINGS_IMPORTED, location_id=location.pk,
                  summary=f"{report.imported} new, {report.updated} updated, {len(report.skipped)} skipped")
    return report


def make_workflow_secret(location: Location, *, by: Actor) -> str:
    """A new secret for the location's GHL workflow posts, replacing the one before (leads.services); returned
    once to show. The entry says who made it, never the secret."""
    with transaction.atomic():
        secret = services.rotate_workflow_secret(location)
        record_action(by, AuditAction.WORKFLOW_SECRET_MADE, location_id=location.pk,
                      summary="the previous workflow secret no longer works")
    return secret
