"""Commission forecasts per location and month, from the open deals and the history of closed ones.

For each month from the current one:
    expected = commission closed so far this month
             + open deals expected to close that month, each weighted by its chance of closing
             + business not in the pipeline yet: the trend model's forecast of the month's closed commission
               (analytics.ml.forecast) times the share of past commission from deals opened that late.
The interval treats deals as independent coin flips (variance p(1-p) x commission^2) plus the trend model's own
interval for the share it contributes. The categories are the usual nested, unweighted ones: closed, commit
(+ deals at COMMIT_PROBABILITY or more), best case (+ deals at BEST_CASE_PROBABILITY or more), pipeline (+ all).
The back-test scores the trend model on the location's own past months; the pipeline part cannot be back-tested
(GHL keeps no history of each deal's stage), and the row says which method produced it.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd

from analytics.config import DEFAULT_DEAL_PROBABILITY, MIN_WON_DEALS_FOR_DAYS_TO_CLOSE, AnalyticsConfig
from analytics.ml.evaluation import rolling_origin_backtest
from analytics.ml.forecast import DEFAULT_INTERVAL_LEVEL, forecast_monthly
from analytics.models import ForecastMethod

FORECAST_MONTHS = 3
COMMIT_PROBABILITY = 0.8
BEST_CASE_PROBABILITY = 0.5
# The trend model needs a year of months, at least half of them with a closing, to tell trend from noise.
TREND_MIN_MONTHS = 12
TREND_MIN_ACTIVE_MONTHS = 6
# With a few months only, the recent average stands in for the trend.
AVERAGE_MIN_MONTHS = 3
AVERAGE_MONTHS = 6
# The trend learns from at most three years of months: older ones describe another market.
HISTORY_MONTHS = 36
# Back-test origins: the latest six months. Each origin refits six ETS models (about 0.1 s each on this machine),
# so six origins keep a location's nightly forecast within a few seconds.
BACKTEST_ORIGINS = 6


@dataclass(frozen=True)
class Trend:
    """The forecast of a location's total closed commission per month, with its spread and measured error."""

    mean: np.ndarray
    spread: np.ndarray  # standard deviation per month
    method: str
    model: str
    backtest_wmape: float | None
    backtest_pairs: int


@dataclass(frozen=True)
class MonthForecast:
    month: pd.Timestamp
    expected: float
    low: float
    high: float
    closed: float
    commit: float
    best_case: float
    pipeline: float
    method: str
    trend_model: str
    history_months: int
    backtest_wmape: float | None
    backtest_pairs: int


def _z(level: float) -> float:
    return NormalDist().inv_cdf(0.5 + level / 2)


def closed_commission_trend(history: pd.Series, horizon: int, level: float = DEFAULT_INTERVAL_LEVEL) -> Trend:
    """Forecast the next `horizon` months of closed commission from complete past months (oldest first)."""
    values = history.to_numpy(dtype=float)
    if len(values) >= TREND_MIN_MONTHS and int((values > 0).sum()) >= TREND_MIN_ACTIVE_MONTHS:
        forecast = forecast_monthly(values, horizon, level)
        lower = forecast.mean if forecast.lower is None else forecast.lower
        upper = forecast.mean if forecast.upper is None else forecast.upper
        spread = (upper - lower) / (2 * _z(level))
        wmape, pairs = _backtest(values, horizon)
        return Trend(np.maximum(forecast.mean, 0.0), spread, ForecastMethod.PIPELINE_AND_TREND, forecast.method,
                     wmape, pairs)
    if len(values) >= AVERAGE_MIN_MONTHS:
        recent = values[-AVERAGE_MONTHS:]
        return Trend(np.full(horizon, recent.mean()), np.full(horizon, recent.std(ddof=1)),
                     ForecastMethod.PIPELINE_AND_AVERAGE, f"average of {len(recent)} months", None, 0)
    return Trend(np.zeros(horizon), np.zeros(horizon), ForecastMethod.PIPELINE_ONLY, "", None, 0)


def _backtest(values: np.ndarray, horizon: int) -> tuple[float | None, int]:
    first = max(TREND_MIN_MONTHS, len(values) - BACKTEST_ORIGINS)
    if first >= len(values):
        return None, 0
    result = rolling_origin_backtest(values, forecast_monthly, first_forecast_month=first, horizons=horizon)
    # A stretch of months without a single closing has no percentage error to speak of.
    return (result.wmape if math.isfinite(result.wmape) else None), result.pairs


def unseen_share(lags_months: np.ndarray, commission: np.ndarray, horizon: int, month_left: float) -> np.ndarray:
    """Per month ahead (0 = this month): the share of a month's commission that comes from deals not opened yet.

    `lags_months` is, for each won deal, the months between the month it was opened and the month it closed. This
    month, only deals opened in the days left can still be missing, hence `month_left` (0 to 1).
    """
    total = float(commission.sum())
    if total <= 0:
        return np.zeros(horizon)
    shares = np.array([float(commission[lags_months <= ahead].sum()) / total for ahead in range(horizon)])
    shares[0] *= month_left
    return shares


