"""Which open leads are going cold, how urgently, and what to do about each.

The label, stated once: a lead *went cold* when it was open and sent us no text for `JORGEBOT_CHURN_SILENCE_DAYS`
days (14 by default). A prediction is the chance that an open lead sends nothing in the next that many days.
Risk tiers and the recommended next step follow from the probability, here and nowhere else, so the dashboard,
the admin and the follow-up engine give the same advice.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.ml.tabular import FittedModel
from analytics.models import ChurnTier
from analytics.reasons import EffectCurves, is_known, phrase

# Lowest probability of each tier, most urgent first.
CHURN_TIERS: tuple[tuple[str, float], ...] = (
    (ChurnTier.CRITICAL, 0.75),
    (ChurnTier.HIGH, 0.5),
    (ChurnTier.MEDIUM, 0.25),
    (ChurnTier.LOW, 0.0),
)
RECOMMENDED_ACTIONS: dict[str, str] = {
    ChurnTier.CRITICAL: "Call today: a person, not the bot, before the lead is gone",
    ChurnTier.HIGH: "Send a personal text from an agent within a day",
    ChurnTier.MEDIUM: "Let the bot's follow-ups run; check in this week",
    ChurnTier.LOW: "Nothing to do: the lead is talking to us",
}
# The prior never claims certainty either way.
PRIOR_MIN_PROBABILITY = 0.05
PRIOR_MAX_PROBABILITY = 0.95


def recommended_action(tier: str) -> str:
    """The next step for a lead in this risk tier, for a person or the follow-up engine."""
    return RECOMMENDED_ACTIONS[tier]


def tiers_of(probabilities: np.ndarray) -> np.ndarray:
    """The risk tier of each probability."""
    tiers = np.full(len(probabilities), str(ChurnTier.LOW), dtype=object)
    for tier, lowest in reversed(CHURN_TIERS):
        tiers[probabilities >= lowest] = str(tier)
    return tiers


@dataclass(frozen=True)
class ChurnRisks:
    """Tonight's churn probabilities for a set of leads, in the order of `contact_ids`."""

    contact_ids: np.ndarray
    probabilities: np.ndarray
    reasons: list[list[str]]
    model_id: int | None

    @property
    def tiers(self) -> np.ndarray:
        return tiers_of(self.probabilities)


def prior_note(went_silent: int, kept_replying: int) -> str:
    return f"prior: not enough history to train ({went_silent} went cold, {kept_replying} kept replying)"


def prior_risks(features: pd.DataFrame, silence_days: int, note: str) -> ChurnRisks:
    """How far into the silence window each lead already is: 7 silent days of 14 is a 50 % risk.

    A lead who never replied is counted from the day they came in.
    """
    silent_for = features["days_since_last_reply"].fillna(features["days_since_created"]).to_numpy(dtype=float)
    probabilities = np.clip(silent_for / silence_days, PRIOR_MIN_PROBABILITY, PRIOR_MAX_PROBABILITY)
    rows = features[["days_since_last_reply", "median_reply_minutes"]].to_numpy(dtype=object)
    reasons = []
    for silent, minutes in rows:
        facts = [note, phrase("days_since_last_reply", silent)]
        if is_known(silent):
            facts.append(phrase("median_reply_minutes", minutes))
        reasons.append(facts)
    return ChurnRisks(features.index.to_numpy(dtype=np.int64), probabilities, reasons, None)


def model_risks(features: pd.DataFrame, model: FittedModel, model_id: int) -> ChurnRisks:
    """The trained churn model's calibrated probabilities and the facts that moved each most."""
    frame = features[list(model.features)]
    return ChurnRisks(
        features.index.to_numpy(dtype=np.int64),
        model.probability(frame),
        EffectCurves(model, frame).reasons(frame),
        model_id,
    )
