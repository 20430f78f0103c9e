"""The questions each bot asks, in order, and how to tell whether the state already holds their answer.

A question's id is also what the offline engine reads short answers against (`ExtractionContext.last_question`):
"yes" after the timeline question accepts 30 to 45 days, "650" after the price question is $650,000.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bots.state import ConversationState


@dataclass(frozen=True)
class Question:
    id: str
    # The text that asks it (bots.texts); "re" + text_key asks it again another way after a non-answer.
    text_key: str
    is_answered: Callable[[ConversationState], bool]
    # Its first asking greets the lead too ("Happy to help with the sale. What is the address?"), so nothing
    # else goes before it; every other question comes after a short acknowledgement.
    introduces: bool = False

    @property
    def reask_key(self) -> str:
        return f"re{self.text_key}"

    def is_settled(self, state: ConversationState) -> bool:
        """Answered, or accepted as unknown after stalling: either way the bot moves on."""
        return self.id in state.unknown or self.is_answered(state)


# Seller bot (BOTS.md): Q0 the address, then the four questions in order.
PROPERTY_ADDRESS = Question(
    "property_address", "ask_property_address", lambda s: s.seller.property_address is not None, introduces=True
)
MOTIVATION = Question("motivation", "ask_motivation", lambda s: s.seller.motivation is not None)
TIMELINE = Question("timeline", "ask_timeline", lambda s: s.seller.timeline_acceptable is not None)
PROPERTY_CONDITION = Question(
    "property_condition", "ask_property_condition", lambda s: s.seller.property_condition is not None
)
PRICE_EXPECTATION = Question("price_expectation", "ask_price_expectation", lambda s: s.seller.price_high is not None)
SELLER_QUESTIONS = (MOTIVATION, TIMELINE, PROPERTY_CONDITION, PRICE_EXPECTATION)

# Buyer bot: needs first, then money.
AREA = Question("area", "ask_area", lambda s: bool(s.buyer.areas), introduces=True)
BEDROOMS = Question("bedrooms", "ask_bedrooms", lambda s: s.buyer.bedrooms is not None)
BUDGET = Question("budget", "ask_budget", lambda s: s.buyer.budget_high is not None)
PREAPPROVAL = Question("preapproval", "ask_preapproval", lambda s: s.buyer.financing is not None)
BUYER_TIMELINE = Question("buyer_timeline", "ask_buyer_timeline", lambda s: s.buyer.timeline_days is not None)
BUYER_QUESTIONS = (AREA, BEDROOMS, BUDGET, PREAPPROVAL, BUYER_TIMELINE)

# Lead bot: what they want, then light qualification. The timeline and the area fill the buyer's answers,
# so a lead who turns out to be a buyer is not asked them again.
INTENT = Question("intent", "ask_intent", lambda s: s.intent in ("sell", "buy", "both"), introduces=True)
LEAD_TIMELINE = Question("buyer_timeline", "ask_lead_timeline", BUYER_TIMELINE.is_answered)
LEAD_AREA = Question("area", "ask_lead_area", AREA.is_answered)
LEAD_QUESTIONS = (INTENT, LEAD_TIMELINE, LEAD_AREA)

QUESTIONS_OF: dict[str, tuple[Question, ...]] = {
    "seller": (PROPERTY_ADDRESS, *SELLER_QUESTIONS),
    "buyer": BUYER_QUESTIONS,
    "lead": LEAD_QUESTIONS,
}
# Every question by id: what "already answered" means, whichever bot asks it.
BY_ID: dict[str, Question] = {question.id: question for questions in QUESTIONS_OF.values() for question in questions}


def first_open(questions: Sequence[Question], state: ConversationState) -> Question | None:
    return next((question for question in questions if not question.is_settled(state)), None)


def is_answered(question_id: str, state: ConversationState) -> bool:
    question = BY_ID.get(question_id)
    return question is not None and question.is_answered(state)
