"""The buyer bot (BOTS.md "Buyer bot"): needs first, then money (area, bedrooms and must haves, budget,
pre-approval or cash, timeline), the listings that fit, and a call for a hot buyer.

A turn is four steps: analyze buyer intent (temperature), assess financial readiness (0 to 100), match
properties (from the listings we have, told once per wish), generate reply.
"""
from __future__ import annotations

from dataclasses import dataclass

from bots.matching import BuyerWish, ListingMatch, MarketFact
from bots.nlu import Stall
from bots.state import BuyerAnswers
from bots.texts import choose_text
from bots.workflows.booking import start_booking
from bots.workflows.conversation import (
    TurnContext,
    acknowledgement,
    ask,
    buyer_fields,
    detect_stall,
    is_rated,
    select_strategy,
    wrap_up,
    write_fields,
    write_temperature,
)
from bots.workflows.decision import Line, TurnPlan
from bots.workflows.questions import (
    AREA,
    BEDROOMS,
    BUDGET,
    BUYER_QUESTIONS,
    BUYER_TIMELINE,
    PREAPPROVAL,
    first_open,
)

READY_TO_BUY = frozenset({"pre_approved", "cash"})
# A buyer's temperature is about money and timing: needs alone ("a 3 bedroom home") do not rate a buyer.
RATED_ON = (BUDGET, PREAPPROVAL, BUYER_TIMELINE)
# BOTS.md: pre-approved 75+, cash 70+, talking to a lender 50, budget only 50, nothing 25.
READINESS_BY_FINANCING = {"pre_approved": 75, "cash": 70, "talking_to_lender": 50}
READINESS_BUDGET_ONLY = 50
READINESS_NOTHING = 25
# What a known budget and a near move add to a buyer who can already pay.
READINESS_BUDGET_BONUS = 10
READINESS_SOON_BONUS = 10


@dataclass(frozen=True)
class BuyerPicture:
    temperature: str
    acknowledgement: Line | None


@dataclass(frozen=True)
class FoundListings:
    wish: BuyerWish
    matches: list[ListingMatch]
    market: MarketFact | None


def take_buyer_turn(ctx: TurnContext, plan: TurnPlan) -> None:
    picture = analyze_buyer_intent(ctx)
    readiness = assess_financial_readiness(ctx.state.buyer, ctx.config.buyer_hot_within_days)
    found = match_properties(ctx)
    generate_reply(ctx, plan, picture, readiness, found)


def analyze_buyer_intent(ctx: TurnContext) -> BuyerPicture:
    """Hot: pre-approved or cash, a budget, moving within 90 days. Warm: a budget or a pre-approval, and engaged
    (this message is neither vague nor "just looking"). Cold otherwise."""
    buyer = ctx.state.buyer
    signal = detect_stall(ctx.understood)
    ready = buyer.financing in READY_TO_BUY
    soon = buyer.timeline_days is not None and buyer.timeline_days <= ctx.config.buyer_hot_within_days
    engaged = not ctx.understood.vague and signal is not Stall.JUST_LOOKING
    if ready and buyer.budget_high is not None and soon:
        temperature = "hot"
    elif (buyer.budget_high is not None or ready) and engaged:
        temperature = "warm"
    else:
        temperature = "cold"
    return BuyerPicture(temperature, acknowledgement(signal, select_strategy(ctx.state, signal)))


def assess_financial_readiness(buyer: BuyerAnswers, hot_within_days: int) -> int:
    """0 to 100: how ready this buyer is to pay for a home now."""
    base = READINESS_BY_FINANCING.get(buyer.financing or "")
    if base is None:
        return READINESS_BUDGET_ONLY if buyer.budget_high is not None else READINESS_NOTHING
    if buyer.financing in READY_TO_BUY:
        if buyer.budget_high is not None:
            base += READINESS_BUDGET_BONUS
        if buyer.timeline_days is not None and buyer.timeline_days <= hot_within_days:
            base += READINESS_SOON_BONUS
    return min(base, 100)


