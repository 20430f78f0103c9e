"""Lead scores 0-100 with reasons: a transparent prior until enough deals have closed, then the trained model.

The prior is the bots' own temperature rules (BOTS.md) turned into numbers: a seller who answered all four
questions and accepted 30 to 45 days is hot, a pre-approved buyer with a budget moving within 90 days is hot, and
so on; a booked call or a contract raises the floor, a long silence lowers it. It never claims a probability: it
has not been checked against outcomes. It says so in its first reason.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.ml.tabular import FittedModel
from analytics.reasons import EffectCurves, is_known, phrase

# DESIGN.md "Analytics": below this many won *and* this many lost leads, a trained model would mostly learn noise.
MIN_OUTCOMES_PER_CLASS = 200

# The prior's points, in the bots' bands (hot >= 80, warm >= 40).
PRIOR_HOT = 85
PRIOR_WARM = 60
PRIOR_FLOOR = 15
PRIOR_PER_SELLER_ANSWER = 8
PRIOR_BUYER_COLD = 20
PRIOR_BOOKED_FLOOR = 80
PRIOR_UNDER_CONTRACT_FLOOR = 90
PRIOR_QUALIFIED_FLOOR = 60
PRIOR_SILENCE_PENALTY = 25
PRIOR_SILENT_MINIMUM = 5
PRIOR_NEVER_REPLIED_CAP = 10
# BOTS.md: a buyer is hot when moving within 90 days.
BUYER_SOON_DAYS = 90
READY_TO_BUY = ("pre_approved", "cash")
SELLER_QUESTIONS = 4


@dataclass(frozen=True)
class OutcomeCounts:
    """Closed leads in the training window: won, and lost or abandoned."""

    won: int
    lost: int

    @property
    def enough_to_train(self) -> bool:
        return self.won >= MIN_OUTCOMES_PER_CLASS and self.lost >= MIN_OUTCOMES_PER_CLASS


@dataclass(frozen=True)
class LeadScores:
    """Tonight's scores for a set of leads, in the order of `contact_ids`."""

    contact_ids: np.ndarray
    scores: np.ndarray
    probabilities: np.ndarray | None
    reasons: list[list[str]]
    source: str
    model_id: int | None


def prior_note(outcomes: OutcomeCounts) -> str:
    """The prior's first reason: why no trained model scored this lead."""
    if outcomes.enough_to_train:
        return f"prior: no trained model has beaten it yet ({outcomes.won} won, {outcomes.lost} lost)"
    return f"prior: not enough closed outcomes ({outcomes.won} won, {outcomes.lost} lost)"


def prior_points(features: pd.DataFrame, silence_days: int) -> np.ndarray:
    """The prior's 0-100 score per lead, vectorised over the whole frame."""
    answers = features["seller_answers"].to_numpy(dtype=float)
    accepted = features["timeline_accepted"].to_numpy(dtype=float) == 1.0
    seller = np.where(
        (answers >= SELLER_QUESTIONS) & accepted,
        PRIOR_HOT,
        np.where(answers >= SELLER_QUESTIONS - 1, PRIOR_WARM, PRIOR_FLOOR + PRIOR_PER_SELLER_ANSWER * answers),
    )
    is_seller = (features["active_bot"].to_numpy() == "seller") | (answers > 0)

    ready = features["financing"].isin(READY_TO_BUY).to_numpy()
    budget = features["has_budget"].to_numpy(dtype=float) == 1.0
    soon = features["buyer_timeline_days"].to_numpy(dtype=float) <= BUYER_SOON_DAYS
    buyer = np.where(ready & budget & soon, PRIOR_HOT, np.where(ready | budget, PRIOR_WARM, PRIOR_BUYER_COLD))
    answered_financing = features["financing"].notna().to_numpy()
    is_buyer = (features["active_bot"].to_numpy() == "buyer") | ready | budget | answered_financing

    bot_score = np.nan_to_num(features["bot_lead_score"].to_numpy(dtype=float), nan=PRIOR_FLOOR)
    points = np.maximum.reduce([
        np.full(len(features), float(PRIOR_FLOOR)),
        np.where(is_seller, seller, 0.0),
        np.where(is_buyer, buyer, 0.0),
        bot_score,
    ])

    stage = features["stage"].to_numpy()
    booked = (features["call_booked"].to_numpy(dtype=float) == 1.0) | (stage == "appointment")
    points = np.where(booked, np.maximum(points, PRIOR_BOOKED_FLOOR), points)
    points = np.where(stage == "under_contract", np.maximum(points, PRIOR_UNDER_CONTRACT_FLOOR), points)
    points = np.where(stage == "qualified", np.maximum(points, PRIOR_QUALIFIED_FLOOR), points)

    silent = features["days_since_last_reply"].to_numpy(dtype=float) >= silence_days
    points = np.where(silent, np.maximum(points - PRIOR_SILENCE_PENALTY, PRIOR_SILENT_MINIMUM), points)
    never = features["days_since_last_reply"].isna().to_numpy() & (
        features["days_since_created"].to_numpy(dtype=float) >= silence_days
    )
    points = np.where(never, np.minimum(points, PRIOR_NEVER_REPLIED_CAP), points)
    return np.clip(np.rint(points), 0, 100).astype(int)


