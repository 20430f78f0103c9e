"""Claude reads a lead's text: when to ask, the answer checked against the tool's schema, the deterministic
guards applied, and the result merged into the offline engine's Extraction.

The offline engine reads first, always. Claude is asked only about a message the offline engine could not
account for (it found nothing, or the message is long enough to say several things), never about a text
that opts out, opts in, asks for deletion, raises Fair Housing, or tries to instruct the bot: those flags are
the offline engine's alone. Claude only adds: it fills what the offline engine left empty and never removes
an answer or a safety flag.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import fields, replace
from typing import Any

from bots.llm import calls, prompts
from bots.llm.client import ClaudeReply
from bots.llm.errors import LLMInvalidOutput
from bots.llm.models import CallOutcome, LLMTask
from bots.nlu import (
    Extraction,
    ExtractionContext,
    Financing,
    Intent,
    Motivation,
    Objection,
    PriceRange,
    PropertyCondition,
    Stall,
    TimelineAnswer,
    Urgency,
)
from bots.nlu.money import BUDGET_FLOOR_RATIO, MAX_PRICE, MIN_PRICE
from bots.nlu.seller import read_address
from bots.nlu.text import fold
from leads.models import Location

# A message this long usually says more than the offline engine's one or two findings.
LONG_MESSAGE_WORDS = 12
_SAFETY_FLAGS = ("opt_out", "opt_in", "deletion_request", "fair_housing_request", "injection")
_ANSWER_FIELDS = (
    "property_address", "motivation", "relocation_destination", "timeline_acceptable", "timeline_urgency",
    "property_condition", "price_expectation", "areas", "bedrooms", "bathrooms", "must_haves", "budget",
    "financing", "buyer_timeline_days",
)
_ENUM_TYPES: dict[str, type] = {
    "motivation": Motivation, "timeline_acceptable": TimelineAnswer, "timeline_urgency": Urgency,
    "property_condition": PropertyCondition, "financing": Financing, "intent": Intent, "stall": Stall,
    "objection": Objection,
}
# A five-digit figure written bare (no "$", no comma) is a ZIP code, not a price.
_BARE_FIVE_DIGITS = re.compile(r"(?<![\d$,.])\d{5}(?!\d|[,.]\d|\s*(?:k|grand|thousand|dollars)\b)")
_HOUSE_NUMBER = re.compile(r"\d+")
MAX_BEDROOMS = 20
MAX_TIMELINE_DAYS = 3650


def needs_claude(message: str, offline: Extraction) -> bool:
    """Whether Claude could add to the offline reading: the offline engine found nothing, or the text is long."""
    if raises_a_safety_flag(offline):
        return False
    return not found_anything(offline) or len(message.split()) >= LONG_MESSAGE_WORDS


def raises_a_safety_flag(reading: Extraction) -> bool:
    """Opt-out, opt-in, deletion, Fair Housing or injection: texts Claude never reads."""
    return any(getattr(reading, flag) for flag in _SAFETY_FLAGS)


def found_anything(reading: Extraction) -> bool:
    return (
        any(getattr(reading, name) not in (None, ()) for name in _ANSWER_FIELDS)
        or reading.intent is not Intent.UNCLEAR
        or reading.stall is not None or reading.objection is not None or reading.slot_pick is not None
        or reading.wants_human or reading.asks_if_bot or reading.vague
    )


def read_with_claude(
    message: str, context: ExtractionContext, offline: Extraction, location: Location, *, today: dt.date,
    deadline: float | None, slot_wait: float | None = None,
) -> Extraction:
    """The offline reading with what Claude found added; raises a typed LLMError when Claude cannot answer."""
    request = prompts.reading_request(message, context, location, today)

    def use(reply: ClaudeReply) -> tuple[dict[str, Any], CallOutcome]:
        return claude_answers(reply.tool_input(prompts.READING_TOOL), message, context), CallOutcome.OK

    answers = calls.ask(LLMTask.EXTRACTION, request, use, location=location, deadline=deadline, slot_wait=slot_wait)
    return merge(offline, answers)


def claude_answers(data: dict[str, Any], message: str, context: ExtractionContext) -> dict[str, Any]:
    """The tool input as Extraction fields: schema violations reject the whole answer, guards drop one field."""
    unknown = set(data) - set(prompts.READING_TOOL_DEFINITION["input_schema"]["properties"])
    if unknown:
        raise LLMInvalidOutput(f"unknown fields in the reading: {len(unknown)}")
    answers: dict[str, Any] = {}
    for name, kind in _ENUM_TYPES.items():
        if name in data:
            answers[name] = _enum(kind, data[name], name)
    for name in prompts.BOOLEAN_FIELDS:
        if name in data:
            answers[name] = _typed(data[name], bool, name)
    for name in prompts.STRING_LIST_FIELDS:
        if name in data:
            answers[name] = tuple(_text(item, name, 60) for item in _typed(data[name], list, name)[:10])
    numbers = {name: _integer(data[name], name) for name in prompts.INTEGER_FIELDS if name in data}
    bathrooms = _number(data["bathrooms"], "bathrooms") if "bathrooms" in data else None
    texts = {name: _text(data[name], name, 200) for name in prompts.STRING_FIELDS if name in data}
    answers.update(_guarded(texts, numbers, bathrooms, message, context))
    return {name: value for name, value in answers.items() if value not in (None, ())}


def merge(offline: Extraction, claude: dict[str, Any]) -> Extraction:
    """Claude fills what the offline reading left empty; it never overwrites an answer or a safety flag."""
    added: dict[str, Any] = {}
    for name, value in claude.items():
        current = getattr(offline, name)
        if name in {"wants_human", "asks_if_bot"}:
            added[name] = current or value
        elif name == "intent":
            if current is Intent.UNCLEAR:
                added[name] = value
        elif name != "vague" and current in (None, ()):
            added[name] = value
    merged = replace(offline, **added)
    # A message with an answer in it is not vague, whoever found the answer.
    vague = (offline.vague or bool(claude.get("vague"))) and not any(
        getattr(merged, name) not in (None, ()) for name in _ANSWER_FIELDS
    ) and merged.slot_pick is None
    return replace(merged, vague=vague)


def extraction_as_json(reading: Extraction) -> dict[str, Any]:
    """An Extraction as plain JSON (a bulk job's result), leaving out what the message did not say."""
    result: dict[str, Any] = {}
    for field in fields(reading):
        value = getattr(reading, field.name)
        if value in (None, (), False, 0.0) and field.name not in {"language", "intent"}:
            continue
        result[field.name] = list(value) if isinstance(value, tuple) else value
    return result


def _guarded(
    texts: dict[str, str], numbers: dict[str, int], bathrooms: float | None, message: str, context: ExtractionContext
) -> dict[str, Any]:
    """The deterministic rules of BOTS.md, applied to Claude's values exactly as to the offline engine's."""
    guarded: dict[str, Any] = {
        "property_address": _address(texts.get("property_address"), message),
        "relocation_destination": texts.get("relocation_destination") or None,
        "price_expectation": _price_range(numbers.get("price_low"), numbers.get("price_high"), message, floor=1.0),
        "budget": _price_range(numbers.get("budget_low"), numbers.get("budget_high"), message,
                               floor=BUDGET_FLOOR_RATIO),
        "bathrooms": bathrooms if bathrooms is not None and 0 < bathrooms <= MAX_BEDROOMS else None,
    }
    bedrooms = numbers.get("bedrooms")
    guarded["bedrooms"] = bedrooms if bedrooms is not None and bedrooms <= MAX_BEDROOMS else None
    days = numbers.get("buyer_timeline_days")
    guarded["buyer_timeline_days"] = days if days is not None and days <= MAX_TIMELINE_DAYS else None
    pick = numbers.get("slot_pick")
    # A pick only counts against slots actually offered.
    guarded["slot_pick"] = pick if pick is not None and 1 <= pick <= len(context.offered_slots) else None
    return guarded


def _address(address: str | None, message: str) -> str | None:
    """An address needs a house number and a street, and its house number must be in the lead's own text."""
    if not address:
        return None
    found, _ = read_address(fold(address), address, "property_address")
    number = _HOUSE_NUMBER.search(address)
    if found is None or number is None or not re.search(rf"(?<!\d){number.group()}(?!\d)", message):
        return None
    return address


def _price_range(low: int | None, high: int | None, message: str, *, floor: float) -> PriceRange | None:
    """Never a ZIP code, never $10,000 or less; a single figure N is N (a seller) or 0.8 N to N (a buyer)."""
    if low is None or high is None:
        single = high if high is not None else low
        if single is None:
            return None
        low, high = round(single * floor / 1000) * 1000, single
    low, high = min(low, high), max(low, high)
    if not all(MIN_PRICE < value <= MAX_PRICE and not _is_zip_in(value, message) for value in (low, high)):
        return None
    return PriceRange(low, high)


def _is_zip_in(value: int, message: str) -> bool:
    return any(int(token) == value for token in _BARE_FIVE_DIGITS.findall(message))


def _enum(kind: type, value: Any, name: str) -> Any:
    try:
        return kind(value)
    except ValueError as exc:
        raise LLMInvalidOutput(f"{name} is not one of its values") from exc


def _typed(value: Any, kind: type, name: str) -> Any:
    if not isinstance(value, kind):
        raise LLMInvalidOutput(f"{name} is not a {kind.__name__}")
    return value


def _integer(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise LLMInvalidOutput(f"{name} is not a whole number")
    return value


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise LLMInvalidOutput(f"{name} is not a number")
    return float(value)


def _text(value: Any, name: str, max_length: int) -> str:
    if not isinstance(value, str):
        raise LLMInvalidOutput(f"{name} is not text")
    return value.strip()[:max_length]
