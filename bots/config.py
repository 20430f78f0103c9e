"""The bots' defaults that a broker may change per location: tag names, thresholds, cadences, texts.

Every constant a broker might tune lives here once; `Location.bot_settings` overrides any of them
by the same key (`{"tags": {"hot_seller": "Seller-HOT"}, "texts": {...}}`).
"""
from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.conf import settings

from bots.texts import OVERRIDABLE_TEXT_KEYS, variant_problems

if TYPE_CHECKING:
    from leads.models import Location

DEFAULT_TAGS: dict[str, str] = {
    # read
    "seller_activation": "Needs Qualifying",
    "seller_lead": "Seller-Lead",
    "buyer_lead": "Buyer-Lead",
    "lead_bot": "lead-bot",
    "ai_off": "AI-Off",
    "stop_bot": "Stop-Bot",
    "opt_out": "TCPA-Opt-Out",
    # written
    "hot_seller": "Hot-Seller",
    "warm_seller": "Warm-Seller",
    "cold_seller": "Cold-Seller",
    "seller_qualified": "Seller-Qualified",
    "hot_buyer": "Hot-Buyer",
    "warm_buyer": "Warm-Buyer",
    "cold_buyer": "Cold-Buyer",
    "buyer_qualified": "Buyer-Qualified",
    "hot_lead": "Hot-Lead",
    "warm_lead": "Warm-Lead",
    "cold_lead": "Cold-Lead",
    "human_follow_up": "Human-Follow-Up-Needed",
    "compliance_alert": "Compliance-Alert",
    "fair_housing_alert": "Fair-Housing-Alert",
    "ccpa_deletion": "CCPA-Deletion-Request",
    "manual_scheduling": "Needs-Manual-Scheduling",
    "objection_exhausted": "Objection-Exhausted",
    "delivery_failed": "Delivery-Failed",
    "ghosted": "Ghosted",
    # why the bots stopped (BOTS.md "When the lead says something other than an answer")
    "not_interested": "Not-Interested",
    "already_sold": "Already-Sold",
    "agent_inquiry": "Agent-Inquiry",
    "not_a_lead": "Not-A-Lead",
    "wrong_number": "Wrong-Number",
    # a handoff between bots: `Handoff-<From>-to-<To>`
    "handoff_lead_to_seller": "Handoff-Lead-to-Seller",
    "handoff_lead_to_buyer": "Handoff-Lead-to-Buyer",
    "handoff_buyer_to_seller": "Handoff-Buyer-to-Seller",
    "handoff_seller_to_buyer": "Handoff-Seller-to-Buyer",
}

# The GHL custom field keys the bots write, by what they hold; `{"fields": {"offer_type": "deal_type"}}`
# renames one for a location whose GHL account calls it something else.
DEFAULT_FIELDS: dict[str, str] = {
    "property_address": "property_address",
    "motivation": "motivation",
    "relocation_destination": "relocation_destination",
    "timeline_acceptable": "timeline_acceptable",
    "timeline_urgency": "timeline_urgency",
    "property_condition": "property_condition",
    "price_expectation": "price_expectation",
    "seller_temperature": "seller_temperature",
    "offer_type": "offer_type",
    "buyer_areas": "buyer_areas",
    "buyer_bedrooms": "buyer_bedrooms",
    "buyer_must_haves": "buyer_must_haves",
    "buyer_budget": "buyer_budget",
    "buyer_financing": "buyer_financing",
    "financial_readiness": "financial_readiness",
    "buyer_timeline_days": "buyer_timeline_days",
    "buyer_temperature": "buyer_temperature",
    "matched_listings": "matched_listings",
    "lead_score": "lead_score",
    "lead_temperature": "lead_temperature",
    # Answers the bot could not read, in the lead's words, for the person who calls.
    "unread_answers": "unread_answers",
}


