"""Reason codes: which of a lead's facts moved its score most, said in a broker's words ("silent 12 days").

A trained model's reasons come from effect curves: for each feature, the model's average log-odds over a sample of
tonight's leads with that feature set to each value in turn (partial dependence). A lead's reason is the feature
whose curve at the lead's value sits furthest from the curve at a typical lead's value. It ranks features the way
`FittedModel.reasons` does (replace one answer with the typical one, see what moves), but costs a fixed number of
predictions per model instead of one per lead and feature: measured on this 2-core machine, `FittedModel.reasons`
took 9.3 s per 10,000 leads (75 s for 80,000, more than the whole nightly budget); the curves take about 1.5 s per
model whatever the number of leads. The price is that a curve averages over other answers instead of holding this
lead's, which matters only where features interact; tests/analytics/test_scoring_reasons.py checks that both agree
on the strongest reason for most leads.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import SupportsFloat

import numpy as np
import pandas as pd

from analytics.ml.tabular import MIN_REASON_EFFECT, REASONS_PER_ROW, FittedModel, prepare_features

# Leads each curve is averaged over, and points along a number's curve (its quantiles; effects in between are
# interpolated). Measured on 2,000 synthetic leads with every scoring feature: 128 x 12 named the same strongest
# reason as FittedModel.reasons for 91 % of leads in 1.4 s; 256 x 17 for 92 % in 3.8 s.
CURVE_SAMPLE_ROWS = 128
CURVE_NUMERIC_POINTS = 12
# Categories beyond the most common ones get no reason of their own (their effect counts as zero).
CURVE_MAX_CATEGORIES = 40
RANDOM_STATE = 0

_FINANCING = {
    "pre_approved": "pre-approved",
    "cash": "paying cash",
    "talking_to_lender": "talking to a lender",
    "none": "no financing yet",
}
_CONDITION = {"move_in_ready": "home is move-in ready", "needs_work": "home needs work"}


def _plural(count: float, word: str) -> str:
    whole = int(round(count))
    return f"{whole} {word}" if whole == 1 else f"{whole} {word}s"


def _minutes(minutes: float) -> str:
    if minutes <= 5:
        return "replies within 5 minutes"
    if minutes < 60:
        return f"replies in about {int(round(minutes))} minutes"
    if minutes < 48 * 60:
        return f"replies after about {_plural(minutes / 60, 'hour')}"
    return f"replies after about {_plural(minutes / 1440, 'day')}"


def _days_silent(days: float) -> str:
    if days < 1:
        return "replied today"
    return f"silent {_plural(days, 'day')}"


def _number(value: object) -> float:
    """A numeric feature's value as a float, numpy's numbers as Python's; anything else float() refuses too."""
    if isinstance(value, (SupportsFloat, str)):
        return float(value)
    raise TypeError(f"not a number: {type(value).__name__}")


def is_known(value: object) -> bool:
    """Whether a fact was recorded at all (not None, NaN or NA)."""
    return value is not None and not (isinstance(value, float) and math.isnan(value)) and value is not pd.NA


_PHRASES: dict[str, Callable[[object], str]] = {
    "source": lambda v: f"came from {v}" if is_known(v) else "source not recorded",
    "active_bot": lambda v: f"with the {v} bot",
    "inbound_texts": lambda v: f"sent us {_plural(_number(v), 'text')}" if v else "never texted back",
    "outbound_texts": lambda v: f"got {_plural(_number(v), 'text')} from us",
    "median_reply_minutes": lambda v: _minutes(_number(v)) if is_known(v) else "never replied to the bot",
    "days_since_last_reply": lambda v: _days_silent(_number(v)) if is_known(v) else "never replied",
    "days_since_created": lambda v: f"lead for {_plural(_number(v), 'day')}",
    "seller_answers": lambda v: f"{int(_number(v))} of 4 seller answers",
    "timeline_accepted": lambda v: (
        "timeline not answered" if not is_known(v) else ("30 to 45 days accepted" if v else "30 to 45 days declined")
    ),
    "property_condition": lambda v: _CONDITION.get(str(v), "condition not answered"),
    "financing": lambda v: _FINANCING.get(str(v), "financing not answered"),
    "has_budget": lambda v: "budget known" if v else "no budget yet",
    "buyer_timeline_days": lambda v: (
        f"moving within {_plural(_number(v), 'day')}" if is_known(v) else "move date not answered"
    ),
    "call_booked": lambda v: "call booked" if v else "no call booked",
    "objections": lambda v: _plural(_number(v), "objection") if v else "no objections",
    "handoffs": lambda v: f"handed between bots {_plural(_number(v), 'time')}" if v else "one bot throughout",
}


