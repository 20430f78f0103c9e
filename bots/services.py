"""The one entry point for a bot turn: `take_turn`. Views and tasks never touch conversation state directly.

A turn answers every unanswered inbound text of one contact at once, in arrival order. It runs
in one transaction holding the conversation's row lock, so two workers can never answer the same
contact at the same time, and a worker killed mid-turn leaves nothing half-written: the lock dies
with its connection and the redelivered task starts over.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from bots import outbox
from bots.config import BotConfig
from bots.engine import Engine, engine_for
from bots.nlu import Extraction, ExtractionContext
from bots.state import ConversationState
from bots.texts import choose_text
from bots.workflows.decision import TurnDecision
from bots.workflows.lead import triage
from leads.models import Contact, Conversation, Message
from leads.services import refresh_contact_from_ghl

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TurnResult:
    outcome: str
    contact_id: int | None = None
    queued_writes: bool = False
    # Set when the lead is still typing: take the turn again after this many seconds.
    retry_in: float | None = None


def take_turn(conversation_id: int, now: dt.datetime | None = None) -> TurnResult:
    conversation = Conversation.objects.select_related("contact__location").get(pk=conversation_id)
    if conversation.contact.synced_at is None:
        # Network I/O stays outside the transaction that holds the lock.
        refresh_contact_from_ghl(conversation.contact)
    with transaction.atomic():
        conversation = (
            Conversation.objects.select_for_update(of=("self",))
            .select_related("contact__location")
            .get(pk=conversation_id)
        )
        contact = conversation.contact
        pending = list(conversation.messages.filter(direction="inbound", answered_at__isnull=True).order_by("sent_at", "id"))
        if not pending:
            return TurnResult("nothing to answer", contact.pk)
        now = now or timezone.now()
        wait = settings.JORGEBOT_REPLY_DEBOUNCE_SECONDS - (now - max(m.created_at for m in pending)).total_seconds()
        if wait > 0:
            return TurnResult("waiting for the lead to finish typing", contact.pk, retry_in=wait)
        outcome, queued = _answer(conversation, contact, pending, now)
        Message.objects.filter(pk__in=[m.pk for m in pending]).update(answered_at=now)
        conversation.turn_count += 1
        conversation.save(update_fields=["state", "turn_count", "updated_at"])
    logger.info("turn conversation=%s outcome=%s messages=%s", conversation_id, outcome, len(pending))
    return TurnResult(outcome, contact.pk, queued_writes=queued)


def _answer(conversation: Conversation, contact: Contact, pending: list[Message], now: dt.datetime) -> tuple[str, bool]:
    config = BotConfig.from_overrides(contact.location.bot_settings)
    state = ConversationState.from_dict(conversation.state)
    # A burst of texts is read as one message: "Hi" + "I want to sell" is a seller.
    text = "\n".join(m.body for m in pending)
    engine = engine_for(contact.location)
    understood = engine.understand(text, ExtractionContext(last_question=state.last_question, now=now))
    turn_key = f"turn:{conversation.pk}:{pending[-1].pk}"
    if contact.opted_out_at is not None:
        if understood.opt_in:
            outcome = opt_in_contact(contact, state, config, turn_key)
        else:
            outcome = "lead opted out; no reply"
    elif understood.opt_out:
        outcome = opt_out_contact(contact, state, config, turn_key, now)
    else:
        silenced_by = _why_bot_is_silent(contact, config, now)
        if silenced_by:
            outcome = f"no reply: {silenced_by}"
        else:
            decision = _run_bot(contact, state, understood, config)
            _carry_out(contact, state, decision, config, turn_key, engine, understood.language)
            outcome = f"{decision.bot} bot replied"
    conversation.state = state.to_dict()
    queued = contact.outbox.filter(status="pending").exists()
    return outcome, queued


def _why_bot_is_silent(contact: Contact, config: BotConfig, now: dt.datetime) -> str:
    for tag in config.deactivation_tags:
        if contact.has_tag(tag):
            return f"contact has the {tag} tag"
    if contact.dnd_sms:
        return "SMS do-not-disturb is on"
    if contact.bot_paused_until and contact.bot_paused_until > now:
        return "a human took over"
    if contact.deleted_at is not None:
        return "contact deleted in GHL"
    return ""


def bot_for(contact: Contact, config: BotConfig) -> str:
    """BOTS.md: seller tags win over buyer tags; no bot tag means the lead bot."""
    if contact.has_tag(config.tag("seller_activation")) or contact.has_tag(config.tag("seller_lead")):
        return "seller"
    if contact.has_tag(config.tag("buyer_lead")):
        return "buyer"
    return "lead"


def _run_bot(contact: Contact, state: ConversationState, understood: Extraction, config: BotConfig) -> TurnDecision:
    bot = bot_for(contact, config)
    if bot == "lead":
        return triage(state, understood, config)
    state.bot = bot
    # The seller and buyer workflows (bots/workflows/seller.py, buyer.py) take their turns here.
    return TurnDecision(bot=bot)


def _carry_out(
    contact: Contact, state: ConversationState, decision: TurnDecision, config: BotConfig, key: str,
    engine: Engine, language: str,
) -> None:
    outbox.queue_tag_changes(contact, key, add=decision.tags_add, remove=decision.tags_remove)
    outbox.queue_field_update(contact, key, decision.custom_fields)
    if decision.reply_key:
        draft = choose_text(decision.reply_key, state, config, **decision.reply_values)
        reply = engine.phrase(draft, purpose=decision.reply_key, state=state, language=language)
        outbox.queue_text(contact, reply, key)
        state.last_reply = reply
    state.last_question = decision.next_question or state.last_question
    if contact.active_bot != decision.bot:
        contact.active_bot = decision.bot
        contact.save(update_fields=["active_bot", "updated_at"])


def opt_out_contact(contact: Contact, state: ConversationState, config: BotConfig, key: str, now: dt.datetime) -> str:
    """TCPA: one confirmation at most, then silence until the lead texts START; DND set in GHL too."""
    contact.opted_out_at = now
    contact.save(update_fields=["opted_out_at", "updated_at"])
    outbox.queue_tag_changes(contact, key, add=[config.tag("opt_out"), config.tag("ai_off")])
    outbox.queue_dnd(contact, key, enabled=True)
    if state.opt_out_confirmations == 0:
        reply = choose_text("opt_out_confirmation", state, config)
        outbox.queue_text(contact, reply, key, bypass_opt_out=True)
        state.opt_out_confirmations += 1
        state.last_reply = reply
    return "lead opted out"


def opt_in_contact(contact: Contact, state: ConversationState, config: BotConfig, key: str) -> str:
    contact.opted_out_at = None
    contact.dnd_sms = False
    contact.save(update_fields=["opted_out_at", "dnd_sms", "updated_at"])
    outbox.queue_tag_changes(contact, key, remove=[config.tag("opt_out"), config.tag("ai_off")])
    outbox.queue_dnd(contact, key, enabled=False)
    state.opt_out_confirmations = 0
    reply = choose_text("opt_in_confirmation", state, config)
    # Our copy of the tags already dropped the opt-out ones, so this passes the gate normally.
    outbox.queue_text(contact, reply, key)
    state.last_reply = reply
    state.last_question = "intent"
    return "lead opted back in"
