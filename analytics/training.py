"""Training sets from the database, and training with an honest test: on newer leads the model never saw.

Lead scoring learns from closed leads, oldest 80 % to train, newest 20 % to test, each described as it stood at its
outcome. Churn learns from a snapshot two silence windows ago (was each lead heard from in the window after it?)
and is tested on the snapshot one window ago. Either way the test asks what deploying the model would have asked:
how does it do on the next leads? The prior is scored on the same test leads, so a model is put in charge only when
it ranks leads better than the rules it replaces.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from analytics import churn, populations, scoring
from analytics.features import CHURN_FEATURES, SCORING_FEATURES, lead_features
from analytics.ml.tabular import FittedModel, ModelMetrics, calibration_table, train

# The newest 20 % of outcomes are held back to test on.
TEST_SHARE = 0.2
# Training time grows with rows; measured on this 2-core machine (one model thread, busy neighbours): 2,000 rows
# 4.4 s, 10,000 rows 11.8 s. 20,000 keeps the weekly retraining near half a minute per model.
MAX_TRAINING_ROWS = 20_000
RANDOM_STATE = 0


@dataclass(frozen=True)
class LabelledLeads:
    """Leads described as they stood at `at`, with what happened next (1 = won, or went cold)."""

    features: pd.DataFrame
    outcome: pd.Series
    at: pd.Series

    def __len__(self) -> int:
        return len(self.outcome)

    @property
    def positives(self) -> int:
        return int(self.outcome.sum())

    @property
    def negatives(self) -> int:
        return len(self) - self.positives


@dataclass(frozen=True)
class Candidate:
    """A freshly trained model and how it did on the test leads, next to the prior."""

    model: FittedModel
    metrics: ModelMetrics
    calibration: list[dict[str, float]]
    prior_roc_auc: float | None
    training: LabelledLeads
    test: LabelledLeads

    @property
    def beats_prior(self) -> bool:
        return self.prior_roc_auc is None or self.metrics.roc_auc > self.prior_roc_auc


def scoring_outcomes(now: dt.datetime) -> LabelledLeads:
    """The closed leads of the training window, oldest first, described at their outcome."""
    closed = populations.closed_leads(now - dt.timedelta(days=populations.TRAINING_WINDOW_DAYS), MAX_TRAINING_ROWS)
    at = pd.Series(pd.to_datetime(closed["outcome_at"], utc=True).to_numpy(), index=closed["contact_id"])
    return LabelledLeads(lead_features(at), pd.Series(closed["won"].to_numpy(), index=at.index), at)


def churn_outcomes(as_of: dt.datetime, silence_days: int) -> LabelledLeads:
    """The leads we were talking to at `as_of`, described then, labelled by whether they went cold after."""
    snapshot = populations.churn_snapshot(as_of, silence_days)
    at = pd.Series([as_of] * len(snapshot), index=snapshot["contact_id"], dtype="datetime64[us, UTC]")
    return LabelledLeads(lead_features(at), pd.Series(snapshot["went_cold"].to_numpy(), index=at.index), at)


def split_by_time(leads: LabelledLeads) -> tuple[LabelledLeads, LabelledLeads]:
    """Oldest (1 - TEST_SHARE) to train, newest TEST_SHARE to test; `leads` are oldest first."""
    cut = int(round(len(leads) * (1 - TEST_SHARE)))
    return _rows(leads, slice(0, cut)), _rows(leads, slice(cut, None))


def _rows(leads: LabelledLeads, rows: slice | np.ndarray) -> LabelledLeads:
    return LabelledLeads(leads.features.iloc[rows], leads.outcome.iloc[rows], leads.at.iloc[rows])


def _at_most(leads: LabelledLeads, rows: int) -> LabelledLeads:
    """A fixed random sample of `rows` leads (all of them if fewer): a snapshot's leads share one moment, so no
    "newest" to prefer."""
    if len(leads) <= rows:
        return leads
    chosen = np.sort(np.random.default_rng(RANDOM_STATE).choice(len(leads), size=rows, replace=False))
    return _rows(leads, chosen)


def fit_and_test(
    training: LabelledLeads,
    test: LabelledLeads,
    features: tuple[str, ...],
    prior: Callable[[pd.DataFrame], np.ndarray],
    target: str,
) -> Candidate:
    """Train on `training`, then measure the model and the prior (a ranking function) on `test`."""
    model = train(training.features[list(features)], training.outcome, target=target)
    probability = model.probability(test.features[list(model.features)])
    metrics = ModelMetrics.from_predictions(test.outcome.to_numpy(), probability)
    prior_ranking = prior(test.features)
    prior_auc = float(roc_auc_score(test.outcome, prior_ranking)) if len(set(prior_ranking)) > 1 else 0.5
    return Candidate(model, metrics, calibration_table(test.outcome.to_numpy(), probability), prior_auc, training, test)


def train_scoring(now: dt.datetime, silence_days: int) -> Candidate | None:
    """A lead-scoring candidate, or None when either outcome has too few leads."""
    outcomes = scoring_outcomes(now)
    if min(outcomes.positives, outcomes.negatives) < scoring.MIN_OUTCOMES_PER_CLASS:
        return None
    training, test = split_by_time(outcomes)
    if test.positives == 0 or test.negatives == 0:
        return None
    return fit_and_test(
        training, test, SCORING_FEATURES, lambda leads: scoring.prior_points(leads, silence_days), "won"
    )


def train_churn(now: dt.datetime, silence_days: int) -> Candidate | None:
    """A churn candidate trained two silence windows back and tested one window back, or None without enough."""
    window = dt.timedelta(days=silence_days)
    training = _at_most(churn_outcomes(now - 2 * window, silence_days), MAX_TRAINING_ROWS)
    if min(training.positives, training.negatives) < scoring.MIN_OUTCOMES_PER_CLASS:
        return None
    test = churn_outcomes(now - window, silence_days)
    if test.positives == 0 or test.negatives == 0:
        return None
    return fit_and_test(
        training, test, CHURN_FEATURES,
        lambda leads: churn.prior_risks(leads, silence_days, note="").probabilities, "went cold",
    )
