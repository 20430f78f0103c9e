"""The one entry point for a bot turn: `take_turn`. Views and tasks never touch conversation state directly.

A turn answers every unanswered inbound text of one contact at once, in arrival order. It runs
in one transaction holding the conversation's row lock, so two workers can never answer the same
contact at the same time, and a worker killed mid-turn leaves nothing half-written: the lock dies
with its connection and the redelivered task starts over. Slow work stays outside that transaction:
GHL lookups and Claude, which reads the texts before the lock is taken and phrases the reply after
the commit (bots.engine.TurnEngine). Most turns have none (offline, the contact already synced): they
answer under the first lock they take; the others let it go, do the slow work, and lock again.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial

from cachalot.api import cachalot_disabled
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from bots import compliance, drafts, faq, followups, human, inbound_screen, localtime, outbox, screening
from bots.config import BotConfig, config_for
from bots.engine import OFFLINE, Engine, TurnEngine, engine_for_turn
from bots.matching import PropertyListings
from bots.nlu import Extraction, ExtractionContext
from bots.state import ConversationState
from bots.texts import choose_text
from bots.turns import LeadSnapshot, TurnPlan, extraction_context, plan_turn
from bots.workflows.conversation import buyer_fields, remember_answers, seller_fields
from bots.workflows.handoff import bot_for
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
    with _uncached_reads():
        return _take_turn(conversation_id, now, attempt)


@contextmanager
def _uncached_reads() -> Iterator[None]:
    """A turn reads rows cachalot may not cache (texts, follow-ups, the outbox, rows under a lock) or rows the
    turn before it wrote (the conversation, the contact): cachalot would only miss, after compiling each
    statement once more for its cache key. A buyer's listings are one indexed scan, no dearer than a cache
    lookup. Cachalot still invalidates what the turn writes."""
    disabled = cachalot_disabled()
    disabled.__enter__()
    try:
        yield
    finally:
        # cachalot_disabled restores nothing when its block raises: close it as if the block had returned.
        disabled.__exit__(None, None, None)


def _take_turn(conversation_id: int, now: dt.datetime | None, attempt: int) -> TurnResult:
    with transaction.atomic():
        conversation = _locked(conversation_id)
        engine = engine_for_turn(conversation.contact.location)
        if engine is OFFLINE and conversation.contact.synced_at is not None:
            # Nothing slow to do first (no GHL lookup, nothing to read ahead, nothing to phrase after the
            # commit): the turn is taken under this lock, without reading the conversation a second time.
            return _answer_pending(conversation, engine, now)
    # Network I/O (the GHL lookup, Claude reading ahead) stays outside the transaction that holds the lock.
    if conversation.contact.synced_at is None:
        refresh_contact_from_ghl(conversation.contact)
    _read_ahead(engine, conversation, attempt)
    with transaction.atomic():
        conversation = _locked(conversation_id)
        result = _answer_pending(conversation, engine, now)
    # Only what this turn queued is phrased: nothing when it had nothing to answer.
    engine.finish_turn(conversation.contact)
    return result


def _locked(conversation_id: int) -> Conversation:
    """The conversation under its row lock (held until the caller's transaction ends), with its contact."""
    return (
        Conversation.objects.select_for_update(of=("self",)).select_related("contact__location").get(pk=conversation_id)
    )


def _answer_pending(conversation: Conversation, engine: TurnEngine, now: dt.datetime | None) -> TurnResult:
    """Answer every unanswered text at once; the caller holds the conversation's lock."""
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
    logger.info("turn conversation=%s outcome=%s messages=%s", conversation.pk, outcome, len(pending))
    return TurnResult(outcome, contact.pk, queued_writes=queued)


def _read_ahead(engine: TurnEngine, conversation: Conversation, attempt: int) -> None:
    """Let the engine read the pending texts before the lock; inside it, the turn replays that reading
    if the texts and context are still the same."""
    if engine is OFFLINE:
        return  # it reads in a millisecond under the lock: nothing to read ahead, and no query to spend on it
    pending = _pending(conversation)
    if pending and _reply_due_at(pending) <= timezone.now():
        contact = conversation.contact
        config = config_for(contact.location)
        text, context = _reading_of(pending, ConversationState.from_dict(conversation.state), contact, config,
                                    timezone.now())
        if inbound_screen.screen(text, (config.agent_name,)).hits:
            return  # a screened text is never read, least of all by Claude (bots.screening)
        engine.read_ahead(text, context, reply_due_at=_reply_due_at(pending), attempt=attempt)


def _pending(conversation: Conversation) -> list[Message]:
    return list(conversation.messages.filter(direction="inbound", answered_at__isnull=True).order_by("sent_at", "id"))


def _reply_due_at(pending: list[Message]) -> dt.datetime:
    """The lead's last text plus the debounce window: when the lead has likely finished typing."""
    return max(m.created_at for m in pending) + dt.timedelta(seconds=settings.JORGEBOT_REPLY_DEBOUNCE_SECONDS)


def _reading_of(
    pending: list[Message], state: ConversationState, contact: Contact, config: BotConfig, now: dt.datetime
) -> tuple[str, ExtractionContext]:
    """The one place a turn's text and context are built: the read-ahead and the turn must agree, or a
    reading done ahead is not used."""
    context = extraction_context(state, config, localtime.locale_of(contact, contact.location).zone, now)
    # A burst of texts is read as one message: "Hi" + "I want to sell" is a seller.
    return "\n".join(m.body for m in pending), context


def _answer(
    conversation: Conversation, contact: Contact, pending: list[Message], now: dt.datetime, engine: Engine
) -> tuple[str, bool]:
    config = config_for(contact.location)
    state = ConversationState.from_dict(conversation.state)
    text, context = _reading_of(pending, state, contact, config, now)
    # The inbound screen comes before any reading (bots.screening): a screened text fills no field.
    found = inbound_screen.screen(text, (config.agent_name,))
    language = screening.language_of(text, state, found)
    turn_key = f"turn:{conversation.pk}:{pending[-1].pk}"
    # The lead wrote again: drafts that answered older texts are moot.
    drafts.retire_drafts(contact)
    replied = queued = False
    if contact.opted_out_at is not None:
        if found.has(inbound_screen.ScreenClass.OPT_IN):
            outcome = opt_in_contact(contact, state, config, turn_key)
        else:
            outcome = "lead opted out; no reply"
    elif found.has(inbound_screen.ScreenClass.OPT_OUT):
        outcome = opt_out_contact(contact, state, config, turn_key, now, language=language)
        screening.queue_alert_tags(contact, found, config, turn_key)
    else:
        # The bot the lead's tags and state give before this message (a hot seller keeps the seller bot through
        # Seller-Qualified): its mode decides whether it answers, and safety texts are phrased in its voice.
        lead = snapshot_of(contact)
        bot = bot_for(lead, state, config)
        silenced_by = _why_bot_is_silent(contact, config, now, bot)
        screened = screening.plan_screened_turn(found, state, config, bot=bot, silenced=bool(silenced_by),
                                                language=language, lead=screening.facts_of(contact))
        if screened is not None and screened.reading is None:
            screening.carry_out_screened_turn(contact, state, screened, config, turn_key, bot=bot)
            outcome, replied = screened.outcome, screened.cadence_continues and not silenced_by
        elif silenced_by:
            outcome = f"no reply: {silenced_by}"
        else:
            # A request for a person or an AI question is answered from the screen's reading, offline.
            reading = screened.reading if screened is not None else None
            understood = reading if reading is not None else engine.understand(text, context)
            listings = PropertyListings(contact.location_id, config.match_price_tolerance, config.max_matches)
            plan = plan_turn(state, lead, understood, config, OFFLINE if reading is not None else engine, listings, now)
            queued = carry_out(contact, state, plan, config, turn_key, conversation.pk)
            if plan.unanswered_question:
                faq.collect_unanswered(contact.location_id, plan.unanswered_question, understood.text, state.language)
            if config.tag("human_follow_up") in plan.tags_add:
                human.note_handoff(contact, state, turn_key, _handoff_reason(understood))
            outcome = plan.outcome
            replied = True
    screening.log_screened_text(contact, found, text, turn_key, outcome)
    followups.plan_after_turn(contact, state, config, now, replied=replied)
    conversation.state = state.to_dict()
    # Rows this turn queued are pending: no need to ask the database whether anything is.
    queued = queued or contact.outbox.filter(status="pending").exists()
    return outcome, queued


def _handoff_reason(understood: Extraction) -> str:
    return "the lead asked for a person" if understood.wants_human else "the bot handed the conversation on"


def _why_bot_is_silent(contact: Contact, config: BotConfig, now: dt.datetime, bot: str) -> str:
    for tag in config.deactivation_tags:
        if contact.has_tag(tag):
            return f"contact has the {tag} tag"
    if contact.dnd_sms:
        return "SMS do-not-disturb is on"
    if contact.bot_paused_until and contact.bot_paused_until > now:
        return "a human took over"
    if contact.deleted_at is not None:
        return "contact deleted in GHL"
    if config.mode_of(bot) == "off":
        return f"the {bot} bot is off at this location"
    return ""


def snapshot_of(contact: Contact) -> LeadSnapshot:
    return LeadSnapshot(tuple(contact.tags), localtime.locale_of(contact, contact.location).zone.key)


def carry_out(
    contact: Contact, state: ConversationState, plan: TurnPlan, config: BotConfig, key: str, conversation_id: int
) -> bool:
    """Apply a plan through the outbox under one key (stale tags removed first, fields, the reply as this bot's
    mode says), and start its calendar step once the transaction has committed. True when it queued outbox rows."""
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
    queued = outbox.queue_tags_and_fields(
        contact, key, add=plan.tags_add, remove=plan.tags_remove, fields=plan.custom_fields,
        text=plan.reply if sends_now else None, also_save=changed,
    )
    if plan.reply and not sends_now:
        drafts.queue_reply(contact, plan.reply, key, bot=plan.bot, config=config)
    if plan.booking_step:
        transaction.on_commit(partial(_start_booking_step, plan.booking_step, conversation_id))
    return queued


# What a re-reading may fill in, by the state's answer each Extraction field stands for.
_ANSWER_OF: dict[str, Callable[[ConversationState], object]] = {
    "property_address": lambda state: state.seller.property_address,
    "motivation": lambda state: state.seller.motivation,
    "relocation_destination": lambda state: state.seller.relocation_destination,
    "timeline_acceptable": lambda state: state.seller.timeline_acceptable,
    "timeline_urgency": lambda state: state.seller.timeline_urgency,
    "property_condition": lambda state: state.seller.property_condition,
    "price_expectation": lambda state: state.seller.price_high,
    "areas": lambda state: state.buyer.areas,
    "bedrooms": lambda state: state.buyer.bedrooms,
    "bathrooms": lambda state: state.buyer.bathrooms,
    "must_haves": lambda state: state.buyer.must_haves,
    "budget": lambda state: state.buyer.budget_high,
    "financing": lambda state: state.buyer.financing,
    "buyer_timeline_days": lambda state: state.buyer.timeline_days,
}


def fill_in_missed_answers(conversation_id: int, reading: Extraction, key: str) -> frozenset[str]:
    """Keep what a re-reading of the whole conversation found where the bot has no answer yet, and write the
    new custom fields to GHL; returns the questions it answered.

    The answers the bot already holds came from the turn that asked for them, so they win over a reading of
    the whole thread. A question the bot had accepted as unknown counts as answered again, and the bot does not
    ask it. Routing (intent, bot, handoffs) is left to the lead's next turn. Under the conversation's lock, so
    it never interleaves with a turn; the same `key` twice queues nothing new.
    """
    with _uncached_reads(), transaction.atomic():
        conversation = _locked(conversation_id)
        contact = conversation.contact
        state = ConversationState.from_dict(conversation.state)
        missing = Extraction(**{name: getattr(reading, name) for name, held in _ANSWER_OF.items() if not held(state)})
        before = {**seller_fields(state), **buyer_fields(state)}
        answered = remember_answers(state, missing, asked=None)
        if not answered:
            return answered
        config = config_for(contact.location)
        changed = {name: value for name, value in {**seller_fields(state), **buyer_fields(state)}.items()
                   if value is not None and value != before[name]}
        state.fields_written.update(changed)
        conversation.state = state.to_dict()
        conversation.save(update_fields=["state", "updated_at"])
        if changed and contact.deleted_at is None:
            outbox.queue_field_update(contact, key, {config.field_key(name): value for name, value in changed.items()})
            outbox.deliver_after_commit([contact.pk])
    logger.info("filled in conversation=%s answers=%s", conversation_id, ",".join(sorted(answered)))
    return answered




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
