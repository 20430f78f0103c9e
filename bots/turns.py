"""Plans one bot turn without doing any of it: `plan_turn` reads the state, the contact's tags and what the lead
said, and returns a `TurnPlan` (the reply, tag and field changes, the next question, a handoff, a booking step).

`bots.services.take_turn` applies a plan through the outbox; the simulator applies it to a practice session.
The only reads are the listings, through the `ListingSearch` it is given, and the location's FAQ answers when the
lead asked something (bots.faq); nothing here writes or calls GHL.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bots.config import BotConfig
from bots.engine import Engine
from bots.faq import LocationFacts
from bots.matching import ListingSearch
from bots.nlu import Extraction, ExtractionContext
from bots.state import ConversationState
from bots.workflows.acts import (
    Facts,
    answer_out_of_qualification,
    answer_question,
    hear_feeling,
    plays_out_of_qualification,
    step_back,
)
from bots.workflows.booking import take_slot_pick
from bots.workflows.buyer import take_buyer_turn
from bots.workflows.conversation import (
    LeadSnapshot,
    TurnContext,
    note_progress,
    remember_answers,
    unread_answers_field,
    write_fields,
)
from bots.workflows.decision import TurnPlan
from bots.workflows.handoff import bot_for, switch_bot
from bots.workflows.lead import take_lead_turn
from bots.workflows.reply import render
from bots.workflows.seller import take_seller_turn

DEFAULT_TIMEZONE = "America/Los_Angeles"

WORKFLOWS: dict[str, Callable[[TurnContext, TurnPlan], None]] = {
    "lead": take_lead_turn,
    "seller": take_seller_turn,
    "buyer": take_buyer_turn,
}

__all__ = ["LeadSnapshot", "TurnPlan", "extraction_context", "lead_zone", "plan_turn"]


def plan_turn(
    state: ConversationState,
    lead: LeadSnapshot,
    understood: Extraction,
    config: BotConfig,
    engine: Engine,
    listings: ListingSearch,
    now: dt.datetime,
    facts: Facts | None = None,
) -> TurnPlan:
    """Decide this turn's reply and writes; `state` is updated in place to what follows from them.

    `facts` are the location's answers to leads' questions (bots.faq); by default those of the location whose
    listings these are, read only when the lead asks something.
    """
    state.language = understood.language
    asked = state.last_question
    answered = remember_answers(state, understood, asked)
    plan = TurnPlan(bot=bot_for(lead, state, config))
    progress = note_progress(state, asked, answered, understood, config, plan.bot)
    ctx = TurnContext(state, lead, understood, config, now, listings, progress)
    if understood.wants_human:
        hand_to_person(ctx, plan)
    elif plays_out_of_qualification(ctx):
        answer_out_of_qualification(ctx, plan)
    elif state.vague_streak >= config.vague_turns_before_exhausted:
        end_exhausted(ctx, plan)
    elif state.booking.status == "offered":
        take_slot_pick(ctx, plan)
    else:
        bot = switch_bot(ctx, plan, plan.bot)
        if understood.asks_if_bot:
            plan.say("ai_identity")
        heard = hear_feeling(ctx, plan)
        answer_question(ctx, plan, facts or LocationFacts(getattr(listings, "location_id", None)))
        WORKFLOWS[bot](ctx, plan)
        if understood.feeling is not None and not heard:
            step_back(ctx, plan, understood.feeling)
    if progress.accepted_unknown:
        write_fields(ctx, plan, {"unread_answers": unread_answers_field(state)})
    state.bot = plan.bot
    render(plan, state, config, engine)
    if plan.reply is not None or plan.next_question is not None:
        state.last_question = plan.next_question
    plan.outcome = _outcome(plan)
    return plan


def hand_to_person(ctx: TurnContext, plan: TurnPlan) -> None:
    """ "Can I talk to Jorge?", "call me": a person takes over, and the bot stops (AI-Off) after saying so."""
    plan.say("human_requested")
    plan.add_tags(ctx.tag("human_follow_up"), ctx.tag("ai_off"))


def end_exhausted(ctx: TurnContext, plan: TurnPlan) -> None:
    """Five vague answers in a row: thank them, and leave the lead to a person."""
    plan.say("exhausted")
    plan.add_tags(ctx.tag("objection_exhausted"), ctx.tag("human_follow_up"), ctx.tag("ai_off"))


def extraction_context(
    state: ConversationState, config: BotConfig, zone: ZoneInfo, now: dt.datetime
) -> ExtractionContext:
    """What the engine reads the next message against: the last question, the lead's language, the slots offered
    (in the lead's local time, as is `now`, so "Tuesday at 10" and "tomorrow" mean the lead's)."""
    offered = state.booking.offered if state.booking.status == "offered" else []
    return ExtractionContext(
        last_question=state.last_question,
        language=state.language,
        offered_slots=tuple(dt.datetime.fromisoformat(slot) for slot in offered),
        now=now.astimezone(zone),
        agent_names=(config.agent_name,),
    )


def lead_zone(*names: str) -> ZoneInfo:
    """The first valid time zone of the names given (the contact's, then the location's)."""
    for name in names:
        if not name:
            continue
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return ZoneInfo(DEFAULT_TIMEZONE)


def _outcome(plan: TurnPlan) -> str:
    if plan.reply:
        return f"{plan.bot} bot replied"
    if plan.booking_step:
        return f"{plan.bot} bot: {plan.booking_step.replace('_', ' ')} after the turn"
    return f"{plan.bot} bot had nothing to say"
