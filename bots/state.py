"""The typed qualification state of one conversation, persisted as JSON on `Conversation.state`.

Any worker can take any turn because everything a bot knows lives here. Unknown keys from a newer
version are kept on load and written back, so a rolling deploy never drops what a newer worker learned.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from functools import cache
from typing import Any

STATE_VERSION = 1


@dataclass
class SellerAnswers:
    property_address: str | None = None
    motivation: str | None = None
    relocation_destination: str | None = None
    timeline_acceptable: str | None = None  # "yes" / "no"; a question accepted as unknown is in `unknown`
    timeline_urgency: str | None = None
    property_condition: str | None = None  # "move_in_ready" / "needs_work"
    price_low: int | None = None
    price_high: int | None = None


@dataclass
class BuyerAnswers:
    areas: list[str] = field(default_factory=list)
    bedrooms: int | None = None
    bathrooms: float | None = None
    must_haves: list[str] = field(default_factory=list)
    budget_low: int | None = None
    budget_high: int | None = None
    financing: str | None = None  # "pre_approved" / "cash" / "talking_to_lender" / "none"
    timeline_days: int | None = None


@dataclass
class Booking:
    """Where booking a call stands: none, fetching (slots asked of the calendar), offered, booking (the pick is
    being booked), then booked or manual (the team schedules by hand). Booked and manual are final."""

    status: str = "none"
    # Start times offered, numbered from 1, as ISO strings in the lead's local time.
    offered: list[str] = field(default_factory=list)
    picked: int | None = None
    unreadable_picks: int = 0
    appointment_id: str = ""


@dataclass
class Handoff:
    """One switch between bots, kept for the guards (no quick hand back, at most so many an hour and a day)."""

    from_bot: str
    to_bot: str
    at: str  # ISO time


@dataclass
class ConversationState:
    version: int = STATE_VERSION
    bot: str = "lead"
    # The field the bot last asked for; the offline engine reads short answers ("yes", "650") against it.
    last_question: str | None = None
    intent: str | None = None
    language: str = "en"
    seller: SellerAnswers = field(default_factory=SellerAnswers)
    buyer: BuyerAnswers = field(default_factory=BuyerAnswers)
    # Questions accepted as unknown after stalling twice; each bot moves past them.
    unknown: list[str] = field(default_factory=list)
    # Turns without an answer, per question asked.
    misses: dict[str, int] = field(default_factory=dict)
    vague_streak: int = 0
    # How the bot answers stalls and objections: direct, understanding (after a stall), then on repeated
    # objections validate, data, social_proof, market_test.
    strategy: str = "direct"
    objections: int = 0
    # Each bot's temperature as last written to GHL ("hot", "warm", "cold"), and the lead bot's 0-100 score.
    temperatures: dict[str, str] = field(default_factory=dict)
    lead_score: int | None = None
    # Bots that already thanked the lead for answering everything.
    wrapped_up: list[str] = field(default_factory=list)
    booking: Booking = field(default_factory=Booking)
    handoffs: list[Handoff] = field(default_factory=list)
    # Listings shown to the buyer, and the wish (areas, bedrooms, budget) they were matched for.
    matches: list[str] = field(default_factory=list)
    matched_for: str = ""
    # Custom field values last queued for GHL, so a turn writes only what changed.
    fields_written: dict[str, str] = field(default_factory=dict)
    # Which variant of each text was used last, so the bot never sends the same text twice in a row.
    last_variant: dict[str, int] = field(default_factory=dict)
    last_reply: str = ""
    opt_out_confirmations: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = _plain(self)
        extra = data.pop("extra")
        return {**extra, **data}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> ConversationState:
        data = dict(data or {})
        known = {f.name for f in fields(cls)} - {"extra"}
        values: dict[str, Any] = {name: data.pop(name) for name in list(data) if name in known}
        if "seller" in values:
            values["seller"] = _load(SellerAnswers, values["seller"])
        if "buyer" in values:
            values["buyer"] = _load(BuyerAnswers, values["buyer"])
        if "booking" in values:
            values["booking"] = _load(Booking, values["booking"])
        if "handoffs" in values:
            values["handoffs"] = [_load(Handoff, item) for item in values["handoffs"] or []]
        return cls(**values, extra=data)


def _plain(value: Any) -> Any:
    """`dataclasses.asdict` for what a state holds (dataclasses, lists, dicts, JSON scalars), at half its cost
    (0.2 of 0.4 ms a turn): containers are new, the immutable scalars in them shared instead of deep-copied."""
    kind: type = type(value)
    if kind is list:
        return [_plain(item) for item in value]
    if kind is dict:
        return {key: _plain(item) for key, item in value.items()}
    if is_dataclass(value):
        return {name: _plain(getattr(value, name)) for name in _field_names(kind)}
    if kind is tuple:
        return tuple(_plain(item) for item in value)
    return value


@cache
def _field_names(kind: type) -> tuple[str, ...]:
    return tuple(item.name for item in fields(kind))


def _load(kind: type, data: dict[str, Any] | None) -> Any:
    allowed = {f.name for f in fields(kind)}
    return kind(**{k: v for k, v in (data or {}).items() if k in allowed})
