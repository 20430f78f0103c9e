"""Honest measurements of the trainer and the forecaster, next to baselines run on the same data.

Scoring and churn: 5-fold stratified cross-validation (shuffled, random_state=0). Every model —
ours, a plain logistic regression and a default HistGradientBoosting — sees identical folds and the
same candidate columns (identifiers, protected traits and, at intake, post-contact fields removed).
Forecasts: a rolling-origin back-test, refitting at every origin on the months before it only.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from threadpoolctl import threadpool_limits

from analytics.ml.columns import drop_protected_features
from analytics.ml.datasets import LabelledFrame
from analytics.ml.forecast import (
    DEFAULT_INTERVAL_LEVEL,
    Forecaster,
    damped_holt_forecast,
    forecast_monthly,
    last_value_forecast,
)
from analytics.ml.tabular import (
    ColumnTypes,
    ModelMetrics,
    calibration_table,
    infer_column_types,
    prepare_features,
    train,
)

# The machine's cores are shared; these fits are small, and one thread each measured the same
# wall-clock time as two while using half the CPU.
EVALUATION_THREADS = 1
CV_FOLDS = 5
CV_RANDOM_STATE = 0
MODEL_NAME = "jorgebot (calibrated blend)"
FORECAST_MODEL_NAME = "jorgebot (ETS by AIC)"
# The README's reference back-test: first forecast for month index 120, horizons 1 to 3.
FIRST_FORECAST_MONTH = 120
FORECAST_HORIZONS = 3


@dataclass(frozen=True)
class ScoringEvaluation:
    """Cross-validated metrics (mean over folds) of our model and the baselines, same folds."""

    metrics: dict[str, ModelMetrics]
    seconds: dict[str, float]
    rows: int
    positive_rate: float
    features: tuple[str, ...]
    excluded: dict[str, str]
    # Our model's reliability over every fold's held-out rows: per probability band, rows, mean predicted, observed.
    calibration: list[dict[str, float]]

    @property
    def model(self) -> ModelMetrics:
        return self.metrics[MODEL_NAME]


@dataclass(frozen=True)
class BacktestResult:
    """WMAPE over every (origin, horizon) pair, and how often the interval held the actual."""

    wmape: float
    pairs: int
    interval_coverage: float | None


@dataclass(frozen=True)
class ForecastEvaluation:
    results: dict[str, BacktestResult]
    seconds: dict[str, float]
    months: int

    @property
    def model(self) -> BacktestResult:
        return self.results[FORECAST_MODEL_NAME]


def _one_hot_preprocessing(types: ColumnTypes) -> ColumnTransformer:
    # The reference baselines: median-imputed, standardised numbers and one-hot categories.
    return ColumnTransformer(
        [
            (
                "numeric",
                make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
                list(types.numeric + types.boolean),
            ),
            (
                "categorical",
                make_pipeline(
                    SimpleImputer(strategy="constant", fill_value="missing"),
                    OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                ),
                list(types.categorical),
            ),
        ]
    )


def baseline_logistic_regression(types: ColumnTypes) -> Pipeline:
    """Plain LogisticRegression (defaults, except enough iterations to converge)."""
    return make_pipeline(_one_hot_preprocessing(types), LogisticRegression(max_iter=1_000))


def baseline_gradient_boosting(types: ColumnTypes) -> Pipeline:
    """HistGradientBoosting with its defaults on one-hot columns (seeded, so runs repeat)."""
    return make_pipeline(_one_hot_preprocessing(types), HistGradientBoostingClassifier(random_state=0))


def cross_validate_scoring(labelled: LabelledFrame, *, with_baselines: bool = True) -> ScoringEvaluation:
    """5-fold stratified CV of `train` (and the baselines) on a labelled export."""
    with threadpool_limits(limits=EVALUATION_THREADS):
        return _cross_validate_scoring(labelled, with_baselines=with_baselines)


def _cross_validate_scoring(labelled: LabelledFrame, *, with_baselines: bool) -> ScoringEvaluation:
    features, protected = drop_protected_features(labelled.features)
    outcome = labelled.outcome
    folds = StratifiedKFold(CV_FOLDS, shuffle=True, random_state=CV_RANDOM_STATE)
    per_fold: dict[str, list[ModelMetrics]] = {}
    seconds: dict[str, float] = {}
    held_out = np.zeros(len(features))
    for train_rows, test_rows in folds.split(features, outcome):
        train_frame, test_frame = features.iloc[train_rows], features.iloc[test_rows]
        train_outcome, test_outcome = outcome.iloc[train_rows], outcome.iloc[test_rows]
        started = time.perf_counter()
        model = train(train_frame, train_outcome)
        probability = model.probability(test_frame)
        held_out[test_rows] = probability
        _record(per_fold, seconds, MODEL_NAME, started, test_outcome, probability)
        if with_baselines:
            types = infer_column_types(train_frame)
            prepared_train, prepared_test = prepare_features(train_frame, types), prepare_features(test_frame, types)
            for name, baseline in (
                ("logistic regression", baseline_logistic_regression(types)),
                ("HistGradientBoosting", baseline_gradient_boosting(types)),
            ):
                started = time.perf_counter()
                baseline.fit(prepared_train, train_outcome)
                probability = baseline.predict_proba(prepared_test)[:, 1]
                _record(per_fold, seconds, name, started, test_outcome, probability)
    return ScoringEvaluation(
        metrics={name: _mean_metrics(folds_metrics) for name, folds_metrics in per_fold.items()},
        seconds=seconds,
        rows=len(features),
        positive_rate=float(outcome.mean()),
        features=model.features,
        excluded={**labelled.excluded, **{column: f"protected ({trait})" for column, trait in protected.items()}},
        calibration=calibration_table(outcome.to_numpy(), held_out),
    )


def _record(
    per_fold: dict[str, list[ModelMetrics]],
    seconds: dict[str, float],
    name: str,
    started: float,
    outcome: pd.Series,
    probability: np.ndarray,
) -> None:
    seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - started
    per_fold.setdefault(name, []).append(ModelMetrics.from_predictions(outcome, probability))


def _mean_metrics(folds_metrics: list[ModelMetrics]) -> ModelMetrics:
    return ModelMetrics(
        accuracy=float(np.mean([m.accuracy for m in folds_metrics])),
        roc_auc=float(np.mean([m.roc_auc for m in folds_metrics])),
        brier=float(np.mean([m.brier for m in folds_metrics])),
        lift_top_decile=float(np.mean([m.lift_top_decile for m in folds_metrics])),
    )


def format_scoring_report(title: str, evaluation: ScoringEvaluation) -> str:
    """A table of every model's metrics, the columns left out, and the machine-readable RESULT line."""
    lines = [
        f"{title}: {evaluation.rows} rows, {evaluation.positive_rate:.1%} positive, "
        f"{CV_FOLDS}-fold stratified CV (shuffle, random_state={CV_RANDOM_STATE}), same folds for every model",
        f"features ({len(evaluation.features)}, last fold): {', '.join(evaluation.features)}",
        "not used: " + "; ".join(f"{column} ({why})" for column, why in evaluation.excluded.items()),
        f"{'model':<28} {'accuracy':>9} {'roc_auc':>8} {'brier':>7} {'lift@10%':>9} {'seconds':>8}",
    ]
    for name, metrics in evaluation.metrics.items():
        lines.append(
            f"{name:<28} {metrics.accuracy:>9.4f} {metrics.roc_auc:>8.4f} {metrics.brier:>7.4f} "
            f"{metrics.lift_top_decile:>9.2f} {evaluation.seconds[name]:>8.1f}"
        )
    lines.append(f"reliability of {MODEL_NAME}, every row scored by the fold that did not train on it:")
    lines.append(f"  {'predicted band':<16} {'rows':>6} {'mean predicted':>15} {'share positive':>15}")
    for band in evaluation.calibration:
        lines.append(
            f"  {band['low']:>5.0%} to {band['high']:>4.0%}  {band['leads']:>6} {band['predicted']:>15.1%} "
            f"{band['observed']:>15.1%}"
        )
    model = evaluation.model
    lines.append(
        f"RESULT accuracy={model.accuracy:.4f} roc_auc={model.roc_auc:.4f} brier={model.brier:.4f} "
        f"lift_top_decile={model.lift_top_decile:.2f}"
    )
    return "\n".join(lines)


