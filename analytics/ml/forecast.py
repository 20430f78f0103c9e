"""Monthly forecasts with prediction intervals (e.g. new-home sales for a market outlook).

The forecaster fits six exponential-smoothing (ETS) models — additive or multiplicative errors,
with no trend, a trend, or a damped trend — and keeps the one with the lowest AIC on the history
it is given. The choice uses only past months, so a back-test that calls it at each origin never
sees the months it is scored on. Two baselines sit beside it for comparison.
"""
from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from statsmodels.tools.sm_exceptions import ConvergenceWarning
from statsmodels.tsa.exponential_smoothing.ets import ETSModel, ETSResults
from statsmodels.tsa.holtwinters import ExponentialSmoothing

DEFAULT_INTERVAL_LEVEL = 0.8
# Multiplicative-error ETS has no closed-form interval in statsmodels; 2,000 simulated paths put
# the 10th/90th percentiles within about half a percent of their limit, with a fixed seed.
SIMULATED_PATHS = 2_000
# (error, trend, damped): the non-seasonal ETS family. The series are seasonally adjusted.
ETS_CANDIDATES: tuple[tuple[str, str | None, bool], ...] = (
    ("add", None, False),
    ("add", "add", False),
    ("add", "add", True),
    ("mul", None, False),
    ("mul", "add", False),
    ("mul", "add", True),
)


@dataclass(frozen=True)
class Forecast:
    """Point forecasts for the next months, with an interval when the method provides one."""

    mean: np.ndarray
    lower: np.ndarray | None
    upper: np.ndarray | None
    level: float | None
    method: str


Forecaster = Callable[[np.ndarray, int], Forecast]


def _monthly(history: np.ndarray) -> pd.Series:
    # statsmodels builds its forecast index from the data's; month starts keep it quiet and exact.
    months = pd.date_range("2000-01-01", periods=len(history), freq="MS")
    return pd.Series(np.asarray(history, dtype=float), index=months)


def _fit_ets(series: pd.Series, error: str, trend: str | None, damped: bool) -> ETSResults:
    with warnings.catch_warnings():
        # Short or flat histories make the optimiser stop at a bound; the AIC still ranks the fit.
        warnings.simplefilter("ignore", ConvergenceWarning)
        return ETSModel(series, error=error, trend=trend, damped_trend=damped).fit(disp=False)


def _ets_name(error: str, trend: str | None, damped: bool) -> str:
    trend_code = "N" if trend is None else ("Ad" if damped else "A")
    return f"ETS({error[0].upper()},{trend_code},N)"


def forecast_monthly(history: np.ndarray, horizon: int, level: float = DEFAULT_INTERVAL_LEVEL) -> Forecast:
    """Forecast the next `horizon` months with the lowest-AIC ETS model fitted to `history`."""
    series = _monthly(history)
    # Multiplicative errors need a strictly positive series (sales counts usually are).
    candidates = [c for c in ETS_CANDIDATES if c[0] == "add" or bool((series > 0).all())]
    fits = [(_fit_ets(series, *candidate), candidate) for candidate in candidates]
    best, chosen = min(fits, key=lambda fit: fit[0].aic)
    prediction = best.get_prediction(
        start=len(series),
        end=len(series) + horizon - 1,
        simulate_repetitions=SIMULATED_PATHS,
        rng=np.random.default_rng(0),
    )
    bounds = prediction.pred_int(alpha=1 - level)
    return Forecast(
        mean=np.asarray(prediction.predicted_mean, dtype=float),
        lower=np.asarray(bounds.iloc[:, 0], dtype=float),
        upper=np.asarray(bounds.iloc[:, 1], dtype=float),
        level=level,
        method=_ets_name(*chosen),
    )


def last_value_forecast(history: np.ndarray, horizon: int) -> Forecast:
    """Baseline: every future month equals the last one observed."""
    return Forecast(np.repeat(float(history[-1]), horizon), None, None, None, "last value")


def damped_holt_forecast(history: np.ndarray, horizon: int) -> Forecast:
    """Baseline: statsmodels' damped additive Holt with its default fitting."""
    fitted = ExponentialSmoothing(np.asarray(history, dtype=float), trend="add", damped_trend=True).fit()
    return Forecast(np.asarray(fitted.forecast(horizon), dtype=float), None, None, None, "damped Holt")
