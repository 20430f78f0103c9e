"""Write operations of the analytics: deals from GHL's webhooks, a broker's score override, and the nightly jobs
(rescore every open lead, predict who is going cold, forecast commission, retrain the models).

The nightly jobs read features in bulk (analytics.features), score with vectorised code, and write in batches: no
lead is saved one at a time. Their modelling code (pandas, scikit-learn, statsmodels: ~5 s and ~180 MB to import
on this machine) and their bulk reads (analytics.populations) are imported inside the jobs, so the web processes that
record deals and overrides never load them.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import pickle
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from cachalot.api import invalidate
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from analytics import selectors
from analytics.models import (
    ChurnPrediction,
    LeadScore,
    ModelKind,
    RevenueForecast,
    RunKind,
    ScoreOverride,
    ScoreSource,
    ScoringModel,
)
from analytics.runs import recorded_run
from leads.models import Contact, Location

if TYPE_CHECKING:
    import pandas as pd

    from analytics.churn import ChurnRisks
    from analytics.forecasting import MonthForecast
    from analytics.ml.tabular import FittedModel
    from analytics.scoring import LeadScores
    from analytics.training import Candidate

logger = logging.getLogger(__name__)

# Rows per statement of score history, churn predictions and Contact.score / temperature updates. Measured with
# bench/nightly_rescore.py's data (100,000 leads, 54,000 open) on the busy 2-core machine: at 5,000 rows a
# statement the history took 5.0 s in all (0.5 s and 16 MB of Python memory a statement), the leads 7 to 9 s (0.7 s
# of row locks a statement: a bot turn on one of those leads waits at most that), churn 7 s (0.6 s, 17 MB); at
# 20,000 rows each took as long or longer (8 to 11 s, 3 to 4 s a statement, 23 to 25 MB); one statement for all,
# 6.5 to 8.5 s with every row locked throughout.
HISTORY_BATCH = 5_000
CHURN_BATCH = 5_000
CONTACT_UPDATE_BATCH = 5_000
# A scoring model is retrained when this many leads have closed since the newest one was trained.
RETRAIN_AFTER_NEW_OUTCOMES = 100


# -- a broker's own score ------------------------------------------------------------------------------------


def override_score(contact: Contact, score: int, reason: str, user: Any) -> ScoreOverride:
    """Set a lead's score by hand. It stays until `clear_score_override`; the nightly rescoring leaves it alone."""
    if not 0 <= score <= 100:
        raise ValueError("a score is between 0 and 100")
    who = getattr(user, "get_username", lambda: "")() or "a person"
    now = timezone.now()
    with transaction.atomic():
        override, _ = ScoreOverride.objects.update_or_create(
            contact=contact, defaults={"score": score, "reason": reason, "set_by": user, "set_at": now}
        )
        LeadScore.objects.create(
            contact=contact, score=score, source=ScoreSource.OVERRIDE, reasons=[f"set by {who}: {reason}"],
            computed_at=now,
        )
        _set_current_score(contact, score, now)
    return override


def clear_score_override(contact: Contact) -> None:
    """Drop a lead's manual score: it goes back to the last score the prior or a model gave it."""
    now = timezone.now()
    with transaction.atomic():
        deleted, _ = ScoreOverride.objects.filter(contact=contact).delete()
        if not deleted:
            return
        computed = selectors.latest_computed_score(contact)
        if computed is None:
            _set_current_score(contact, None, now)
            return
        # Repeated as the newest row, so the history reads "override 90, then back to 42" and tonight's rescoring
        # compares against the score the lead really has.
        LeadScore.objects.create(
            contact=contact, score=computed.score, probability=computed.probability, source=computed.source,
            model=computed.model, reasons=computed.reasons, computed_at=now,
        )
        _set_current_score(contact, computed.score, now)


