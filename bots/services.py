"""The one entry point for a bot turn: `take_turn`. Views and tasks never touch conversation state directly.

A turn answers every unanswered inbound text of one contact at once, in arrival order. It runs
in one transaction holding the conversation's row lock, so two workers can never answer the same
contact at the same time, and a worker killed mid-turn leaves nothing half-written: the lock dies
with its connection and the redelivered task starts over. Slow work stays outside that transaction:
GHL lookups and Claude, which reads the texts before the lock is taken and phrases the reply after
the commit (bots.engine.TurnEngine).
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from bots import compliance, drafts, followups, human, outbox, screening
from bots.config import BotConfig
from bots.engine import OFFLINE, Engine, TurnEngine, engine_for_turn
from bots.matching import PropertyListings
from bots.nlu import Extraction, ExtractionContext
from bots.state import ConversationState
from bots.texts import choose_text
from bots.turns import LeadSnapshot, TurnPlan, extraction_context, lead_zone, plan_turn
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


def take_turn(conversation_id: int, now: dt.datetime | None = None, attempt: int = 0) -> TurnResult:
    """`attempt` counts the task's retries, for Claude's backoff; an LLMRetryableError asks for one more."""
    conversation = Conversation.objects.select_related("contact__location").get(pk=conversation_id)
    if conversation.contact.synced_at is None:
        # Network I/O stays outside the transaction that holds the lock.
        refresh_contact_from_ghl(conversation.contact)
    engine = engine_for_turn(conversation.contact.location)
    _read_ahead(engine, conversation, attempt)
    with transaction.atomic():
        conversation = (
            Conversation.objects.select_for_update(of=("self",))
            .select_related("contact__location")
            .get(pk=conversation_id)
        )
        contact = conversation.contact
        pending = _pending(conversation)
        if not pending:
            return TurnResult("nothing to answer", contact.pk)
        now = now or timezone.now()
        wait = (_reply_due_at(pending) - now).total_seconds()
        if wait > 0:
            return TurnResult("waiting for the lead to finish typing", contact.pk, retry_in=wait)
        outcome, queued = _answer(conversation, contact, pending, now, engine)
        Message.objects.filter(pk__in=[m.pk for m in pending]).update(answered_at=now)
        conversation.turn_count += 1
        conversation.save(update_fields=["state", "turn_count", "updated_at"])
    engine.finish_turn(contact)
    logger.info("turn conversation=%s outcome=%s messages=%s", conversation_id, outcome, len(pending))
    return TurnResult(outcome, contact.pk, queued_writes=queued)


def _read_ahead(engine: TurnEngine, conversation: Conversation, attempt: int) -> None:
    """Let the engine read the pending texts before the lock; inside it, the turn replays that reading
    if the texts and context are still the same."""
    if engine is OFFLINE:
        return  # it reads in a millisecond under the lock: nothing to read ahead, and no query to spend on it
    pending = _pending(conversation)
    if pending and _reply_due_at(pending) <= timezone.now():
        text, context = _reading_of(pending, ConversationState.from_dict(conversation.state), conversation.contact,
                                    timezone.now())
        engine.read_ahead(text, context, reply_due_at=_reply_due_at(pending), attempt=attempt)


def _pending(conversation: Conversation) -> list[Message]:
    return list(conversation.messages.filter(direction="inbound", answered_at__isnull=True).order_by("sent_at", "id"))


def _reply_due_at(pending: list[Message]) -> dt.datetime:
    """The lead's last text plus the debounce window: when the lead has likely finished typing."""
    return max(m.created_at for m in pending) + dt.timedelta(seconds=settings.JORGEBOT_REPLY_DEBOUNCE_SECONDS)


def _reading_of(
    pending: list[Message], state: ConversationState, contact: Contact, now: dt.datetime
) -> tuple[str, ExtractionContext]:
    """The one place a turn's text and context are built: the read-ahead and the turn must agree, or a
    reading done ahead is not used."""
    config = BotConfig.from_overrides(contact.location.bot_settings)
    context = extraction_context(state, config, lead_zone(contact.timezone, contact.location.timezone), now)
    # A burst of texts is read as one message: "Hi" + "I want to sell" is a seller.
    return "\n".join(m.body for m in pending), context


