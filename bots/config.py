"""The bots' defaults that a broker may change per location: tag names, thresholds, cadences, texts.

Every constant a broker might tune lives here once; `Location.bot_settings` overrides any of them
by the same key (`{"tags": {"hot_seller": "Seller-HOT"}, "texts": {...}}`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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
}


@dataclass(frozen=True)
class BotConfig:
    """The effective settings of one location: defaults overlaid with its `bot_settings`."""

    tags: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_TAGS))
    texts: dict[str, list[str]] = field(default_factory=dict)
    # Bot messages per contact per calendar day (BOTS.md: at most 25).
    daily_message_cap: int = 25
    human_takeover_hours: float = 24.0

    @classmethod
    def from_overrides(cls, overrides: dict[str, Any] | None) -> BotConfig:
        overrides = overrides or {}
        tags = {**DEFAULT_TAGS, **{k: str(v) for k, v in overrides.get("tags", {}).items() if k in DEFAULT_TAGS}}
        texts = {key: _as_variants(value) for key, value in overrides.get("texts", {}).items()}
        return cls(
            tags=tags,
            texts=texts,
            daily_message_cap=int(overrides.get("daily_message_cap", cls.daily_message_cap)),
            human_takeover_hours=float(overrides.get("human_takeover_hours", cls.human_takeover_hours)),
        )

    def tag(self, key: str) -> str:
        return self.tags[key]

    @property
    def deactivation_tags(self) -> tuple[str, ...]:
        """Any of these on a contact stops every bot (BOTS.md "Which bot answers")."""
        return (self.tags["ai_off"], self.tags["stop_bot"], self.tags["opt_out"])


def _as_variants(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [str(item) for item in value]