def _set_current_score(contact: Contact, score: int | None, now: dt.datetime) -> None:
    changes: dict[str, Any] = {"score": score, "updated_at": now}
    if score is not None:
        hot, warm = selectors.score_bands([contact.location_id])[contact.location_id]
        changes["temperature"] = "hot" if score >= hot else "warm" if score >= warm else "cold"
    Contact.objects.filter(pk=contact.pk).update(**changes)


# -- nightly: scores ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RescoreReport:
    leads: int
    history_rows: int
    contacts_updated: int
    source: str
    model_version: int | None
    seconds: float


def _features_of(
    leads: pd.DataFrame, features: pd.DataFrame | None, now: dt.datetime
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The leads and their features, in the same order: read now, or taken from features read earlier tonight."""
    from analytics.features import describe_at

    if features is None:
        return leads, describe_at(leads["contact_id"].tolist(), now)
    # A lead that opened after the features were read waits for tomorrow night.
    leads = leads[leads["contact_id"].isin(features.index)]
    return leads, features.loc[leads["contact_id"]]


def rescore_open_leads(
    *, now: dt.datetime | None = None, contact_ids: list[int] | None = None, features: pd.DataFrame | None = None
) -> RescoreReport:
    """Score every open lead (or those of `contact_ids`: the admin's "Rescore now") that has no override, keep a
    history row where the score changed, and set Contact.score / temperature. `features` are tonight's, when
    already read."""
    from analytics import populations, scoring

    started = time.perf_counter()
    now = now or timezone.now()
    leads = populations.open_leads(contact_ids, without_override=True)
    if leads.empty:
        return RescoreReport(0, 0, 0, "", None, time.perf_counter() - started)
    leads, features = _features_of(leads, features, now)
    in_charge = model_in_charge(ModelKind.SCORING)
    model_row = in_charge[0] if in_charge else None
    if in_charge is not None:
        scores = scoring.model_scores(features, in_charge[1], in_charge[0].pk)
    else:
        won, lost = populations.outcome_counts(now - dt.timedelta(days=populations.TRAINING_WINDOW_DAYS))
        scores = scoring.prior_scores(features, scoring.OutcomeCounts(won, lost), settings.JORGEBOT_CHURN_SILENCE_DAYS)
    bands = selectors.score_bands(features["location_id"].unique().tolist())
    temperatures = scoring.temperatures(scores.scores, features["location_id"], bands)
    history_rows = _record_score_changes(scores, now)
    updated = _write_current_scores(leads, scores, temperatures)
    report = RescoreReport(len(leads), history_rows, updated, scores.source,
                           model_row.version if model_row else None, time.perf_counter() - started)
    logger.info("rescored %s", report)
    return report


# One statement per batch whatever its size: four arrays plus the run's constants. Measured at 13,000 rows on the
# busy 2-core machine: bulk_create took 1.5 to 2.9 s, mostly building and quoting 90,000 parameters in Python;
# this took 0.9 s.
_INSERT_HISTORY_SQL = """
INSERT INTO analytics_leadscore (contact_id, score, probability, reasons, source, model_id, computed_at)
SELECT v.*, %s::varchar, %s::bigint, %s::timestamptz
FROM unnest(%s::bigint[], %s::smallint[], %s::float8[], %s::jsonb[]) AS v
"""


def _record_score_changes(scores: LeadScores, now: dt.datetime) -> int:
    """One history row per lead whose score, reasons or model changed since its newest row."""
    ids = scores.contact_ids.tolist()
    latest = selectors.latest_scores(ids)
    probabilities = scores.probabilities.tolist() if scores.probabilities is not None else [None] * len(ids)
    changed = [
        (contact_id, score, probability, json.dumps(reasons))
        for contact_id, score, probability, reasons in zip(ids, scores.scores.tolist(), probabilities, scores.reasons,
                                                           strict=True)
        if latest.get(contact_id) != (score, scores.source, scores.model_id, reasons)
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(changed), HISTORY_BATCH):
            columns = [list(column) for column in zip(*changed[start : start + HISTORY_BATCH], strict=True)]
            cursor.execute(_INSERT_HISTORY_SQL, [scores.source, scores.model_id, now, *columns])
    if changed:
        invalidate(LeadScore)
    return len(changed)


# Sets the current score only where it changed, and only if nobody changed it meanwhile: `read_score` is the score
# this run read, so a broker's override committed during the run (it changes the score) is never overwritten; the
# NOT EXISTS covers an override set to the very score the run read. updated_at is left alone on purpose: the lead
# list sorts by it as "latest activity", and a nightly rescoring is not the lead doing anything.
_UPDATE_SCORES_SQL = """
UPDATE leads_contact c
SET score = v.score, temperature = v.temperature
FROM unnest(%s::bigint[], %s::smallint[], %s::varchar[], %s::smallint[]) AS v(id, score, temperature, read_score)
WHERE c.id = v.id
  AND c.score IS NOT DISTINCT FROM v.read_score
  AND (c.score IS DISTINCT FROM v.score OR c.temperature IS DISTINCT FROM v.temperature)
  AND NOT EXISTS (SELECT 1 FROM analytics_scoreoverride o WHERE o.contact_id = c.id)
"""


def _write_current_scores(leads: pd.DataFrame, scores: LeadScores, temperatures: Any) -> int:
    import pandas as pd

    changed = (leads["score"].to_numpy() != scores.scores) | (leads["temperature"].to_numpy() != temperatures)
    ids = leads["contact_id"].to_numpy()[changed].tolist()
    new_scores = scores.scores[changed].tolist()
    new_temperatures = temperatures[changed].tolist()
    read_scores = [None if pd.isna(score) else int(score) for score in leads["score"].to_numpy()[changed]]
    updated = 0
    with connection.cursor() as cursor:
        for start in range(0, len(ids), CONTACT_UPDATE_BATCH):
            batch = slice(start, start + CONTACT_UPDATE_BATCH)
            cursor.execute(_UPDATE_SCORES_SQL, [ids[batch], new_scores[batch], new_temperatures[batch],
                                                read_scores[batch]])
            updated += cursor.rowcount
    if ids:
        # A raw write: cachalot does not see it (CACHALOT_INVALIDATE_RAW is off), so the lead list must be told.
        invalidate(Contact)
    return updated


# -- nightly: going cold --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChurnReport:
    leads: int
    by_tier: dict[str, int]
    model_version: int | None
    seconds: float


def predict_churn(
    *, now: dt.datetime | None = None, contact_ids: list[int] | None = None, features: pd.DataFrame | None = None
) -> ChurnReport:
    """Predict, for every open lead (or those of `contact_ids`), the chance it goes silent for the silence window;
    replace each lead's prediction and, on a full run, drop those of leads no longer open. `features` are
    tonight's, when already read."""
    from analytics import churn, populations

    started = time.perf_counter()
    now = now or timezone.now()
    silence_days = settings.JORGEBOT_CHURN_SILENCE_DAYS
    leads = populations.open_leads(contact_ids)
    if leads.empty:
        if contact_ids is None:
            ChurnPrediction.objects.all().delete()
        return ChurnReport(0, {}, None, time.perf_counter() - started)
    leads, features = _features_of(leads, features, now)
    in_charge = model_in_charge(ModelKind.CHURN)
    model_row = in_charge[0] if in_charge else None
    if in_charge is not None:
        risks = churn.model_risks(features, in_charge[1], in_charge[0].pk)
    else:
        snapshot = populations.churn_snapshot(now - dt.timedelta(days=2 * silence_days), silence_days)
        went_cold = int(snapshot["went_cold"].sum())
        risks = churn.prior_risks(features, silence_days, churn.prior_note(went_cold, len(snapshot) - went_cold))
    tiers = risks.tiers
    _write_churn_predictions(risks, features["location_id"].tolist(), tiers, silence_days, now)
    if contact_ids is None:
        # Every open lead's row now carries this run's time; any older row belongs to a lead that closed, opted out
        # or was deleted since.
        ChurnPrediction.objects.filter(predicted_at__lt=now).delete()
    by_tier = {str(tier): int((tiers == tier).sum()) for tier in set(tiers)}
    report = ChurnReport(len(tiers), by_tier, model_row.version if model_row else None, time.perf_counter() - started)
    logger.info("predicted churn %s", report)
    return report


# One upsert per batch, as for the score history: measured at 13,000 rows, bulk_create(update_conflicts=True) took
# 6.6 to 7.1 s and this 2.5 to 3.4 s on the busy 2-core machine.
_UPSERT_CHURN_SQL = """
INSERT INTO analytics_churnprediction
    (contact_id, location_id, probability, tier, reasons, recommended_action, horizon_days, model_id, predicted_at)
SELECT v.*, %s::smallint, %s::bigint, %s::timestamptz
FROM unnest(%s::bigint[], %s::varchar[], %s::float8[], %s::varchar[], %s::jsonb[], %s::varchar[]) AS v
ON CONFLICT (contact_id) DO UPDATE SET
    location_id = EXCLUDED.location_id, probability = EXCLUDED.probability, tier = EXCLUDED.tier,
    reasons = EXCLUDED.reasons, recommended_action = EXCLUDED.recommended_action,
    horizon_days = EXCLUDED.horizon_days, model_id = EXCLUDED.model_id, predicted_at = EXCLUDED.predicted_at
"""


def _write_churn_predictions(
    risks: ChurnRisks, location_ids: list[str], tiers: Any, silence_days: int, now: dt.datetime
) -> None:
    from analytics.churn import recommended_action

    rows = list(zip(
        risks.contact_ids.tolist(), location_ids, risks.probabilities.tolist(), tiers.tolist(),
        [json.dumps(reasons) for reasons in risks.reasons], [recommended_action(tier) for tier in tiers],
        strict=True,
    ))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHURN_BATCH):
            columns = [list(column) for column in zip(*rows[start : start + CHURN_BATCH], strict=True)]
            cursor.execute(_UPSERT_CHURN_SQL, [silence_days, risks.model_id, now, *columns])
    invalidate(ChurnPrediction)


# -- nightly: commission forecast -----------------------------------------------------------------------------


def forecast_revenue(*, now: dt.datetime | None = None) -> int:
    """Forecast the commission of every location with deals, for this month and the next two; returns the rows."""
    from analytics import forecasting, populations
    from analytics.config import AnalyticsConfig
    from analytics.ml.forecast import DEFAULT_INTERVAL_LEVEL

    now = now or timezone.now()
    written = 0
    for location in selectors.locations_with_deals():
        config = AnalyticsConfig.from_overrides(location.bot_settings)
        inputs = forecasting.forecast_inputs(populations.deals_of(location), config, now, location.timezone)
        months = forecasting.forecast_months(
            inputs.open_deals, inputs.closed_history, inputs.closed_this_month, inputs.shares, inputs.months
        )
        RevenueForecast.objects.bulk_create(
            [_forecast_row(location, month, DEFAULT_INTERVAL_LEVEL, now) for month in months],
            update_conflicts=True, unique_fields=["location", "month"],
            update_fields=["expected", "low", "high", "interval_level", "closed", "commit", "best_case", "pipeline",
                           "method", "trend_model", "history_months", "backtest_wmape", "backtest_pairs",
                           "computed_at"],
        )
        written += len(months)
    return written


def _money(amount: float) -> Decimal:
    return Decimal(str(round(amount, 2)))


def _forecast_row(location: Location, forecast: MonthForecast, level: float, now: dt.datetime) -> RevenueForecast:
    return RevenueForecast(
        location=location, month=forecast.month.date(), expected=_money(forecast.expected), low=_money(forecast.low),
        high=_money(forecast.high), interval_level=level, closed=_money(forecast.closed),
        commit=_money(forecast.commit), best_case=_money(forecast.best_case), pipeline=_money(forecast.pipeline),
        method=forecast.method, trend_model=forecast.trend_model, history_months=forecast.history_months,
        backtest_wmape=forecast.backtest_wmape, backtest_pairs=forecast.backtest_pairs, computed_at=now,
    )


# -- the night, in order ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NightlyReport:
    features_seconds: float
    rescored: RescoreReport
    churn: ChurnReport
    forecasts: int
    forecast_seconds: float


def run_nightly_analytics(*, now: dt.datetime | None = None) -> NightlyReport:
    """The night's work, reading every open lead's features once: rescore them, predict which are going cold, then
    forecast commission (after the rescoring, because a deal's chance of closing falls back on its lead's score)."""
    from analytics import populations
    from analytics.features import describe_at

    now = now or timezone.now()
    with recorded_run(RunKind.NIGHTLY) as run:
        with run.stage("models"):
            _retrain_if_a_model_no_longer_loads(now)
        with run.stage("features"):
            features = describe_at(populations.open_leads()["contact_id"].tolist(), now)
        with run.stage("rescoring"):
            rescored = rescore_open_leads(now=now, features=features)
        run.row.leads_rescored, run.row.score_changes = rescored.leads, rescored.history_rows
        with run.stage("churn"):
            churn = predict_churn(now=now, features=features)
        run.row.churn_predictions = churn.leads
        with run.stage("forecast"):
            forecasts = forecast_revenue(now=now)
        run.row.forecasts = forecasts
    report = NightlyReport(run.seconds_of("features"), rescored, churn, forecasts, run.seconds_of("forecast"))
    logger.info("nightly analytics %s", report)
    return report


# -- the models in charge, across library upgrades -----------------------------------------------------------

# What unpickling a model stored under another scikit-learn or numpy can raise, besides FittedModel's own version
# check (ValueError).
_UNLOADABLE = (ValueError, TypeError, AttributeError, ImportError, EOFError, pickle.UnpicklingError)


def model_in_charge(kind: str) -> tuple[ScoringModel, FittedModel] | None:
    """The model that scores, loaded; None when the prior does. When the active model no longer loads (a
    scikit-learn upgrade), it is retired with the reason, and the newest earlier model that loads and beat the prior
    takes its place, so an upgrade never stops the night."""
    for row in selectors.models_that_may_score(kind):
        try:
            fitted = row.fitted_model()
        except _UNLOADABLE as error:
            if row.is_active:
                _retire_unloadable_model(row, error)
            continue
        if not row.is_active:
            _put_back_in_charge(row)
        return row, fitted
    return None


def _retire_unloadable_model(row: ScoringModel, error: Exception) -> None:
    import sklearn

    row.is_active = False
    row.note = f"retired: does not load under scikit-learn {sklearn.__version__} ({error})"[:300]
    row.save(update_fields=["is_active", "note"])
    logger.warning("model %s (scikit-learn %s) no longer loads; retired", row.pk, row.sklearn_version)


def _put_back_in_charge(row: ScoringModel) -> None:
    with transaction.atomic():
        ScoringModel.objects.filter(kind=row.kind, is_active=True).update(is_active=False)
        row.is_active = True
        row.note = f"back in charge: the newer model no longer loads. {row.note}"[:300]
        row.save(update_fields=["is_active", "note"])
    logger.warning("model %s back in charge", row.pk)


def _retrain_if_a_model_no_longer_loads(now: dt.datetime) -> None:
    """After an upgrade, train new models tonight instead of waiting for 100 more closings. A failed training
    leaves tonight's scoring to the fallback model or the prior, and says so in the log."""
    retired = []
    for kind in ModelKind.values:
        active = selectors.active_model(kind)
        if active is None:
            continue
        in_charge = model_in_charge(kind)
        if in_charge is None or in_charge[0].pk != active.pk:
            retired.append(kind)
    if not retired:
        return
    try:
        retrain_models(now=now)
    except Exception:
        logger.exception("retraining after an upgrade failed (%s): the fallback or the prior scores tonight", retired)


# -- weekly: retraining ---------------------------------------------------------------------------------------


def retrain_models(*, now: dt.datetime | None = None) -> list[ScoringModel]:
    """Train new scoring and churn models when there is enough to learn from, and put each in charge if it beats
    the prior on newer leads it never saw. Returns the models trained (in charge or not)."""
    from analytics import training

    now = now or timezone.now()
    silence_days = settings.JORGEBOT_CHURN_SILENCE_DAYS
    trained = []
    with recorded_run(RunKind.RETRAIN) as run:
        with run.stage("scoring"):
            if _new_outcomes_to_learn_from(now):
                candidate = training.train_scoring(now, silence_days)
                if candidate is not None:
                    trained.append(register_model(ModelKind.SCORING, candidate))
        with run.stage("churn"):
            candidate = training.train_churn(now, silence_days)
            if candidate is not None:
                trained.append(register_model(ModelKind.CHURN, candidate))
        run.row.models_trained = len(trained)
    return trained


def _new_outcomes_to_learn_from(now: dt.datetime) -> bool:
    """Enough closings to learn from, and 100 new ones since the newest model, or that model was trained under
    another scikit-learn."""
    import sklearn

    from analytics import populations
    from analytics.scoring import OutcomeCounts

    won, lost = populations.outcome_counts(now - dt.timedelta(days=populations.TRAINING_WINDOW_DAYS))
    if not OutcomeCounts(won, lost).enough_to_train:
        return False
    newest = selectors.latest_model(ModelKind.SCORING)
    if newest is None or newest.sklearn_version != sklearn.__version__:
        return True
    won_since, lost_since = populations.outcome_counts(newest.training_window_end + dt.timedelta(microseconds=1))
    return won_since + lost_since >= RETRAIN_AFTER_NEW_OUTCOMES


def register_model(kind: str, candidate: Candidate) -> ScoringModel:
    """Store a trained model with its figures; it takes charge if it beat the prior on the test leads."""
    import sklearn

    model, metrics = candidate.model, candidate.metrics
    every_outcome = [*candidate.training.at, *candidate.test.at]
    with transaction.atomic():
        # Two retrainings at once (the weekly task runs one) would collide on the unique version, not both win.
        version = (ScoringModel.objects.filter(kind=kind).aggregate(Max("version"))["version__max"] or 0) + 1
        prior = "the prior" if candidate.prior_roc_auc is None else f"the prior's {candidate.prior_roc_auc:.3f}"
        if candidate.beats_prior:
            ScoringModel.objects.filter(kind=kind, is_active=True).update(is_active=False)
            note = f"in charge: ROC-AUC {metrics.roc_auc:.3f} on newer leads beat {prior}"
        else:
            note = f"not used: ROC-AUC {metrics.roc_auc:.3f} on newer leads did not beat {prior}"
        row = ScoringModel.objects.create(
            kind=kind, version=version, features=list(model.features), excluded=model.excluded,
            training_window_start=min(every_outcome), training_window_end=max(every_outcome),
            training_rows=len(candidate.training), test_rows=len(candidate.test), positive_rate=model.positive_rate,
            accuracy=metrics.accuracy, roc_auc=metrics.roc_auc, brier=metrics.brier,
            lift_top_decile=metrics.lift_top_decile, prior_roc_auc=candidate.prior_roc_auc,
            calibration=candidate.calibration, model_bytes=model.to_bytes(), sklearn_version=sklearn.__version__,
            is_active=candidate.beats_prior, note=note,
        )
    logger.info("trained %s: %s", row, note)
    return row
