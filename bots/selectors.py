"""Reads about conversations that are more than a lookup."""
from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef

from bots.llm.models import LLMJobItem
from bots.state import ConversationState
from bots.workflows.questions import BY_ID
from leads.models import CLOSED_STATUSES, Conversation, Location


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