def forecast_months(
    open_deals: pd.DataFrame,
    closed_history: pd.Series,
    closed_this_month: float,
    shares: np.ndarray,
    months: list[pd.Timestamp],
    level: float = DEFAULT_INTERVAL_LEVEL,
) -> list[MonthForecast]:
    """One forecast per month in `months` (the current month first).

    `open_deals` has one row per open deal: `commission` (value x rate), `probability` and `month` (expected close).
    """
    trend = closed_commission_trend(closed_history, len(months), level)
    z = _z(level)
    forecasts = []
    for ahead, month in enumerate(months):
        deals = open_deals[open_deals["month"] == month]
        commission = deals["commission"].to_numpy(dtype=float)
        chance = deals["probability"].to_numpy(dtype=float)
        closed = closed_this_month if ahead == 0 else 0.0
        new_business = float(trend.mean[ahead] * shares[ahead])
        expected = closed + float((chance * commission).sum()) + new_business
        deal_variance = float((chance * (1 - chance) * commission**2).sum())
        spread = math.sqrt(deal_variance + float(trend.spread[ahead] * shares[ahead]) ** 2)
        commit = closed + float(commission[chance >= COMMIT_PROBABILITY].sum())
        best_case = commit + float(commission[(chance >= BEST_CASE_PROBABILITY) & (chance < COMMIT_PROBABILITY)].sum())
        forecasts.append(MonthForecast(
            month=month,
            expected=expected,
            low=max(closed, expected - z * spread),
            high=expected + z * spread,
            closed=closed,
            commit=commit,
            best_case=best_case,
            pipeline=closed + float(commission.sum()),
            method=trend.method,
            trend_model=trend.model,
            history_months=len(closed_history),
            backtest_wmape=trend.backtest_wmape,
            backtest_pairs=trend.backtest_pairs,
        ))
    return forecasts


@dataclass(frozen=True)
class ForecastInputs:
    """A location's deals turned into what `forecast_months` reads."""

    open_deals: pd.DataFrame
    closed_history: pd.Series
    closed_this_month: float
    shares: np.ndarray
    months: list[pd.Timestamp]


def _month(moments: pd.Series, tz: str) -> pd.Series:
    return moments.dt.tz_convert(tz).dt.tz_localize(None).dt.to_period("M").dt.to_timestamp()


def forecast_inputs(deals: pd.DataFrame, config: AnalyticsConfig, now: dt.datetime, tz: str) -> ForecastInputs:
    """Commission per deal, each open deal's chance and expected month, and the monthly history of closed commission.

    `deals` is analytics.populations.deals_of(location); months are the location's own calendar months.
    """
    this_month = pd.Timestamp(now).tz_convert(tz).tz_localize(None).to_period("M").to_timestamp()
    months = [this_month + pd.DateOffset(months=ahead) for ahead in range(FORECAST_MONTHS)]
    commission = deals["value"].fillna(0.0) * config.commission_rate

    won = deals["status"].eq("won") & deals["closed_at"].notna()
    won_month = _month(deals.loc[won, "closed_at"], tz)
    won_commission = commission[won]
    by_month = won_commission.groupby(won_month).sum()
    closed_this_month = float(by_month.get(this_month, 0.0))
    history = by_month[by_month.index < this_month]
    if len(history):
        start = max(history.index.min(), this_month - pd.DateOffset(months=HISTORY_MONTHS))
        history = history.reindex(pd.date_range(start, this_month - pd.DateOffset(months=1), freq="MS"), fill_value=0.0)

    opened_month = _month(deals.loc[won, "opened_at"], tz)
    lags = ((won_month.dt.year - opened_month.dt.year) * 12 + won_month.dt.month - opened_month.dt.month).to_numpy()
    days_in_month = pd.Timestamp(this_month).days_in_month
    elapsed = (pd.Timestamp(now).tz_convert(tz).tz_localize(None) - this_month) / pd.Timedelta(days=1)
    shares = unseen_share(lags, won_commission.to_numpy(dtype=float), FORECAST_MONTHS, 1 - elapsed / days_in_month)

    open_deals = deals[deals["status"].eq("open")]
    return ForecastInputs(
        open_deals=pd.DataFrame({
            "commission": commission[open_deals.index],
            "probability": _chance_of_closing(open_deals, config),
            "month": _expected_month(open_deals, deals[won], config, tz).clip(lower=this_month),
        }),
        closed_history=history,
        closed_this_month=closed_this_month,
        shares=shares,
        months=months,
    )


def _chance_of_closing(open_deals: pd.DataFrame, config: AnalyticsConfig) -> pd.Series:
    """The location's probability for the deal's stage when it set one, else the lead's score, else the default."""
    by_stage = open_deals["stage"].map(config.deal_stage_probabilities).astype(float)
    by_score = open_deals["lead_score"] / 100
    return by_stage.fillna(by_score).fillna(DEFAULT_DEAL_PROBABILITY).clip(0.0, 1.0)


def _expected_month(open_deals: pd.DataFrame, won: pd.DataFrame, config: AnalyticsConfig, tz: str) -> pd.Series:
    """The team's expected close date when set, else opened + the location's median time to close a won deal."""
    took = (won["closed_at"] - won["opened_at"]).dt.days
    days = float(took.median()) if len(took) >= MIN_WON_DEALS_FOR_DAYS_TO_CLOSE else config.deal_days_to_close
    estimated = _month(open_deals["opened_at"] + pd.Timedelta(days=days), tz)
    given = open_deals["expected_close"].dt.to_period("M").dt.to_timestamp()
    return given.fillna(estimated)