def match_properties(ctx: TurnContext) -> FoundListings | None:
    """Once the needs are settled and the budget is known, the listings that fit; again only when the wish (areas,
    bedrooms, budget) changes. Needs come first: a budget alone matches homes the buyer never asked about."""
    buyer = ctx.state.buyer
    if buyer.budget_high is None or not (AREA.is_settled(ctx.state) and BEDROOMS.is_settled(ctx.state)):
        return None
    wish = BuyerWish(tuple(buyer.areas), buyer.bedrooms, buyer.budget_high, ceiling=buyer.financing == "pre_approved")
    if wish.key == ctx.state.matched_for:
        return None
    ctx.state.matched_for = wish.key
    matches = ctx.listings.matches(wish)
    ctx.state.matches = [match.listing_id for match in matches]
    return FoundListings(wish, matches, None if matches else ctx.listings.market(wish))


def generate_reply(
    ctx: TurnContext, plan: TurnPlan, picture: BuyerPicture, readiness: int, found: FoundListings | None
) -> None:
    if picture.temperature == "hot" or is_rated(ctx, "buyer", RATED_ON):
        write_temperature(ctx, plan, "buyer", picture.temperature)
    # Buyer-Qualified marks a buyer who reached warm once; a later vague text does not take it away.
    if picture.temperature in ("warm", "hot") and not ctx.lead.has(ctx.tag("buyer_qualified")):
        plan.add_tags(ctx.tag("buyer_qualified"))
    write_fields(ctx, plan, {**buyer_fields(ctx.state), "financial_readiness": str(readiness)})
    if found is not None:
        plan.matches = found.matches
    if picture.temperature == "hot":
        start_booking(ctx, plan)
        return
    listings = _listings_line(ctx, found) if found is not None else None
    question = first_open(BUYER_QUESTIONS, ctx.state)
    if question is None:
        wrap_up(ctx, plan, "buyer", picture.acknowledgement, listings)
    else:
        ask(ctx, plan, question, picture.acknowledgement, listings)


def _listings_line(ctx: TurnContext, found: FoundListings) -> Line:
    """The best match, explained only by what the buyer asked for; or what the listings we have do say."""
    wish = found.wish
    if found.matches:
        best = found.matches[0]
        key = "matches_one" if len(found.matches) == 1 else "matches_many"
        return Line(key, {"count": len(found.matches), "address": best.address, "city": best.city,
                          "price": _dollars(best.price), "reasons": _reasons(ctx, best, wish)})
    market = found.market or MarketFact("empty")
    values: dict[str, object] = {"wish": _wish(ctx, wish), "budget": _dollars(wish.budget_high)}
    if market.price is not None:
        values["price"] = _dollars(market.price)
    return Line(f"market_{market.kind}", values)


def _reasons(ctx: TurnContext, match: ListingMatch, wish: BuyerWish) -> str:
    if match.under_budget:
        reasons = [_fragment(ctx, "reason_under_budget")]
    else:
        reasons = [_fragment(ctx, "reason_over_budget", over=_dollars(match.price - wish.budget_high))]
    if match.in_area:
        reasons.append(_fragment(ctx, "reason_in_area", area=match.in_area))
    elif wish.areas:
        # A home outside the areas asked for says so (BOTS.md: explained only by what the buyer asked).
        reasons.append(_fragment(ctx, "reason_outside_area", area=_or_list(wish.areas, ctx.state.language)))
    if wish.bedrooms and match.beds > wish.bedrooms:
        reasons.append(_fragment(ctx, "reason_more_bedrooms", beds=match.beds, bedrooms=wish.bedrooms))
    elif wish.bedrooms:
        reasons.append(_fragment(ctx, "reason_bedrooms", bedrooms=wish.bedrooms))
    return ", ".join(reasons)


def _wish(ctx: TurnContext, wish: BuyerWish) -> str:
    parts = []
    if wish.bedrooms:
        parts.append(_fragment(ctx, "wish_bedrooms", bedrooms=wish.bedrooms))
    if wish.areas:
        parts.append(_fragment(ctx, "wish_area", area=_or_list(wish.areas, ctx.state.language)))
    return " ".join(parts)


def _fragment(ctx: TurnContext, key: str, **values: object) -> str:
    return choose_text(key, ctx.state, ctx.config, **values)


def _or_list(items: tuple[str, ...], language: str) -> str:
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + (" o " if language == "es" else " or ") + items[-1]


def _dollars(amount: int) -> str:
    return f"${amount:,}"