@dataclass(frozen=True)
class BotConfig:
    """The effective settings of one location: defaults overlaid with its `bot_settings`."""

    tags: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_TAGS))
    texts: dict[str, list[str]] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_FIELDS))
    # Bot messages per contact per calendar day (BOTS.md: at most 25).
    daily_message_cap: int = 25
    human_takeover_hours: float = 24.0
    # Whom the bots speak for ("{agent} will call you") and whom a lead may ask for by name.
    agent_name: str = "Jorge"
    # Two SMS segments; the bots' replies never run longer.
    max_reply_chars: int = 320
    # Qualification (BOTS.md "Seller bot"): a question that stalls this often is accepted as unknown,
    # and this many vague turns in a row end the conversation.
    stalls_before_unknown: int = 2
    vague_turns_before_exhausted: int = 5
    # Buyers: hot when pre-approved (or cash), with a budget, moving within this many days.
    buyer_hot_within_days: int = 90
    # Listings matched for a buyer: within this share of the top of the budget, at most this many.
    match_price_tolerance: float = 0.2
    max_matches: int = 5
    # Lead bot: temperature from the 0-100 lead score.
    hot_lead_score: int = 80
    warm_lead_score: int = 40
    # Handoffs between bots (BOTS.md "Handoff between bots"): intent score needed, and the guards.
    lead_handoff_intent: float = 0.7
    buyer_to_seller_intent: float = 0.8
    seller_to_buyer_intent: float = 0.6
    handoff_back_after_minutes: int = 30
    max_handoffs_per_hour: int = 3
    max_handoffs_per_day: int = 10
    # Booking a call: how many slots to offer, how far ahead to look, how soon a call may start, and how
    # many unreadable picks before the team schedules by hand.
    slots_offered: int = 3
    booking_window_days: int = 7
    booking_notice_minutes: int = 60
    unreadable_picks_before_manual: int = 3
    # Modes (bots.drafts): "auto" sends, "suggest" saves each text as a draft a broker approves, "off" stays
    # silent. `mode` is the location's; a bot's own mode ("" = the location's) overrides it.
    mode: str = "auto"
    lead_bot_mode: str = ""
    seller_bot_mode: str = ""
    buyer_bot_mode: str = ""
    # Quiet hours (TCPA: 8:00 to 21:00 at the lead's location; Florida, Oklahoma and Washington law end at 20:00)
    # for texts the bot starts itself. A text within `reply_window_minutes` of the lead's last text is a reply.
    sending_window_start_hour: int = 8
    sending_window_end_hour: int = 21
    early_end_states: tuple[str, ...] = ("FL", "OK", "WA")
    early_end_hour: int = 20
    reply_window_minutes: int = 30
    # Follow-ups (BOTS.md): the seller bot's, in days from the cadence start while the seller is not hot, then
    # every `seller_long_term_every_days` at most `seller_long_term_attempts` times, never after
    # `seller_silence_stop_days` without a word from the lead; the lead bot's, in days of silence, the last one
    # final (then the lead is tagged ghosted). None within `follow_up_min_gap_hours` of the lead's last text.
    seller_follow_up_days: tuple[int, ...] = (2, 5, 8, 11, 14, 17, 20, 23, 26, 29)
    seller_long_term_every_days: int = 14
    seller_long_term_attempts: int = 10
    seller_silence_stop_days: int = 30
    lead_follow_up_days: tuple[int, ...] = (3, 7, 14, 30)
    follow_up_min_gap_hours: int = 24

    @classmethod
    def from_overrides(cls, overrides: dict[str, Any] | None) -> BotConfig:
        overrides = overrides or {}
        tags = {**DEFAULT_TAGS, **{k: str(v) for k, v in overrides.get("tags", {}).items() if k in DEFAULT_TAGS}}
        texts = {key: _as_variants(value) for key, value in overrides.get("texts", {}).items()}
        fields = {
            **DEFAULT_FIELDS, **{k: str(v) for k, v in overrides.get("fields", {}).items() if k in DEFAULT_FIELDS}
        }
        # Every other setting is a number or a name, overridden by the same key and read as the default's type.
        scalars = {
            name: type(default)(overrides[name])
            for name, default in _SCALAR_DEFAULTS.items()
            if name in overrides
        }
        # The install's pause after a person texts from GHL (JORGEBOT_HUMAN_TAKEOVER_HOURS), unless the location's.
        scalars.setdefault("human_takeover_hours", float(settings.JORGEBOT_HUMAN_TAKEOVER_HOURS))
        return cls(tags=tags, texts=texts, fields=fields, **scalars)

    def tag(self, key: str) -> str:
        return self.tags[key]

    def field_key(self, name: str) -> str:
        return self.fields[name]

    def mode_of(self, bot: str) -> str:
        """How this bot sends here: its own mode if set, else the location's ("auto", "suggest" or "off")."""
        own = {"lead": self.lead_bot_mode, "seller": self.seller_bot_mode, "buyer": self.buyer_bot_mode}.get(bot, "")
        return own or self.mode

    @property
    def deactivation_tags(self) -> tuple[str, ...]:
        """Any of these on a contact stops every bot (BOTS.md "Which bot answers")."""
        return (self.tags["ai_off"], self.tags["stop_bot"], self.tags["opt_out"])


_SCALAR_DEFAULTS: dict[str, Any] = {
    item.name: item.default for item in dataclass_fields(BotConfig) if item.name not in ("tags", "texts", "fields")
}


# -- checking a location's overrides before they are kept ---------------------------------------------------------

