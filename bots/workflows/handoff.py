"""Which bot answers, triage of a new lead, and handoffs between bots (BOTS.md "Which bot answers", "Handoff
between bots").

Tags decide the bot. A handoff swaps the activation tags, adds `Handoff-<From>-to-<To>`, and keeps everything
learned in the one state, so the next bot does not ask it again. Guards: no hand back to the bot that handed
off within 30 minutes; at most 3 handoffs an hour and 10 a day per contact.
"""
from __future__ import annotations

import datetime as dt

from bots.config import BotConfig
from bots.nlu import Extraction, Intent
from bots.state import ConversationState, Handoff
from bots.workflows.conversation import LeadSnapshot, TurnContext
from bots.workflows.decision import TurnPlan

# The tags that turn a bot on. The lead bot also answers a contact with no bot tag at all.
ACTIVATION_TAGS = {"seller": ("seller_activation", "seller_lead"), "buyer": ("buyer_lead",), "lead": ("lead_bot",)}
# The tag each bot adds when it takes over.
TAKES_OVER_WITH = {"seller": "seller_activation", "buyer": "buyer_lead"}
# Before the lead bot knows what a lead wants, the lead's own words decide it (BOTS.md triage).
TRIAGE_QUESTIONS = (None, "intent")


def bot_for(lead: LeadSnapshot, state: ConversationState, config: BotConfig) -> str:
    """Seller tags win over buyer tags; no bot tag means the lead bot. A hot seller loses `Needs Qualifying`
    (BOTS.md) but keeps the seller bot through `Seller-Qualified` while no other bot tag is set."""
    if any(lead.has(config.tag(key)) for key in ACTIVATION_TAGS["seller"]):
        return "seller"
    if lead.has(config.tag("buyer_lead")):
        return "buyer"
    if state.bot == "seller" and lead.has(config.tag("seller_qualified")):
        return "seller"
    return "lead"


def switch_bot(ctx: TurnContext, plan: TurnPlan, bot: str) -> str:
    """The bot that answers this message: triage on a lead's first words, else a handoff when intent is strong."""
    if bot == "lead" and ctx.progress.asked in TRIAGE_QUESTIONS:
        target = triage(ctx.state, ctx.understood)
        if target is not None:
            activate(ctx, plan, target)
        return target or bot
    target = handoff_target(bot, ctx.understood, ctx.config)
    if target is not None and may_hand_off(ctx.state, bot, target, ctx.now, ctx.config):
        hand_off(ctx, plan, bot, target)
        return target
    return bot


def triage(state: ConversationState, understood: Extraction) -> str | None:
    """Sell (or both: the seller bot goes first) to the seller bot, buy to the buyer bot, unclear stays."""
    state.intent = understood.intent.value
    if understood.intent in (Intent.SELL, Intent.BOTH):
        return "seller"
    if understood.intent is Intent.BUY:
        return "buyer"
    return None


def handoff_target(bot: str, understood: Extraction, config: BotConfig) -> str | None:
    """The bot this message's intent scores point to, past the threshold for leaving `bot`.

    The other side must also outweigh the current one: "we want to sell and buy" keeps a seller a seller.
    """
    buy, sell = understood.buy_intent, understood.sell_intent
    if bot == "lead":
        if sell >= config.lead_handoff_intent and sell >= buy:
            return "seller"
        if buy >= config.lead_handoff_intent:
            return "buyer"
    elif bot == "buyer" and sell >= config.buyer_to_seller_intent and sell > buy:
        return "seller"
    elif bot == "seller" and buy >= config.seller_to_buyer_intent and buy > sell:
        return "buyer"
    return None


def may_hand_off(state: ConversationState, from_bot: str, to_bot: str, now: dt.datetime, config: BotConfig) -> bool:
    times = [(handoff, dt.datetime.fromisoformat(handoff.at)) for handoff in state.handoffs]
    back_window = dt.timedelta(minutes=config.handoff_back_after_minutes)
    if any(h.from_bot == to_bot and h.to_bot == from_bot and now - at < back_window for h, at in times):
        return False
    if sum(now - at < dt.timedelta(hours=1) for _, at in times) >= config.max_handoffs_per_hour:
        return False
    return sum(now - at < dt.timedelta(days=1) for _, at in times) < config.max_handoffs_per_day


def hand_off(ctx: TurnContext, plan: TurnPlan, from_bot: str, to_bot: str) -> None:
    state = ctx.state
    activate(ctx, plan, to_bot)
    tag = ctx.tag(f"handoff_{from_bot}_to_{to_bot}")
    plan.add_tags(tag)
    plan.handoff = tag
    # Only the last day matters to the guards.
    state.handoffs = [h for h in state.handoffs if ctx.now - dt.datetime.fromisoformat(h.at) < dt.timedelta(days=1)]
    state.handoffs.append(Handoff(from_bot, to_bot, ctx.now.isoformat()))
    # A seller who relocates and now buys is buying where they move to.
    destination = state.seller.relocation_destination
    if to_bot == "buyer" and not state.buyer.areas and destination and destination != "out of state":
        state.buyer.areas = [destination]
    plan.say(f"handoff_to_{to_bot}")


def activate(ctx: TurnContext, plan: TurnPlan, bot: str) -> None:
    """Swap the activation tags to `bot`. What the other bots left unanswered is asked afresh by this one."""
    others = [key for other, keys in ACTIVATION_TAGS.items() if other != bot for key in keys]
    plan.remove_tags(*(ctx.tag(key) for key in others if ctx.lead.has(ctx.tag(key))))
    plan.add_tags(ctx.tag(TAKES_OVER_WITH[bot]))
    ctx.state.unknown.clear()
    ctx.state.misses.clear()
    ctx.state.extra.pop("unanswered", None)
    ctx.state.vague_streak = 0
    ctx.state.bot = bot
    plan.bot = bot
