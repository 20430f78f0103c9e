"""Try the bot: the real engine and workflows on a pretend lead, in dry run. Nothing is written to GHL, no SMS is
sent, no outbox row, contact or message is created; the pretend lead's tags and the bot's state live in a
practice session (Redis with a TTL for the API, memory for `manage.py chat`), so the same contact key carries
on the conversation.

The calendar is a practice one (one call a weekday, never GHL's), and a picked slot is booked only in the
session. Opt-out, the inbound screen (bots.screening) and the deactivation tags behave as in a real turn, so a
broker checking the bot's legal answers before going live sees the real ones.
"""
from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from django.utils import timezone

from bots import inbound_screen, screening
from bots.config import BotConfig, config_for
from bots.engine import OFFLINE, Engine, engine_for
from bots.matching import ListingMatch, PropertyListings
from bots.state import ConversationState
from bots.texts import choose_text
from bots.turns import LeadSnapshot, TurnPlan, extraction_context, lead_zone, plan_turn
from bots.workflows.booking import confirm_booking, offer_slots, practice_slots
from bots.workflows.handoff import bot_for
from bots.workflows.reply import render
from jorgebot.redis import get_redis
from leads.models import Location

# A practice conversation left alone this long is forgotten.
SESSION_SECONDS = 24 * 60 * 60
PRACTICE_APPOINTMENT = "practice"


@dataclass
class PracticeLead:
    """A pretend contact: its tags (as the bots changed them) and the bot's state, between messages."""

    key: str
    tags: list[str] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)
    opted_out: bool = False


class Sessions(Protocol):
    def load(self, location_id: str, key: str) -> PracticeLead | None: ...

    def save(self, location_id: str, lead: PracticeLead) -> None: ...


class RedisSessions:
    """Sessions of the API: any web process can take the next message."""

    def load(self, location_id: str, key: str) -> PracticeLead | None:
        raw = get_redis().get(_redis_key(location_id, key))
        return PracticeLead(**json.loads(raw)) if raw else None

    def save(self, location_id: str, lead: PracticeLead) -> None:
        get_redis().set(_redis_key(location_id, lead.key), json.dumps(asdict(lead)), ex=SESSION_SECONDS)


class MemorySessions:
    """Sessions of one terminal chat."""

    def __init__(self) -> None:
        self._leads: dict[tuple[str, str], PracticeLead] = {}

    def load(self, location_id: str, key: str) -> PracticeLead | None:
        return self._leads.get((location_id, key))

    def save(self, location_id: str, lead: PracticeLead) -> None:
        self._leads[(location_id, lead.key)] = lead


@dataclass(frozen=True)
class SimulatedTurn:
    """What the bot would do with this message: the reply, who answered, and every write it would make."""

    contact_key: str
    reply: str | None
    bot: str
    outcome: str
    temperature: str | None
    next_question: str | None
    tags_add: list[str]
    tags_remove: list[str]
    tags: list[str]
    custom_fields: dict[str, str]
    handoff: str | None
    matches: list[ListingMatch]
    state: dict[str, Any]
    # What the inbound screen caught, in the broker's words ("Fair Housing request (familial status)").
    screened: list[str] = field(default_factory=list)


def simulate_turn(
    location: Location,
    message: str,
    *,
    sessions: Sessions,
    contact_key: str | None = None,
    tags: list[str] | None = None,
    now: dt.datetime | None = None,
    engine: Engine | None = None,
) -> SimulatedTurn:
    """Run one message through the bots for a pretend lead of `location`; `tags` replace the lead's tags (as if
    changed in GHL), else they carry on from the last message. `engine` defaults to the location's."""
    now = now or timezone.now()
    lead = sessions.load(location.id, contact_key) if contact_key else None
    if lead is None:
        lead = PracticeLead(key=contact_key or uuid.uuid4().hex, tags=list(tags or []))
    elif tags is not None:
        lead.tags = list(tags)
    config = config_for(location)
    state = ConversationState.from_dict(lead.state)
    found = inbound_screen.screen(message, (config.agent_name,))
    plan = _plan(lead, state, message, found, config, engine or engine_for(location), location, now)
    lead.tags = [tag for tag in lead.tags if tag not in plan.tags_remove]
    lead.tags += [tag for tag in plan.tags_add if tag not in lead.tags]
    lead.state = state.to_dict()
    sessions.save(location.id, lead)
    return SimulatedTurn(
        contact_key=lead.key, reply=plan.reply, bot=plan.bot, outcome=plan.outcome,
        temperature=state.temperatures.get(plan.bot), next_question=state.last_question, tags_add=plan.tags_add,
        tags_remove=plan.tags_remove, tags=list(lead.tags), custom_fields=plan.custom_fields, handoff=plan.handoff,
        matches=plan.matches, state=lead.state, screened=screening.describe(found),
    )


