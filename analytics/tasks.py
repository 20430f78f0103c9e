"""Celery tasks of the analytics, run by the beat (CELERY_BEAT_SCHEDULE) on the "analytics" queue. Thin; the work
is in analytics.services."""
from __future__ import annotations

from celery import shared_task

from analytics import services

# Acknowledged on receipt, unlike the bots' tasks: a redelivery after the broker's visibility timeout (10 min) would
# run a long job twice, and a night lost to a crashed worker is simply redone the next night.
# bench/nightly_rescore.py runs the night for 100,000 leads in well under a minute; these limits leave room for
# installs ten times that size without letting a stuck job hold the analytics worker all day.
NIGHTLY_TIME_LIMIT_SECONDS = 1_800
# Training reads at most analytics.training.MAX_TRAINING_ROWS leads per model (about half a minute each here).
RETRAIN_TIME_LIMIT_SECONDS = 3_600


@shared_task(acks_late=False, time_limit=NIGHTLY_TIME_LIMIT_SECONDS, soft_time_limit=NIGHTLY_TIME_LIMIT_SECONDS - 60)
def run_nightly_analytics() -> dict[str, int]:
    report = services.run_nightly_analytics()
    return {"rescored": report.rescored.leads, "churn": report.churn.leads, "forecasts": report.forecasts}


@shared_task(acks_late=False, time_limit=RETRAIN_TIME_LIMIT_SECONDS, soft_time_limit=RETRAIN_TIME_LIMIT_SECONDS - 60)
def retrain_models() -> list[int]:
    return [model.pk for model in services.retrain_models()]
