"""What a broker or an agent does to leads from the admin or the API: pause and resume the bot, hand the lead to a
person and back, send again the writes to GHL that failed or were parked. Views and admin actions call these and
nothing else; tags and notes travel to GHL through the outbox, and the bots' own services (bots.human,
bots.followups, bots.drafts) do their part.
"""
from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from bots import human, outbox
from bots.config import config_for
from bots.drafts import retire_drafts
from bots.followups import cancel_follow_ups, restart_follow_ups
from bots.outbox import queue_tag_changes
from bots.state import ConversationState
from leads import retries
from leads.models import Contact, Conversation, OutboxMessage

logger = logging.getLogger(__name__)

# A pause a person set by hand lasts until a person lifts it: the reactivation timer never reaches this date.
PAUSED_UNTIL_RESUMED = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)


def is_paused_until_resumed(until: dt.datetime | None) -> bool:
    return until is not None and until.year == PAUSED_UNTIL_RESUMED.year


def pause_bot(contacts: QuerySet[Contact], until: dt.datetime | None = None) -> int:
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
    logger.info("bot paused for %s contacts", len(leads))
    return len(leads)


def resume_bot(contacts: QuerySet[Contact]) -> int:
    """End the pause for these leads and resume their follow-ups, as the reactivation timer would. Tags stay as
    they are: a lead tagged AI-Off stays with its person until handed back (`hand_back_to_bot`)."""
    now = timezone.now()
    with transaction.atomic():
        leads = list(contacts.select_related("location").select_for_update(of=("self",)))
        Contact.objects.filter(pk__in=[lead.pk for lead in leads]).update(bot_paused_until=None, updated_at=now)
        for lead in leads:
            restart_follow_ups(lead, config_for(lead.location), now)
    logger.info("bot resumed for %s contacts", len(leads))
    return len(leads)


def hand_back_to_bot(contacts: QuerySet[Contact]) -> int:
    """Give these leads back to the bot: AI-Off and Human-Follow-Up-Needed come off in GHL, any pause ends, the
    follow-ups resume (bots.human). An opted-out lead stays silent. Returns how many leads the bot has again."""
    return human.hand_back_to_bot(contacts.select_related("location"))


def hand_to_human(contacts: Iterable[Contact]) -> int:
    """Tag each lead `Human-Follow-Up-Needed` + `AI-Off` (the location's names) in GHL, leave the agent a note of
    what the bot learned, stop the follow-ups and withdraw the drafts. A lead already tagged both ways is left
    alone, so a second click changes nothing. Returns how many leads were handed over."""
    handed: list[int] = []
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
            handed.append(contact.pk)
        outbox.deliver_after_commit(handed)
    logger.info("handed %s contacts to a human", len(handed))
    return len(handed)


def _state_of(contact: Contact) -> ConversationState:
    state = Conversation.objects.filter(contact=contact).values_list("state", flat=True).first()
    return ConversationState.from_dict(state)




def retry_deliveries(rows: QuerySet[OutboxMessage]) -> int:
    """Send again the chosen writes to GHL that failed (budget spent, GHL refused) or were parked: each goes back in
    line as new, through the compliance gate again. Returns how many rows."""
    chosen = list(rows.select_related(None).only("pk", "status"))
    with transaction.atomic():
        contact_ids = retries.retry_deliveries(chosen)
        outbox.deliver_after_commit(contact_ids)
    return sum(1 for row in chosen if row.status in retries.RETRYABLE_BY_HAND)


def retry_webhook_events(event_ids: Iterable[int]) -> int:
    """Apply again the chosen webhook events that were parked after failing too often. Returns how many."""
    from bots.tasks import handle_webhook_events

    parked = retries.retry_webhook_events(event_ids)
    if parked:
        handle_webhook_events.apply_async(args=[parked])
    return len(parked)


def retry_parked_turns(contacts: QuerySet[Contact]) -> int:
    """Have the bot answer again the texts of these leads whose turn was parked after failing too often. Returns
    how many conversations."""
    from bots.tasks import schedule_turn

    conversation_ids = retries.unpark_turns(contacts.values_list("pk", flat=True))
    for conversation_id in conversation_ids:
        schedule_turn(conversation_id, countdown=0)
    return len(conversation_ids)
