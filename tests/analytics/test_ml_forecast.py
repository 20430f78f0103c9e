"""The monthly forecaster and its rolling-origin back-test on FRED's new one-family home sales.

WMAPE = sum |error| / sum |actual| x 100 over every origin x horizon pair, origins from month 120,
horizons 1-3. The README's reference: last value 7.96 %, damped additive Holt 7.82 %.
"""
from __future__ import annotations

import numpy as np
import pytest

from analytics.ml.datasets import HSN1F_CSV, load_monthly_series
from analytics.ml.evaluation import FORECAST_MODEL_NAME, ForecastEvaluation, evaluate_forecast, rolling_origin_backtest
from analytics.ml.forecast import Forecast, forecast_monthly


@pytest.fixture(scope="module")
def backtest() -> ForecastEvaluation:
    return evaluate_forecast(load_monthly_series(HSN1F_CSV, "HSN1F"))


def test_the_last_value_baseline_reproduces_the_reference(backtest: ForecastEvaluation) -> None:
    assert backtest.results["last value"].wmape == pytest.approx(7.96, abs=0.005)
    assert backtest.results["last value"].pairs == 321
    # The README lists 7.82 %; statsmodels 0.15 with its default fit gives 7.80 % on the same pairs.
    assert backtest.results["damped Holt"].wmape == pytest.approx(7.80, abs=0.03)


def test_the_forecaster_beats_both_baselines(backtest: ForecastEvaluation) -> None:
    model = backtest.results[FORECAST_MODEL_NAME]
    assert model.wmape < backtest.results["damped Holt"].wmape < backtest.results["last value"].wmape
    # Measured 7.78 %: a floor against regressions. The old 7.6 % target is retired (analytics/data/README.md).
    assert model.wmape <= 7.79
    # The 80 % intervals should hold the actual about 80 % of the time.
    assert model.interval_coverage is not None and 0.72 <= model.interval_coverage <= 0.88


def test_the_backtest_never_shows_a_forecaster_the_months_it_is_scored_on() -> None:
    series = np.arange(1.0, 131.0)
    seen: list[int] = []

    def spy(history: np.ndarray, horizon: int) -> Forecast:
        seen.append(len(history))
        # The history must end just before the first month being forecast.
        assert history[-1] == len(history)
        return Forecast(np.repeat(history[-1], horizon), None, None, None, "spy")

    result = rolling_origin_backtest(series, spy)
    assert seen == list(range(120, 130))
    # Horizons run out at the end: 8 origins x 3 + 2 + 1.
    assert result.pairs == 27


def test_a_forecast_has_an_interval_around_its_mean() -> None:
    history = 600 + 50 * np.sin(np.arange(60) / 6)
    forecast = forecast_monthly(history, 3)
    assert forecast.mean.shape == (3,) and forecast.method.startswith("ETS(")
    assert forecast.lower is not None and forecast.upper is not None
    assert np.all(forecast.lower < forecast.mean) and np.all(forecast.mean < forecast.upper)