def _answer(
    conversation: Conversation, contact: Contact, pending: list[Message], now: dt.datetime, engine: Engine
) -> tuple[str, bool]:
    config = BotConfig.from_overrides(contact.location.bot_settings)
    state = ConversationState.from_dict(conversation.state)
    understood = engine.understand(*_reading_of(pending, state, contact, now))
    turn_key = f"turn:{conversation.pk}:{pending[-1].pk}"
    # The lead wrote again: drafts that answered older texts are moot.
    drafts.retire_drafts(contact)
    replied = False
    if contact.opted_out_at is not None:
        if understood.opt_in:
            outcome = opt_in_contact(contact, state, config, turn_key)
        else:
            outcome = "lead opted out; no reply"
    elif understood.opt_out:
        outcome = opt_out_contact(contact, state, config, turn_key, now, language=understood.language)
    else:
        silenced_by = _why_bot_is_silent(contact, config, now)
        screened = screening.screen_inbound(contact, state, understood, config, turn_key, silenced=silenced_by,
                                            bot=bot_for(contact, config))
        if screened.stop:
            outcome = screened.outcome
        elif silenced_by:
            outcome = f"no reply: {silenced_by}"
        else:
            listings = PropertyListings(contact.location_id, config.match_price_tolerance, config.max_matches)
            plan = plan_turn(state, snapshot_of(contact), understood, config, engine, listings, now)
            carry_out(contact, state, plan, config, turn_key, conversation.pk)
            if config.tag("human_follow_up") in plan.tags_add:
                human.note_handoff(contact, state, turn_key, _handoff_reason(understood))
            outcome = plan.outcome
            replied = True
    followups.plan_after_turn(contact, state, config, now, replied=replied)
    conversation.state = state.to_dict()
    queued = contact.outbox.filter(status="pending").exists()
    return outcome, queued


def _handoff_reason(understood: Extraction) -> str:
    return "the lead asked for a person" if understood.wants_human else "the bot handed the conversation on"


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
    bot = bot_for(contact, config)
    if config.mode_of(bot) == "off":
        return f"the {bot} bot is off at this location"
    return ""


def bot_for(contact: Contact, config: BotConfig) -> str:
    """BOTS.md: seller tags win over buyer tags; no bot tag means the lead bot."""
    if contact.has_tag(config.tag("seller_activation")) or contact.has_tag(config.tag("seller_lead")):
        return "seller"
    if contact.has_tag(config.tag("buyer_lead")):
        return "buyer"
    return "lead"


def snapshot_of(contact: Contact) -> LeadSnapshot:
    return LeadSnapshot(tuple(contact.tags), lead_zone(contact.timezone, contact.location.timezone).key)


def carry_out(
    contact: Contact, state: ConversationState, plan: TurnPlan, config: BotConfig, key: str, conversation_id: int
) -> None:
    """Apply a plan through the outbox under one key (stale tags removed first, fields, the reply as this bot's
    mode says), and start its calendar step once the transaction has committed."""
    changed = []
    if contact.active_bot != plan.bot:
        contact.active_bot = plan.bot
        changed.append("active_bot")
    if plan.temperature and contact.temperature != plan.temperature:
        contact.temperature = plan.temperature
        changed.append("temperature")
    # In auto mode the reply rides in the same INSERT as the tags; a draft (suggest mode) or nothing (off) is
    # bots.drafts' call. The same key as the tags: a closing text goes out although its turn added AI-Off.
    sends_now = config.mode_of(plan.bot) == "auto"
    outbox.queue_tags_and_fields(
        contact, key, add=plan.tags_add, remove=plan.tags_remove, fields=plan.custom_fields,
        text=plan.reply if sends_now else None, also_save=changed,
    )
    if plan.reply and not sends_now:
        drafts.queue_reply(contact, plan.reply, key, bot=plan.bot, config=config)
    if plan.booking_step:
        transaction.on_commit(partial(_start_booking_step, plan.booking_step, conversation_id))


def _start_booking_step(step: str, conversation_id: int) -> None:
    from bots import tasks  # bots.tasks imports this module

    task = tasks.offer_call_slots if step == "offer_slots" else tasks.book_call
    task.apply_async(args=[conversation_id])


def opt_out_contact(
    contact: Contact, state: ConversationState, config: BotConfig, key: str, now: dt.datetime,
    language: str | None = None,
) -> str:
    """TCPA: one confirmation at most, then silence until the lead texts START; DND set in GHL too. Whatever
    was waiting to go out (texts, deferred texts, follow-ups, drafts) is withdrawn."""
    contact.opted_out_at = now
    contact.save(update_fields=["opted_out_at", "updated_at"])
    compliance.cancel_pending_texts(contact, "the lead opted out")
    followups.cancel_follow_ups(contact, "the lead opted out")
    drafts.retire_drafts(contact)
    outbox.queue_tag_changes(contact, key, add=[config.tag("opt_out"), config.tag("ai_off")])
    # A DND already on in GHL means the carrier or GHL took the STOP and confirmed it: ours would be a second.
    if state.opt_out_confirmations == 0 and not contact.dnd_sms:
        state.language = language or state.language
        reply = choose_text("opt_out_confirmation", state, config)
        # Queued before the DND write: GHL refuses texts to a contact once its SMS DND is on.
        outbox.queue_text(contact, reply, key, bypass_opt_out=True)
        state.opt_out_confirmations += 1
        state.last_reply = reply
    outbox.queue_dnd(contact, key, enabled=True)
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
