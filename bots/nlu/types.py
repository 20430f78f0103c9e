"""The typed result of understanding one inbound SMS, shared by the offline engine and the Claude engine.

`None` (or an empty tuple, or False) always means "this message did not say": a workflow merges an
Extraction into what it already knows and never overwrites an answer with a missing one.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Literal, NamedTuple

Language = Literal["en", "es"]


class Motivation(StrEnum):
    """Why a seller is thinking of selling; the distress reasons (inherited, divorce, financial) lean wholesale."""

    RELOCATION = "relocation"
    DOWNSIZING = "downsizing"
    DIVORCE = "divorce"
    INHERITED = "inherited"
    FINANCIAL = "financial"
    UPGRADING = "upgrading"
    OTHER = "other"


class TimelineAnswer(StrEnum):
    """The seller's answer to "would a sale within 30 to 45 days work?"; a refusal is still an answer."""

    YES = "yes"
    NO = "no"


class Urgency(StrEnum):
    HIGH = "high"  # within about two months, or "asap"
    MEDIUM = "medium"  # within about six months
    LOW = "low"  # later, or "no rush"


class PropertyCondition(StrEnum):
    MOVE_IN_READY = "move_in_ready"
    NEEDS_WORK = "needs_work"


class Financing(StrEnum):
    PRE_APPROVED = "pre_approved"
    CASH = "cash"
    TALKING_TO_LENDER = "talking_to_lender"
    NONE = "none"


class Stall(StrEnum):
    THINKING = "thinking"
    GET_BACK_LATER = "get_back_later"
    ONLINE_ESTIMATE = "online_estimate"
    HAS_AGENT = "has_agent"
    JUST_LOOKING = "just_looking"


class Objection(StrEnum):
    PRICE = "price"
    TIMING = "timing"
    COMPETITION = "competition"
    TRUST = "trust"
    DECISION_AUTHORITY = "decision_authority"
    VALUE = "value"


class QuestionKind(StrEnum):
    """What a lead asks back; each kind has an answer from the location's facts or an honest redirect."""

    FEES = "fees"
    VALUE = "value"
    PREAPPROVAL = "preapproval"
    RATES = "rates"
    SCHOOLS = "schools"
    FAST_SALE = "fast_sale"
    NEXT_STEPS = "next_steps"
    PROCESS = "process"
    HOW_REACHED = "how_reached"
    # "How's your day?": a friendly line back, never a question for the agent.
    SMALL_TALK = "small_talk"
    # A question none of the kinds above covers: collected for the broker.
    OTHER = "other"


class Feeling(StrEnum):
    GRIEF = "grief"
    DISTRESS = "distress"
    ANGER = "anger"
    # With the bot itself: "are you even reading my texts".
    FRUSTRATION = "frustration"


class Disinterest(StrEnum):
    NOT_INTERESTED = "not_interested"
    BACK_OFF = "back_off"
    ALREADY_SOLD = "already_sold"


class NotALead(StrEnum):
    AGENT = "agent"
    WHOLESALER = "wholesaler"
    VENDOR = "vendor"
    SPAM = "spam"
    WRONG_NUMBER = "wrong_number"


class Intent(StrEnum):
    """What the lead bot triages on: does this lead want to sell, buy, or both?"""

    SELL = "sell"
    BUY = "buy"
    BOTH = "both"
    UNCLEAR = "unclear"


class PriceRange(NamedTuple):
    """Dollars, low <= high; a single figure is a range of one point for a seller, 0.8 N to N for a buyer."""

    low: int
    high: int


@dataclass(frozen=True)
class ExtractionContext:
    """What the engine needs besides the text: short answers ("yes", "650", "2") are read against the last question."""

    # The field the bot last asked for: "property_address", "motivation", "timeline", "property_condition",
    # "price_expectation", "area", "bedrooms", "budget", "preapproval", "buyer_timeline", "intent", "slot_pick".
    last_question: str | None
    language: str = "en"
    # Call slots the bot offered, in the order it numbered them, in the lead's local time.
    offered_slots: tuple[datetime, ...] = ()
    # Resolves "this spring", "by June", "tomorrow at 10"; without it those fall back to rough defaults.
    now: datetime | None = None
    # Whom a lead may ask for by name ("can I talk to Jorge"); a per-location setting.
    agent_names: tuple[str, ...] = ("Jorge",)


@dataclass(frozen=True)
class Extraction:
    """Everything found in ONE message, whatever the last question was."""

    # seller answers
    property_address: str | None = None
    motivation: Motivation | None = None
    relocation_destination: str | None = None
    timeline_acceptable: TimelineAnswer | None = None
    timeline_urgency: Urgency | None = None
    property_condition: PropertyCondition | None = None
    price_expectation: PriceRange | None = None
    # buyer answers
    areas: tuple[str, ...] = ()
    bedrooms: int | None = None
    bathrooms: float | None = None
    must_haves: tuple[str, ...] = ()
    budget: PriceRange | None = None
    financing: Financing | None = None
    buyer_timeline_days: int | None = None
    # conversation signals
    vague: bool = False
    stall: Stall | None = None
    objection: Objection | None = None
    buy_intent: float = 0.0
    sell_intent: float = 0.0
    buy_phrases: tuple[str, ...] = ()
    sell_phrases: tuple[str, ...] = ()
    intent: Intent = Intent.UNCLEAR
    wants_human: bool = False
    asks_if_bot: bool = False
    slot_pick: int | None = None
    language: Language = "en"
    # what the text does besides answering (bots.nlu.acts)
    question: QuestionKind | None = None
    feeling: Feeling | None = None
    disinterest: Disinterest | None = None
    complaint: bool = False
    # "actually", "scratch that", "make it 700k": what this text says replaces what was kept.
    correction: bool = False
    not_a_lead: NotALead | None = None
    # The text itself, kept for the person who calls when an answer cannot be read (never logged); not part of what
    # was understood, so two readings that found the same things are equal.
    text: str = field(default="", compare=False, repr=False)
    # safety and compliance
    opt_out: bool = False
    opt_in: bool = False
    deletion_request: bool = False
    fair_housing_request: bool = False
    injection: bool = False
    # Asks about referral fees, kickbacks or a required lender or title company (RESPA): answered truthfully.
    respa_question: bool = False
