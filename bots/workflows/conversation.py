"""Steps every bot takes on every turn: remember what the lead said, count non-answers, acknowledge stalls and
objections with the right strategy, and write temperatures and custom fields only when they change.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bots.config import BotConfig
from bots.matching import ListingSearch
from bots.nlu import Extraction, Intent, Objection, Stall
from bots.state import ConversationState
from bots.workflows.decision import Line, TurnPlan
from bots.workflows.questions import BY_ID, QUESTIONS_OF, TIMELINE, Question

# BOTS.md: repeated objections escalate validate -> data -> social proof -> market test, then stay there.
OBJECTION_LADDER = ("validate", "data", "social_proof", "market_test")
# What is kept of unreadable answers: the last two, each cut to a text's length.
UNREAD_KEPT = 2
UNREAD_CHARS = 320
# "Who is this?" and "is this a scam?" are answered with who we are every time, never with market data.
ALWAYS_VALIDATED = frozenset({Objection.TRUST})

TEMPERATURE_TAGS: dict[str, tuple[str, str, str]] = {
    bot: (f"hot_{bot}", f"warm_{bot}", f"cold_{bot}") for bot in ("seller", "buyer", "lead")
}


@dataclass(frozen=True)
class LeadSnapshot:
    """What a turn may know of the contact: its tags (GHL's, as we last saw them) and its time zone."""

    tags: tuple[str, ...]
    timezone: str = "America/Los_Angeles"

    def has(self, tag: str) -> bool:
        wanted = tag.casefold()
        return any(existing.casefold() == wanted for existing in self.tags)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class Progress:
    """How this message moved the qualification along."""

    # The question the bot had asked before this message (None on a first message).
    asked: str | None
    # The questions this message answered, whichever bot asks them.
    answered: frozenset[str]
    # The question accepted as unknown this turn, after stalling twice.
    accepted_unknown: str | None


@dataclass
class TurnContext:
    """Everything a bot's workflow reads; the workflow writes only to `state` and the plan."""

    state: ConversationState
    lead: LeadSnapshot
    understood: Extraction
    config: BotConfig
    now: dt.datetime
    listings: ListingSearch
    progress: Progress

    def tag(self, key: str) -> str:
        return self.config.tag(key)


def remember_answers(state: ConversationState, understood: Extraction, asked: str | None) -> frozenset[str]:
    """Keep every answer in the message, whichever bot asked and in whatever order; returns the questions answered.

    All of it is kept in one state, so a bot that takes over after a handoff never asks it again.
    """
    found: set[str] = set()
    seller, buyer = state.seller, state.buyer
    if understood.property_address:
        seller.property_address = understood.property_address
        found.add("property_address")
    if understood.motivation:
        seller.motivation = understood.motivation.value
        found.add("motivation")
    if understood.relocation_destination:
        seller.relocation_destination = understood.relocation_destination
    if understood.timeline_acceptable and _is_timeline_answer(understood, asked):
        seller.timeline_acceptable = understood.timeline_acceptable.value
        found.add("timeline")
    if understood.timeline_urgency:
        seller.timeline_urgency = understood.timeline_urgency.value
    if understood.property_condition:
        seller.property_condition = understood.property_condition.value
        found.add("property_condition")
    if understood.price_expectation:
        seller.price_low, seller.price_high = understood.price_expectation
        found.add("price_expectation")
    if understood.areas:
        # "scratch that, Fontana instead" replaces the areas; otherwise each new area adds to them.
        kept = [] if understood.correction else buyer.areas
        buyer.areas = list(dict.fromkeys([*kept, *understood.areas]))
        found.add("area")
    if understood.bedrooms:
        buyer.bedrooms = understood.bedrooms
        found.add("bedrooms")
    if understood.bathrooms:
        buyer.bathrooms = understood.bathrooms
    if understood.must_haves:
        buyer.must_haves = list(dict.fromkeys([*buyer.must_haves, *understood.must_haves]))
    if understood.budget:
        buyer.budget_low, buyer.budget_high = understood.budget
        found.add("budget")
    if understood.financing:
        buyer.financing = understood.financing.value
        found.add("preapproval")
    if understood.buyer_timeline_days is not None:
        buyer.timeline_days = understood.buyer_timeline_days
        found.add("buyer_timeline")
    if understood.intent is not Intent.UNCLEAR:
        found.add("intent")
    state.unknown = [question for question in state.unknown if question not in found]
    return frozenset(found)


def _is_timeline_answer(understood: Extraction, asked: str | None) -> bool:
    """ "Sounds good" or "no problem" answers the 30 to 45 day question only when it is the question asked; said
    to anything else (a thank you) it is politeness. A date or an urgency ("asap", "next year") always counts."""
    said_when = understood.timeline_urgency is not None or understood.buyer_timeline_days is not None
    return said_when or asked == TIMELINE.id


def note_progress(
    state: ConversationState, asked: str | None, answered: frozenset[str], understood: Extraction, config: BotConfig,
    bot: str,
) -> Progress:
    """Count vague turns in a row, and non-answers to the question asked; a question that stalls twice is unknown.
    A question that went unanswered twice is unknown too, even when the lead answered other questions meanwhile:
    it never goes out a third time (BOTS.md). A real answer the bot could not read is kept in the lead's words for
    the person who calls.

    Asking back (are you a bot, what are your fees) or saying how they feel is not a miss: the bot answers that and
    asks again.
    """
    if understood.vague:
        state.vague_streak += 1
    elif answered:
        state.vague_streak = 0
    accepted_unknown = None
    question = BY_ID.get(asked or "")
    if question is None or question.is_settled(state):
        return Progress(asked, answered, None)
    aside = understood.asks_if_bot or understood.question is not None or understood.feeling is not None
    if aside:
        return Progress(asked, answered, None)
    # Only answers to `bot`'s own questions are progress: a seller naming a town answered no seller question.
    if not answered & {own.id for own in QUESTIONS_OF[bot]}:
        state.misses[question.id] = state.misses.get(question.id, 0) + 1
    unanswered = unanswered_askings(state)
    unanswered[question.id] = unanswered.get(question.id, 0) + 1
    if not answered and not understood.vague and understood.text.strip():
        unread = unread_answers(state).setdefault(question.id, [])
        unread[:] = [*unread, understood.text.strip()[:UNREAD_CHARS]][-UNREAD_KEPT:]
    stalled = state.misses.get(question.id, 0) >= config.stalls_before_unknown
    if stalled or unanswered[question.id] >= config.stalls_before_unknown:
        state.unknown.append(question.id)
        accepted_unknown = question.id
    return Progress(asked, answered, accepted_unknown)


def unanswered_askings(state: ConversationState) -> dict[str, int]:
    """How often each question went out and the lead's next text (not an aside) did not answer it."""
    unanswered: dict[str, int] = state.extra.setdefault("unanswered", {})
    return unanswered


def unread_answers(state: ConversationState) -> dict[str, list[str]]:
    """Real answers the bot could not read, per question, in the lead's words (for the person who calls)."""
    unread: dict[str, list[str]] = state.extra.setdefault("unread_answers", {})
    return unread


def unread_answers_field(state: ConversationState) -> str | None:
    """The custom field with what the lead said to the questions accepted as unknown, for the person who calls."""
    unread = unread_answers(state)
    parts = [f"{question}: {' / '.join(unread[question])}" for question in state.unknown if unread.get(question)]
    return "; ".join(parts) or None


def detect_stall(understood: Extraction) -> Stall | Objection | None:
    """The stall or objection in the last message; an objection says more, so it wins when there are both."""
    return understood.objection or understood.stall


def select_strategy(state: ConversationState, signal: Stall | Objection | None) -> str:
    """Understanding after a stall; on objections, one rung further up the ladder each time."""
    if isinstance(signal, Objection) and signal not in ALWAYS_VALIDATED:
        state.strategy = OBJECTION_LADDER[min(state.objections, len(OBJECTION_LADDER) - 1)]
        state.objections += 1
    elif isinstance(signal, Objection):
        state.strategy = "validate"
    elif isinstance(signal, Stall):
        state.strategy = "understanding"
    return state.strategy


def acknowledgement(signal: Stall | Objection | None, strategy: str) -> Line | None:
    """The lead in that acknowledges a stall or an objection before the bot steers back to its question."""
    if isinstance(signal, Objection):
        return Line(f"objection_{signal.value}" if strategy == "validate" else f"objection_{strategy}")
    if isinstance(signal, Stall):
        return Line(f"stall_{signal.value}")
    return None


def ask(ctx: TurnContext, plan: TurnPlan, question: Question, *lead_ins: Line | None) -> None:
    """Ask `question`, after whatever deserves saying first (an acknowledgement, what we found)."""
    # A handoff this turn clears what the last bot gave up on: nothing to move on from then.
    if ctx.progress.accepted_unknown in ctx.state.unknown:
        plan.say("move_on")
    plan.lines.extend(line for line in lead_ins if line is not None)
    # The same question again (it got no answer) is asked another way.
    again = ctx.progress.asked == question.id
    if again:
        key = question.reask_key
    elif question.introduces:
        # Its greeting only when nothing else was said first.
        key = question.text_key if not plan.lines else f"{question.text_key}_plain"
    else:
        key = question.text_key
    if not plan.lines and (again or not question.introduces):
        answered_here = ctx.progress.answered & {own.id for own in QUESTIONS_OF[plan.bot]}
        if answered_here:
            plan.say("got_it")
        elif ctx.progress.asked:
            plan.say("no_worries")
    plan.say(key)
    plan.next_question = question.id


def wrap_up(ctx: TurnContext, plan: TurnPlan, bot: str, *lead_ins: Line | None) -> None:
    """Every question settled and no call to book: thank the lead once, then only acknowledge what they add."""
    plan.lines.extend(line for line in lead_ins if line is not None)
    if bot in ctx.state.wrapped_up:
        plan.say(f"{bot}_done")
    else:
        plan.say(f"{bot}_wrap_up")
        ctx.state.wrapped_up.append(bot)
    plan.next_question = None


def is_rated(ctx: TurnContext, bot: str, answers: tuple[Question, ...]) -> bool:
    """A bot judges a lead once the lead has answered one of its questions or replied to one: a lead who only
    said hello is not tagged cold (GHL workflows start nurture campaigns on those tags)."""
    asked_by_bot = ctx.progress.asked in {question.id for question in QUESTIONS_OF[bot]}
    return asked_by_bot or bot in ctx.state.temperatures or any(q.is_answered(ctx.state) for q in answers)


def write_temperature(ctx: TurnContext, plan: TurnPlan, bot: str, temperature: str) -> None:
    """Exactly one temperature tag per bot: the other two are removed first (the outbox removes before it adds)."""
    plan.temperature = temperature
    write_fields(ctx, plan, {f"{bot}_temperature": temperature})
    if ctx.state.temperatures.get(bot) == temperature:
        return
    ctx.state.temperatures[bot] = temperature
    keep = ctx.tag(f"{temperature}_{bot}")
    plan.remove_tags(*(ctx.tag(key) for key in TEMPERATURE_TAGS[bot] if ctx.tag(key) != keep))
    plan.add_tags(keep)


def write_fields(ctx: TurnContext, plan: TurnPlan, values: dict[str, str | None]) -> None:
    """Queue the custom fields whose value changed since they were last written."""
    for name, value in values.items():
        if value is None or ctx.state.fields_written.get(name) == value:
            continue
        plan.custom_fields[ctx.config.field_key(name)] = value
        ctx.state.fields_written[name] = value


def seller_fields(state: ConversationState) -> dict[str, str | None]:
    """The seller's answers as BOTS.md names their fields; a question accepted as unknown reads "unknown"."""
    seller = state.seller

    def unless_unknown(question: str, value: str | None) -> str | None:
        return value if value is not None else ("unknown" if question in state.unknown else None)

    return {
        "property_address": seller.property_address,
        "motivation": unless_unknown("motivation", seller.motivation),
        "relocation_destination": seller.relocation_destination,
        "timeline_acceptable": unless_unknown("timeline", seller.timeline_acceptable),
        "timeline_urgency": seller.timeline_urgency,
        "property_condition": unless_unknown("property_condition", seller.property_condition),
        "price_expectation": unless_unknown("price_expectation", dollar_range(seller.price_low, seller.price_high)),
    }


def buyer_fields(state: ConversationState) -> dict[str, str | None]:
    buyer = state.buyer
    return {
        "buyer_areas": ", ".join(buyer.areas) or None,
        "buyer_bedrooms": str(buyer.bedrooms) if buyer.bedrooms else None,
        "buyer_must_haves": ", ".join(buyer.must_haves) or None,
        "buyer_budget": dollar_range(buyer.budget_low, buyer.budget_high),
        "buyer_financing": buyer.financing,
        "buyer_timeline_days": str(buyer.timeline_days) if buyer.timeline_days is not None else None,
        "matched_listings": ", ".join(state.matches) or None,
    }


def dollar_range(low: int | None, high: int | None) -> str | None:
    if high is None:
        return None
    return str(high) if low in (None, high) else f"{low} to {high}"

