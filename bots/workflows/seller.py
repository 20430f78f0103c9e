"""The seller bot (BOTS.md "Seller bot"): the address, then why they sell, whether 30 to 45 days works, the
condition and the price, one question at a time; a hot seller is offered a call.

A turn is four steps: analyze intent (what the answers so far make of this seller), detect stall, select
strategy (understanding after a stall, an escalating answer to repeated objections), generate reply.
"""
from __future__ import annotations

from dataclasses import dataclass

from bots.state import ConversationState
from bots.workflows.booking import start_booking
from bots.workflows.conversation import (
    TurnContext,
    acknowledgement,
    ask,
    detect_stall,
    is_rated,
    select_strategy,
    seller_fields,
    wrap_up,
    write_fields,
    write_temperature,
)
from bots.workflows.decision import Line, TurnPlan
from bots.workflows.questions import PROPERTY_ADDRESS, SELLER_QUESTIONS, Question, first_open

# Motivations that lean to a cash (wholesale) offer, and the lifestyle moves that lean to a listing.
DISTRESS_MOTIVATIONS = frozenset({"inherited", "divorce", "financial"})
LIFESTYLE_MOTIVATIONS = frozenset({"relocation", "downsizing", "upgrading"})


@dataclass(frozen=True)
class SellerPicture:
    """What the answers so far make of this seller."""

    answered: int  # of the four questions
    temperature: str
    offer_type: str | None


def take_seller_turn(ctx: TurnContext, plan: TurnPlan) -> None:
    picture = analyze_intent(ctx)
    signal = detect_stall(ctx.understood)
    strategy = select_strategy(ctx.state, signal)
    generate_reply(ctx, plan, picture, acknowledgement(signal, strategy))


def analyze_intent(ctx: TurnContext) -> SellerPicture:
    """Temperature (hot: all four answered, 30 to 45 days accepted and the address known; warm: three answered and
    the latest message not vague; cold otherwise) and the offer type. BOTS.md's Q0 rule: never hot without an
    address."""
    seller = ctx.state.seller
    answered = sum(question.is_answered(ctx.state) for question in SELLER_QUESTIONS)
    temperature = seller_temperature(ctx.state, vague=ctx.understood.vague)
    return SellerPicture(answered, temperature, offer_type(seller.property_condition, seller.motivation))


def seller_temperature(state: ConversationState, *, vague: bool) -> str:
    """Hot: all four answered, 30 to 45 days accepted and the address known; warm: three answered and the latest
    message not vague; cold otherwise."""
    answered = sum(question.is_answered(state) for question in SELLER_QUESTIONS)
    complete = answered == len(SELLER_QUESTIONS) and PROPERTY_ADDRESS.is_answered(state)
    if complete and state.seller.timeline_acceptable == "yes":
        return "hot"
    if answered >= len(SELLER_QUESTIONS) - 1 and not vague:
        return "warm"
    return "cold"


def offer_type(condition: str | None, motivation: str | None) -> str | None:
    """Wholesale when the home needs work or the sale comes from distress; listing for a move in ready home or a
    lifestyle move; not known until one of those is."""
    if condition == "needs_work" or motivation in DISTRESS_MOTIVATIONS:
        return "wholesale"
    if condition == "move_in_ready" or motivation in LIFESTYLE_MOTIVATIONS:
        return "listing"
    return None


def generate_reply(ctx: TurnContext, plan: TurnPlan, picture: SellerPicture, ack: Line | None) -> None:
    if picture.temperature == "hot" or is_rated(ctx, "seller", SELLER_QUESTIONS):
        write_temperature(ctx, plan, "seller", picture.temperature)
    write_fields(ctx, plan, {**seller_fields(ctx.state), "offer_type": picture.offer_type})
    if picture.temperature == "hot":
        _qualify(ctx, plan)
        start_booking(ctx, plan)
        return
    question = next_question(ctx)
    if question is None:
        wrap_up(ctx, plan, "seller", ack)
    else:
        ask(ctx, plan, question, ack)


def next_question(ctx: TurnContext) -> Question | None:
    """Q0 (the address) first while it is not known, even when the lead's first texts answered other questions
    (BOTS.md); then the first open one."""
    if not PROPERTY_ADDRESS.is_settled(ctx.state):
        return PROPERTY_ADDRESS
    return first_open(SELLER_QUESTIONS, ctx.state)


def _qualify(ctx: TurnContext, plan: TurnPlan) -> None:
    """BOTS.md "Becoming hot": remove Needs Qualifying, add Seller-Qualified."""
    if not ctx.lead.has(ctx.tag("seller_qualified")):
        plan.remove_tags(ctx.tag("seller_activation"))
        plan.add_tags(ctx.tag("seller_qualified"))

