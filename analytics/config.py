"""The analytics' defaults a broker may change per location: commission rate, stage probabilities, time to close.

They live beside the bots' settings in `Location.bot_settings`, under the same flat keys as below
(`{"commission_rate": 0.03, "deal_stage_probabilities": {"<GHL stage id>": 0.9}}`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bots.config import SettingsProblem

# The usual buyer's or listing agent's side of a US sale. A team whose GHL pipeline records the commission itself
# as the deal value sets 1.0.
DEFAULT_COMMISSION_RATE = 0.025
# Until a location has won enough deals to measure its own time from opening a deal to closing it.
DEFAULT_DAYS_TO_CLOSE = 60
# Below this many won deals the measured median is noise; the default is used instead.
MIN_WON_DEALS_FOR_DAYS_TO_CLOSE = 5
# The chance of closing for an open deal whose stage has no probability set and whose lead has no score yet.
DEFAULT_DEAL_PROBABILITY = 0.3


@dataclass(frozen=True)
class AnalyticsConfig:
    """The effective analytics settings of one location: defaults overlaid with its `bot_settings`."""

    commission_rate: float = DEFAULT_COMMISSION_RATE
    # GHL pipeline stage id -> chance a deal in that stage closes. Stages not listed use the lead's score.
    deal_stage_probabilities: dict[str, float] = field(default_factory=dict)
    deal_days_to_close: int = DEFAULT_DAYS_TO_CLOSE

    @classmethod
    def from_overrides(cls, overrides: dict[str, Any] | None) -> AnalyticsConfig:
        overrides = overrides or {}
        stages = overrides.get("deal_stage_probabilities") or {}
        return cls(
            commission_rate=float(overrides.get("commission_rate", DEFAULT_COMMISSION_RATE)),
            deal_stage_probabilities={str(stage): float(chance) for stage, chance in stages.items()},
            deal_days_to_close=int(overrides.get("deal_days_to_close", DEFAULT_DAYS_TO_CLOSE)),
        )


# The settings above, as kept in `Location.bot_settings`.
SETTING_KEYS = frozenset({"commission_rate", "deal_stage_probabilities", "deal_days_to_close"})
MAX_DAYS_TO_CLOSE = 730


def settings_problems(overrides: dict[str, Any]) -> list[SettingsProblem]:
    """What is wrong with the analytics' settings among a location's overrides (bots.config checks the rest)."""
    problems = []
    if "commission_rate" in overrides and not _is_share(overrides["commission_rate"]):
        problems.append(SettingsProblem("commission_rate", "must be a share from 0 to 1 (0.025 is 2.5 %)"))
    days = overrides.get("deal_days_to_close", DEFAULT_DAYS_TO_CLOSE)
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS_TO_CLOSE:
        problems.append(SettingsProblem("deal_days_to_close", f"must be whole days from 1 to {MAX_DAYS_TO_CLOSE}"))
    stages = overrides.get("deal_stage_probabilities", {})
    if not isinstance(stages, dict):
        problems.append(SettingsProblem("deal_stage_probabilities", "must be an object of chances by stage id"))
    else:
        problems += [SettingsProblem(f"deal_stage_probabilities.{stage}", "must be a chance from 0 to 1")
                     for stage, chance in stages.items() if not _is_share(chance)]
    return problems


def _is_share(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | float) and 0 <= value <= 1
