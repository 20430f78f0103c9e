"""The typed qualification state of one conversation, persisted as JSON on `Conversation.state`.

Any worker can take any turn because everything a bot knows lives here. Unknown keys from a newer
version are kept on load and written back, so a rolling deploy never drops what a newer worker learned.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

STATE_VERSION = 1


@dataclass
class SellerAnswers:
    property_address: str | None = None
    motivation: str | None = None
    relocation_destination: str | None = None
    timeline_acceptable: str | None = None  # "yes" / "no" / "unknown"
    timeline_urgency: str | None = None
    property_condition: str | None = None  # "move_in_ready" / "needs_work" / "unknown"
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
class ConversationState:
    version: int = STATE_VERSION
    bot: str = "lead"
    # The field the bot last asked for; the offline engine reads short answers ("yes", "650") against it.
    last_question: str | None = None
    intent: str | None = None
    seller: SellerAnswers = field(default_factory=SellerAnswers)
    buyer: BuyerAnswers = field(default_factory=BuyerAnswers)
    vague_streak: int = 0
    # Which variant of each text was used last, so the bot never sends the same text twice in a row.
    last_variant: dict[str, int] = field(default_factory=dict)
    last_reply: str = ""
    opt_out_confirmations: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
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
        return cls(**values, extra=data)


def _load(kind: type, data: dict[str, Any] | None) -> Any:
    allowed = {f.name for f in fields(kind)}
    return kind(**{k: v for k, v in (data or {}).items() if k in allowed})