def _plan(
    lead: PracticeLead, state: ConversationState, message: str, found: inbound_screen.ScreenResult, config: BotConfig,
    engine: Engine, location: Location, now: dt.datetime,
) -> TurnPlan:
    """What bots.services would do with this message, minus the writes: the inbound screen first (opt-out, opt-in,
    then bots.screening's classes), then the stop tags, then the bot's own plan from the engine's reading."""
    language = screening.language_of(message, state, found)
    if lead.opted_out:
        if not found.has(inbound_screen.ScreenClass.OPT_IN):
            return TurnPlan(bot=state.bot, outcome="lead opted out; no reply")
        lead.opted_out = False
        state.opt_out_confirmations = 0
        state.last_question = "intent"
        return _said(state, config, "opt_in_confirmation", "lead opted back in",
                     remove=[config.tag("opt_out"), config.tag("ai_off")])
    if found.has(inbound_screen.ScreenClass.OPT_OUT):
        lead.opted_out = True
        state.opt_out_confirmations += 1
        state.language = language
        return _said(state, config, "opt_out_confirmation", "lead opted out",
                     add=[config.tag("opt_out"), config.tag("ai_off"), *screening.alert_tags(found, config)])
    snapshot = LeadSnapshot(tuple(lead.tags), lead_zone(location.timezone).key)
    bot = bot_for(snapshot, state, config)
    silenced_by = next((tag for tag in config.deactivation_tags if snapshot.has(tag)), None)
    # A practice lead has no source: the consent answer says when, not where from.
    screened = screening.plan_screened_turn(found, state, config, bot=bot, silenced=silenced_by is not None,
                                            language=language, lead=screening.LeadFacts())
    if screened is not None and screened.reading is None:
        if screened.reply:
            state.last_reply = screened.reply
        return TurnPlan(bot=bot, reply=screened.reply, outcome=screened.outcome, tags_add=list(screened.tags_add))
    if silenced_by:
        return TurnPlan(bot=state.bot, outcome=f"no reply: contact has the {silenced_by} tag")
    listings = PropertyListings(location.id, config.match_price_tolerance, config.max_matches)
    if screened is not None and screened.reading is not None:
        plan = plan_turn(state, snapshot, screened.reading, config, OFFLINE, listings, now)
    else:
        understood = engine.understand(message, extraction_context(state, config, lead_zone(location.timezone), now))
        plan = plan_turn(state, snapshot, understood, config, engine, listings, now)
    if plan.booking_step:
        _book_in_practice(plan, state, config, snapshot, now)
    return plan


def _book_in_practice(
    plan: TurnPlan, state: ConversationState, config: BotConfig, lead: LeadSnapshot, now: dt.datetime
) -> None:
    """What bots.booking does after the commit, with the practice calendar and no GHL."""
    step = TurnPlan(bot=plan.bot)
    if plan.booking_step == "offer_slots":
        offer_slots(state, step, practice_slots(now, config, lead.zone), config)
    else:
        confirm_booking(state, step, PRACTICE_APPOINTMENT, config)
    render(step, state, config, OFFLINE)
    state.last_question = step.next_question
    plan.reply = step.reply
    plan.add_tags(*step.tags_add)
    plan.outcome = f"{plan.bot} bot replied"


def _said(
    state: ConversationState, config: BotConfig, key: str, outcome: str, *, add: list[str] | None = None,
    remove: list[str] | None = None,
) -> TurnPlan:
    reply = choose_text(key, state, config)
    state.last_reply = reply
    return TurnPlan(bot=state.bot, reply=reply, outcome=outcome, tags_add=add or [], tags_remove=remove or [])


def _redis_key(location_id: str, key: str) -> str:
    return f"jorgebot:simulator:{location_id}:{key}"
