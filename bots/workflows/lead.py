"""The lead bot: triage a new lead into the seller or buyer bot, or ask what they want (BOTS.md "Lead bot")."""
from __future__ import annotations

from bots.config import BotConfig
from bots.nlu import Extraction
from bots.state import ConversationState
from bots.workflows.decision import TurnDecision


def triage(state: ConversationState, understood: Extraction, config: BotConfig) -> TurnDecision:
    intent = str(understood.intent.value) if understood.intent is not None else "unclear"
    state.intent = intent
    if intent in {"sell", "both"}:
        # A lead who sells and buys is a seller first: BOTS.md gives the seller bot precedence.
        state.bot = "seller"
        return TurnDecision(
            bot="seller",
            reply_key="ask_property_address",
            tags_add=[config.tag("seller_activation")],
            tags_remove=[config.tag("lead_bot")],
            next_question="property_address",
        )
    if intent == "buy":
        state.bot = "buyer"
        return TurnDecision(
            bot="buyer",
            reply_key="ask_area",
            tags_add=[config.tag("buyer_lead")],
            tags_remove=[config.tag("lead_bot")],
            next_question="area",
        )
    return TurnDecision(bot="lead", reply_key="ask_intent", next_question="intent")