def rolling_origin_backtest(
    series: np.ndarray | pd.Series,
    forecaster: Forecaster,
    *,
    first_forecast_month: int = FIRST_FORECAST_MONTH,
    horizons: int = FORECAST_HORIZONS,
) -> BacktestResult:
    """Refit on months [0, origin) for every origin from `first_forecast_month`, forecast 1..h ahead.

    WMAPE = sum |actual - forecast| / sum |actual| x 100 over every (origin, horizon) pair whose
    month exists; near the end of the series the longer horizons simply run out.
    """
    values = np.asarray(series, dtype=float)
    absolute_errors: list[float] = []
    actuals: list[float] = []
    covered: list[bool] = []
    for origin in range(first_forecast_month, len(values)):
        forecast = forecaster(values[:origin], horizons)
        for step in range(min(horizons, len(values) - origin)):
            actual = values[origin + step]
            absolute_errors.append(abs(actual - forecast.mean[step]))
            actuals.append(abs(actual))
            if forecast.lower is not None and forecast.upper is not None:
                covered.append(bool(forecast.lower[step] <= actual <= forecast.upper[step]))
    return BacktestResult(
        wmape=100 * float(np.sum(absolute_errors) / np.sum(actuals)),
        pairs=len(actuals),
        interval_coverage=float(np.mean(covered)) if covered else None,
    )


