"""The lead bot (BOTS.md "Lead bot"): triage a new lead into the seller or buyer bot (bots.workflows.handoff),
and lightly qualify a lead who is neither yet: what they want, when they might move, where.

A lead's temperature comes from a 0 to 100 lead score: hot at 80, warm at 40.
"""
from __future__ import annotations

from bots.config import BotConfig
from bots.nlu import Stall
from bots.workflows.conversation import (
    TurnContext,
    acknowledgement,
    ask,
    detect_stall,
    is_rated,
    select_strategy,
    wrap_up,
    write_fields,
    write_temperature,
)
from bots.workflows.decision import TurnPlan
from bots.workflows.questions import LEAD_QUESTIONS, first_open

# What each thing we know about a lead adds to the score: when they might move weighs most.
SCORE_BASE = 10
SCORE_MOVING_WITHIN = ((90, 40), (180, 25), (365, 10))
SCORE_AREA = 10
SCORE_MONEY = 15
SCORE_ENGAGED = 10


def take_lead_turn(ctx: TurnContext, plan: TurnPlan) -> None:
    score = score_lead(ctx)
    if is_rated(ctx, "lead", ()):
        ctx.state.lead_score = score
        write_temperature(ctx, plan, "lead", temperature_of(score, ctx.config))
        write_fields(ctx, plan, {"lead_score": str(score)})
    signal = detect_stall(ctx.understood)
    ack = acknowledgement(signal, select_strategy(ctx.state, signal))
    question = first_open(LEAD_QUESTIONS, ctx.state)
    if question is None:
        wrap_up(ctx, plan, "lead", ack)
    else:
        ask(ctx, plan, question, ack)


def score_lead(ctx: TurnContext) -> int:
    state, understood = ctx.state, ctx.understood
    score = SCORE_BASE
    days = state.buyer.timeline_days
    if days is not None:
        score += next((points for within, points in SCORE_MOVING_WITHIN if days <= within), 0)
    if state.buyer.areas:
        score += SCORE_AREA
    if state.buyer.budget_high is not None or state.seller.price_high is not None:
        score += SCORE_MONEY
    if not understood.vague and understood.stall is not Stall.JUST_LOOKING:
        score += SCORE_ENGAGED
    return min(score, 100)


def temperature_of(score: int, config: BotConfig) -> str:
    """The lead bot's temperature of a score, by the location's bands (hot from 80, warm from 40 by default)."""
    if score >= config.hot_lead_score:
        return "hot"
    return "warm" if score >= config.warm_lead_score else "cold"