# The Claude spend limit of the shared account, per location and local day (bots.llm.accounting): only whoever
# runs the install may raise it, so the console keeps it out of a broker's hands.
SPEND_LIMIT_KEY = "llm_daily_spend_limit_usd"
MODES = ("auto", "suggest", "off")
# The lowest and highest value a broker may set. Quiet hours may only narrow TCPA's 8:00 to 21:00; the daily cap
# only lower BOTS.md's 25; a reply never runs past two SMS segments.
LIMITS: dict[str, tuple[float, float]] = {
    "daily_message_cap": (1, 25), "human_takeover_hours": (0, 720), "max_reply_chars": (160, 320),
    "stalls_before_unknown": (1, 10), "vague_turns_before_exhausted": (1, 20), "buyer_hot_within_days": (1, 365),
    "match_price_tolerance": (0, 1), "max_matches": (1, 10), "hot_lead_score": (1, 100), "warm_lead_score": (0, 99),
    "lead_handoff_intent": (0, 1), "buyer_to_seller_intent": (0, 1), "seller_to_buyer_intent": (0, 1),
    "handoff_back_after_minutes": (0, 1440), "max_handoffs_per_hour": (1, 100), "max_handoffs_per_day": (1, 1000),
    "slots_offered": (1, 5), "booking_window_days": (1, 60), "booking_notice_minutes": (0, 10080),
    "unreadable_picks_before_manual": (1, 10), "sending_window_start_hour": (8, 20),
    "sending_window_end_hour": (9, 21), "early_end_hour": (9, 20), "reply_window_minutes": (0, 240),
    "seller_long_term_every_days": (1, 365), "seller_long_term_attempts": (0, 52),
    "seller_silence_stop_days": (1, 365), "follow_up_min_gap_hours": (0, 168),
}
MAX_NAME_CHARS = 60
FOLLOW_UP_DAY_LIMITS = (1, 365)
MAX_FOLLOW_UPS = 20


@dataclass(frozen=True)
class SettingsProblem:
    """One reason a location's overrides cannot be kept: which setting (`texts.ask_intent_es`) and why."""

    setting: str
    message: str

    def __str__(self) -> str:
        return f"{self.setting}: {self.message}"


def settings_problems(overrides: Any, *, other_keys: Collection[str] = ()) -> list[SettingsProblem]:
    """Everything wrong with a whole `bot_settings` dict, per setting; empty when every turn can read it.

    `other_keys` are settings another app checks (analytics' commission rate): not unknown here."""
    if not isinstance(overrides, dict):
        return [SettingsProblem("bot settings", "must be a JSON object of settings")]
    problems: list[SettingsProblem] = []
    for name, value in overrides.items():
        if name in ("tags", "fields"):
            defaults = DEFAULT_TAGS if name == "tags" else DEFAULT_FIELDS
            problems += _names_problems(name, value, defaults)
        elif name == "texts":
            problems += _texts_problems(value, _effective(overrides, "agent_name"), _effective(overrides,
                                                                                                "max_reply_chars"))
        elif name == SPEND_LIMIT_KEY:
            problems += _spend_limit_problems(value)
        elif name in _SCALAR_DEFAULTS:
            problems += [SettingsProblem(name, message) for message in _scalar_problems(name, value)]
        elif name not in other_keys:
            problems.append(SettingsProblem(name, "is not a setting"))
    return problems + _combination_problems(overrides, {problem.setting for problem in problems})


def _effective(overrides: dict[str, Any], name: str) -> Any:
    return overrides.get(name, _SCALAR_DEFAULTS[name])


def _scalar_problems(name: str, value: Any) -> list[str]:
    default = _SCALAR_DEFAULTS[name]
    if isinstance(default, tuple):
        return _list_problems(name, value)
    if isinstance(default, str):
        return _text_setting_problems(name, value)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return ["must be a number"]
    if isinstance(default, int) and not float(value).is_integer():
        return ["must be a whole number"]
    low, high = LIMITS[name]
    return [] if low <= value <= high else [f"must be from {low:g} to {high:g}"]


def _text_setting_problems(name: str, value: Any) -> list[str]:
    if not isinstance(value, str):
        return ["must be text"]
    if name == "mode":
        return [] if value in MODES else [f"must be one of {', '.join(MODES)}"]
    if name.endswith("_mode"):
        return [] if value in ("", *MODES) else [f"must be one of {', '.join(MODES)}, or empty for the location's"]
    if not value.strip() or len(value) > MAX_NAME_CHARS or "{" in value or "}" in value:
        return [f"must be a name of 1 to {MAX_NAME_CHARS} characters, without braces"]
    return []


