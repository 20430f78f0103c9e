"""The offline understanding engine: one inbound SMS (plus a small context) in, one typed Extraction out.

Pure Python and regular expressions, no I/O: it is the default engine and the fallback when Claude is
slow or down, so it must be right on its own. Everything present in a message is extracted, whatever
the bot last asked; the context only decides how short answers ("yes", "650", "2") are read.
"""
from __future__ import annotations

import unicodedata
from typing import Any

from bots.nlu import acts, buyer, money, safety, seller, signals, slots, timeline
from bots.nlu.language import detect_language
from bots.nlu.text import blank, fold
from bots.nlu.types import (
    Extraction,
    ExtractionContext,
    Financing,
    Intent,
    Language,
    Motivation,
    Objection,
    PriceRange,
    PropertyCondition,
    QuestionKind,
    Stall,
    TimelineAnswer,
    Urgency,
)

__all__ = [
    "Extraction", "ExtractionContext", "Financing", "Intent", "Language", "Motivation", "Objection", "PriceRange",
    "PropertyCondition", "Stall", "TimelineAnswer", "Urgency", "extract",
]


def extract(message: str, context: ExtractionContext) -> Extraction:
    """Everything this one message says; see `Extraction` for what each field means."""
    # Composed accents ("á" as one character, as phones send it) are what folding and the phrase tables expect.
    message = unicodedata.normalize("NFC", message)
    text = fold(message)
    found: dict[str, Any] = {
        "language": detect_language(text, message, context.language),
        "opt_out": safety.is_opt_out(text),
        "opt_in": safety.is_opt_in(text),
        "deletion_request": safety.is_deletion_request(text),
        "fair_housing_request": safety.is_fair_housing_request(text),
        "injection": safety.is_injection(text),
        "respa_question": safety.is_respa_question(text),
        "stall": signals.read_stall(text),
        "objection": signals.read_objection(text),
        "text": message,
    }
    found["asks_if_bot"], found["wants_human"] = signals.read_asks_if_bot_and_wants_human(text, context.agent_names)
    if found["injection"]:
        # Text that tries to instruct the bot is never an answer: nothing in it fills a qualification field.
        return Extraction(**found)
    answers = _answers(message, text, context)
    intent = signals.read_intent(text, context.last_question)
    found.update(buy_intent=intent.buy, sell_intent=intent.sell, buy_phrases=intent.buy_phrases,
                 sell_phrases=intent.sell_phrases, intent=intent.intent)
    found["slot_pick"] = slots.read_slot_pick(text, context.offered_slots, context.now)
    found.update(acts.read_acts(text)._asdict())
    # A "maybe" counts toward the vague streak only when it came with nothing usable.
    found["vague"] = signals.is_vague(text) and not answers and found["slot_pick"] is None
    if found["question"] is QuestionKind.PREAPPROVAL and answers.get("financing") is Financing.PRE_APPROVED:
        # "what's a preapproval?" asks about one; it does not say they have one.
        del answers["financing"]
    if found["vague"] and found["question"] is QuestionKind.OTHER:
        # "who knows", "how should I know": a non-answer phrased as a question.
        found["question"] = None
    return Extraction(**found, **answers)


def _answers(message: str, text: str, context: ExtractionContext) -> dict[str, Any]:
    """The seller and buyer answers found, leaving out the ones this message did not give."""
    question = context.last_question
    address, address_span = seller.read_address(text, message, question)
    destination, destination_span = seller.read_destination(text, message)
    # An address's numbers are not prices or bedroom counts, and a seller's destination is not a buyer's area.
    spans = [span for span in (address_span, destination_span) if span is not None]
    rest, rest_of_message = blank(text, spans), blank(message, spans)
    price_expectation, budget = money.read_money(rest, question)
    timing = timeline.read_timeline(rest, question, context.now)
    answers: dict[str, Any] = {
        "property_address": address,
        "motivation": seller.read_motivation(text, question),
        "relocation_destination": destination,
        "timeline_acceptable": timing.acceptable,
        "timeline_urgency": timing.urgency,
        "property_condition": seller.read_condition(text, question),
        "price_expectation": price_expectation,
        "areas": buyer.read_areas(rest, rest_of_message, question),
        "bedrooms": buyer.read_bedrooms(rest, question),
        "bathrooms": buyer.read_bathrooms(rest),
        "must_haves": buyer.read_must_haves(rest),
        "budget": budget,
        "financing": buyer.read_financing(text, question),
        "buyer_timeline_days": timing.days,
    }
    return {field: value for field, value in answers.items() if value not in (None, ())}