def phrase(feature: str, value: object) -> str:
    """One fact about a lead in plain words: ("days_since_last_reply", 12.4) -> "silent 12 days"."""
    return _PHRASES[feature](value)


@dataclass(frozen=True)
class _Curve:
    numeric: bool
    points: np.ndarray  # numbers: sorted grid; categories: their values
    log_odds: np.ndarray
    missing_log_odds: float


class EffectCurves:
    """A model's effect curves, computed once per run on a sample of the leads being scored."""

    def __init__(self, model: FittedModel, leads: pd.DataFrame) -> None:
        self.model = model
        sample = leads.sample(n=min(CURVE_SAMPLE_ROWS, len(leads)), random_state=RANDOM_STATE)
        grids = {feature: self._grid(feature, leads[feature]) for feature in model.features}
        self.curves = self._evaluate(sample, grids)

    def _grid(self, feature: str, values: pd.Series) -> list[object]:
        present = values.dropna()
        if feature in self.model.column_types.numeric or feature in self.model.column_types.boolean:
            steps = np.linspace(0, 1, CURVE_NUMERIC_POINTS)
            quantiles = np.quantile(present.astype(float), steps) if len(present) else []
            return [*sorted({*map(float, quantiles), float(self.model.typical_values[feature])}), None]
        common = present.astype(str).value_counts().index[:CURVE_MAX_CATEGORIES]
        return [*sorted({*common, str(self.model.typical_values[feature])}), None]

    def _evaluate(self, sample: pd.DataFrame, grids: dict[str, list[object]]) -> dict[str, _Curve]:
        # Every (feature, value) variant of the sample in one frame, so the model is called once.
        variants = [
            sample.assign(**{feature: value}) for feature, grid in grids.items() for value in grid
        ]
        stacked = pd.concat(variants, ignore_index=True)
        prepared = prepare_features(stacked, self.model.column_types)
        log_odds = self.model.estimator.decision_function(prepared).reshape(-1, len(sample)).mean(axis=1)
        curves: dict[str, _Curve] = {}
        position = 0
        for feature, grid in grids.items():
            values = log_odds[position : position + len(grid)]
            position += len(grid)
            numeric = feature not in self.model.column_types.categorical
            points = np.array(grid[:-1], dtype=float if numeric else object)
            curves[feature] = _Curve(numeric, points, values[:-1], float(values[-1]))
        return curves

    def effects(self, leads: pd.DataFrame) -> np.ndarray:
        """(leads x features) change in log-odds from a typical lead's value to each lead's own."""
        columns = []
        for feature in self.model.features:
            curve = self.curves[feature]
            typical = self._at(curve, pd.Series([self.model.typical_values[feature]]), np.nan)[0]
            columns.append(self._at(curve, leads[feature], typical) - typical)
        return np.column_stack(columns) if columns else np.zeros((len(leads), 0))

    @staticmethod
    def _at(curve: _Curve, values: pd.Series, unmeasured: float) -> np.ndarray:
        """The curve at each value; `unmeasured` for a category too rare to have a point of its own."""
        missing = values.isna().to_numpy()
        if curve.numeric:
            numbers = pd.to_numeric(values, errors="coerce").astype(float).to_numpy()
            found = np.interp(np.nan_to_num(numbers), curve.points.astype(float), curve.log_odds)
        else:
            lookup = dict(zip(curve.points, curve.log_odds, strict=True))
            found = values.astype(object).map(lambda v: lookup.get(str(v), unmeasured)).to_numpy(dtype=float)
        return np.where(missing, curve.missing_log_odds, found)

    def reasons(self, leads: pd.DataFrame, top: int = REASONS_PER_ROW) -> list[list[str]]:
        """For each lead, up to `top` facts that set its score apart from a typical lead's, strongest first."""
        effects = np.abs(np.nan_to_num(self.effects(leads)))
        order = np.argsort(-effects, axis=1, kind="stable")[:, :top]
        strong = np.take_along_axis(effects, order, axis=1) >= MIN_REASON_EFFECT
        said = np.empty(order.shape, dtype=object)
        # Feature by feature rather than lead by lead: each distinct value is put into words once.
        for position, feature in enumerate(self.model.features):
            rows, ranks = np.nonzero(order == position)
            if len(rows):
                said[rows, ranks] = phrases(feature, leads[feature].to_numpy(dtype=object)[rows])
        return [row[keep].tolist() for row, keep in zip(said, strong, strict=True)]


def phrases(feature: str, values: np.ndarray) -> np.ndarray:
    """`phrase` for many values of one feature, computing each distinct value's words once."""
    codes, distinct = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    words = [phrase(feature, value) for value in distinct]
    if (codes < 0).any():
        words.append(phrase(feature, None))  # factorize's code for missing, -1, picks this last entry
    return np.array(words, dtype=object)[codes]