def evaluate_forecast(series: pd.Series) -> ForecastEvaluation:
    """The rolling-origin back-test of our forecaster and both baselines, in the same run."""
    forecasters: dict[str, Forecaster] = {
        FORECAST_MODEL_NAME: forecast_monthly,
        "last value": last_value_forecast,
        "damped Holt": damped_holt_forecast,
    }
    results: dict[str, BacktestResult] = {}
    seconds: dict[str, float] = {}
    with threadpool_limits(limits=EVALUATION_THREADS):
        for name, forecaster in forecasters.items():
            started = time.perf_counter()
            results[name] = rolling_origin_backtest(series, forecaster)
            seconds[name] = time.perf_counter() - started
    return ForecastEvaluation(results=results, seconds=seconds, months=len(series))


def format_forecast_report(title: str, evaluation: ForecastEvaluation) -> str:
    """A table of WMAPE per method, interval coverage where there is one, and the RESULT line."""
    coverage_header = f"{DEFAULT_INTERVAL_LEVEL:.0%} interval coverage"
    lines = [
        f"{title}: {evaluation.months} months, rolling origin from month {FIRST_FORECAST_MONTH}, "
        f"horizons 1-{FORECAST_HORIZONS}, WMAPE = sum|error| / sum|actual| x 100 over all origin x horizon pairs",
        f"{'method':<24} {'wmape %':>8} {'pairs':>6} {coverage_header:>22} {'seconds':>8}",
    ]
    for name, result in evaluation.results.items():
        coverage = f"{result.interval_coverage:.1%}" if result.interval_coverage is not None else "-"
        lines.append(
            f"{name:<24} {result.wmape:>8.2f} {result.pairs:>6} {coverage:>22} {evaluation.seconds[name]:>8.1f}"
        )
    lines.append(f"RESULT wmape={evaluation.model.wmape:.2f}")
    return "\n".join(lines)