def prior_scores(features: pd.DataFrame, outcomes: OutcomeCounts, silence_days: int) -> LeadScores:
    """Score every lead with the prior, each with the facts that decided it."""
    note = prior_note(outcomes)
    return LeadScores(
        contact_ids=features.index.to_numpy(dtype=np.int64),
        scores=prior_points(features, silence_days),
        probabilities=None,
        reasons=[[note, *facts] for facts in _prior_facts(features, silence_days)],
        source="prior",
        model_id=None,
    )


def _prior_facts(features: pd.DataFrame, silence_days: int) -> list[list[str]]:
    """The facts the prior weighed for each lead, in the order it weighs them."""
    rows = features[["seller_answers", "timeline_accepted", "financing", "has_budget", "buyer_timeline_days",
                     "call_booked", "stage", "days_since_last_reply", "days_since_created"]].to_numpy(dtype=object)
    explained = []
    for answers, accepted, financing, budget, timeline, booked, stage, silent, age in rows:
        facts: list[str] = []
        if answers:
            facts.append(phrase("seller_answers", answers))
        if accepted == 1.0:
            facts.append(phrase("timeline_accepted", accepted))
        if financing in READY_TO_BUY:
            facts.append(phrase("financing", financing))
        if budget:
            facts.append(phrase("has_budget", budget))
        if is_known(timeline) and timeline <= BUYER_SOON_DAYS:
            facts.append(phrase("buyer_timeline_days", timeline))
        if booked or stage == "appointment":
            facts.append("call booked")
        if stage in ("qualified", "under_contract"):
            facts.append(stage.replace("_", " "))
        if is_known(silent) and silent >= silence_days:
            facts.append(phrase("days_since_last_reply", silent))
        elif not is_known(silent) and age >= silence_days:
            facts.append("never replied")
        explained.append(facts)
    return explained


def model_scores(features: pd.DataFrame, model: FittedModel, model_id: int) -> LeadScores:
    """Score every lead with the trained model: its calibrated probability, in percent, and its reasons."""
    frame = features[list(model.features)]
    probabilities = model.probability(frame)
    return LeadScores(
        contact_ids=features.index.to_numpy(dtype=np.int64),
        scores=np.clip(np.rint(probabilities * 100), 0, 100).astype(int),
        probabilities=probabilities,
        reasons=EffectCurves(model, frame).reasons(frame),
        source="model",
        model_id=model_id,
    )


def temperatures(scores: np.ndarray, location_ids: pd.Series, bands: Mapping[str, tuple[int, int]]) -> np.ndarray:
    """hot / warm / cold per lead, by each location's lead-score bands (hot, warm) from its bot settings."""
    hot = location_ids.map(lambda location: bands[location][0]).to_numpy(dtype=float)
    warm = location_ids.map(lambda location: bands[location][1]).to_numpy(dtype=float)
    return np.where(scores >= hot, "hot", np.where(scores >= warm, "warm", "cold"))