def _list_problems(name: str, value: Any) -> list[str]:
    if not isinstance(value, list | tuple):
        # `"FL, OK"` read as a list would be F, L, a comma...: every entry is its own item.
        return ["must be a list (one item per entry), not text"]
    if name == "early_end_states":
        if not all(isinstance(code, str) and len(code) == 2 and code.isalpha() and code.isupper() for code in value):
            return ["must be two letter state codes, like FL"]
        kept = [code for code in _SCALAR_DEFAULTS[name] if code not in value]
        return [f"must keep {', '.join(kept)}: their law ends texts earlier"] if kept else []
    low, high = FOLLOW_UP_DAY_LIMITS
    if not all(isinstance(day, int) and not isinstance(day, bool) and low <= day <= high for day in value):
        return [f"must be whole days from {low} to {high}"]
    if list(value) != sorted(set(value)):
        return ["must go up, each day once"]
    return [f"at most {MAX_FOLLOW_UPS} follow-ups"] if len(value) > MAX_FOLLOW_UPS else []


def _names_problems(kind: str, value: Any, defaults: dict[str, str]) -> list[SettingsProblem]:
    """Tag names and GHL field keys: known keys, non-empty names, and no name for two meanings."""
    if not isinstance(value, dict):
        return [SettingsProblem(kind, "must be an object of names by key")]
    problems = [SettingsProblem(f"{kind}.{key}", "is not one the bots know") for key in value if key not in defaults]
    problems += [SettingsProblem(f"{kind}.{key}", f"must be a name of 1 to {MAX_NAME_CHARS} characters")
                 for key, name in value.items() if key in defaults and not _is_name(name)]
    if problems:
        return problems
    effective = {**defaults, **value}
    seen: dict[str, str] = {}
    for key, name in effective.items():
        other = seen.setdefault(name.strip().lower(), key)
        if other != key:
            problems.append(SettingsProblem(f"{kind}.{key}", f"{name!r} is already the name of {other}"))
    return problems


def _is_name(name: Any) -> bool:
    return isinstance(name, str) and bool(name.strip()) and len(name) <= MAX_NAME_CHARS


def _texts_problems(value: Any, agent_name: Any, max_chars: Any) -> list[SettingsProblem]:
    if not isinstance(value, dict):
        return [SettingsProblem("texts", "must be an object of variant lists by text key")]
    # The other checks report a bad name or length; the texts are then checked against the defaults.
    agent = agent_name if _is_name(agent_name) else _SCALAR_DEFAULTS["agent_name"]
    limit = max_chars if isinstance(max_chars, int) else _SCALAR_DEFAULTS["max_reply_chars"]
    problems: list[SettingsProblem] = []
    for key, variants in value.items():
        where = f"texts.{key}"
        if key not in OVERRIDABLE_TEXT_KEYS:
            problems.append(SettingsProblem(where, "is not a text the bots send"))
        elif isinstance(variants, str):
            # One variant typed as a string would be read as one text; a list typed as text would be garbled.
            problems.append(SettingsProblem(where, "must be a list of variants, not a single text"))
        elif not isinstance(variants, list) or not variants:
            problems.append(SettingsProblem(where, "must be a list of one or more variants"))
        else:
            for number, variant in enumerate(variants, start=1):
                messages = ["must be text"] if not isinstance(variant, str) else variant_problems(
                    key, variant, agent, limit)
                problems += [SettingsProblem(f"{where} variant {number}", message) for message in messages]
    return problems


def _spend_limit_problems(value: Any) -> list[SettingsProblem]:
    try:
        limit = Decimal(str(value)) if not isinstance(value, bool) and isinstance(value, int | float | str) else None
    except InvalidOperation:
        limit = None
    if limit is None or not limit.is_finite() or limit < 0:
        return [SettingsProblem(SPEND_LIMIT_KEY, "must be an amount in dollars, 0 or more")]
    return []


# Pairs of settings that must keep their order (lower, higher), and what is said when they do not.
_ORDERED: tuple[tuple[str, str, SettingsProblem], ...] = (
    ("warm_lead_score", "hot_lead_score", SettingsProblem("warm_lead_score", "must be below the hot lead score")),
    ("sending_window_start_hour", "sending_window_end_hour",
     SettingsProblem("sending_window_end_hour", "must be after the first hour texts may go out")),
    ("sending_window_start_hour", "early_end_hour",
     SettingsProblem("early_end_hour", "must be after the first hour texts may go out")),
)


def _combination_problems(overrides: dict[str, Any], wrong: set[str]) -> list[SettingsProblem]:
    """Settings that are each fine but not together; a pair with a wrong value in it was named already."""
    return [problem for lower, higher, problem in _ORDERED
            if lower not in wrong and higher not in wrong
            and _effective(overrides, lower) >= _effective(overrides, higher)]


def _as_variants(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [str(item) for item in value]


def config_for(location: Location) -> BotConfig:
    """A location's bot configuration: the defaults with its overrides (`Location.bot_settings`)."""
    return BotConfig.from_overrides(location.bot_settings)
