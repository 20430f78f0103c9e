"""Reads about conversations that are more than a lookup, and the sweeper's: work stored but never done."""
from __future__ import annotations

import datetime as dt

from django.db.models import Exists, F, Min, OuterRef, Q
from django.db.models.functions import Coalesce

from bots.llm.models import LLMJobItem
from bots.state import ConversationState
from bots.workflows.questions import BY_ID
from leads import retries
from leads import services as lead_services
from leads.models import CLOSED_STATUSES, Conversation, Location, Message, OutboxMessage, WebhookEvent

# The sweeper re-enqueues at most this many rows of each kind per run, so a long outage drains
# over a few runs instead of flooding the broker at once.
SWEEP_BATCH = 500


def stalled_conversations(location: Location, *, texted_since: dt.datetime, limit: int) -> list[int]:
    """Conversations where the bot asked a question and could not read an answer, and the lead has texted since
    `texted_since` and since the conversation was last re-read: reading the whole thread again may find what the
    bot missed. Open leads that can still be texted, most recent first, at most `limit`."""
    reread_since_last_text = LLMJobItem.objects.filter(
        conversation=OuterRef("pk"), job__created_at__gte=OuterRef("last_inbound_at")
    )
    candidates = (
        Conversation.objects.filter(
            contact__location=location, last_inbound_at__gte=texted_since, contact__opted_out_at__isnull=True,
            contact__deleted_at__isnull=True, state__has_key="misses",
        )
        .exclude(contact__status__in=CLOSED_STATUSES)
        .exclude(state__misses={})
        .exclude(Exists(reread_since_last_text))
        .order_by("-last_inbound_at", "-pk")
        .values_list("pk", "state")
    )
    stalled = []
    for pk, data in candidates.iterator(chunk_size=500):
        if _still_missing_an_answer(ConversationState.from_dict(data)):
            stalled.append(pk)
            if len(stalled) == limit:
                break
    return stalled


def _still_missing_an_answer(state: ConversationState) -> bool:
    """A question the bot failed to read an answer to and has not had one for since (accepted as unknown counts:
    the lead may have answered in words the bot did not know)."""
    return any(question_id in BY_ID and not BY_ID[question_id].is_answered(state) for question_id in state.misses)


def events_to_retry(cutoff: dt.datetime) -> list[int]:
    """Events never applied, fewest failures first (an event failing again and again waits behind new ones), until
    MAX_EVENT_ATTEMPTS parks them."""
    return list(
        WebhookEvent.objects.filter(
            processed_at__isnull=True, received_at__lt=cutoff, attempts__lt=lead_services.MAX_EVENT_ATTEMPTS
        )
        .order_by("attempts", "received_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )


def turns_to_retry(cutoff: dt.datetime, now: dt.datetime) -> list[int]:
    """Conversations with a text left unanswered, not parked and past their next try, the longest waiting first."""
    unanswered = Message.objects.filter(direction="inbound", answered_at__isnull=True, created_at__lt=cutoff)
    return list(
        Conversation.objects.filter(pk__in=unanswered.values("conversation_id"), turn_parked_at__isnull=True)
        .filter(Q(retry_turn_at__isnull=True) | Q(retry_turn_at__lte=now))
        .order_by(F("retry_turn_at").asc(nulls_first=True), "pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )


def deliveries_to_retry(cutoff: dt.datetime, now: dt.datetime) -> list[int]:
    """Contacts with writes to GHL due: past their next attempt time, or untouched since the cutoff. A contact whose
    first write is still waiting out its backoff is left alone (its rows go in order), and parked rows are out of
    line; the contact waiting longest goes first."""
    waiting = OutboxMessage.objects.filter(status__in=retries.WAITING)
    backing_off = waiting.filter(next_attempt_at__gt=now).values("contact_id")
    due = (
        waiting.filter(Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True, updated_at__lt=cutoff))
        .exclude(contact_id__in=backing_off)
        .values("contact_id")
        .annotate(due_at=Min(Coalesce("next_attempt_at", "updated_at")))
        .order_by("due_at", "contact_id")
    )
    return [row["contact_id"] for row in due[:SWEEP_BATCH]]
