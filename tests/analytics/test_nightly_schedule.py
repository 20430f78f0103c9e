"""The nightly and weekly analytics jobs are on the beat's schedule, on the analytics queue, and do their work."""
from __future__ import annotations

from io import StringIO
from typing import Any

from django.conf import settings
from django.core.management import call_command

from analytics import features, tasks
from analytics.models import ChurnPrediction, LeadScore
from analytics.services import run_nightly_analytics
from leads.models import Location
from tests.analytics.seeding import LeadSpec, seed_leads

JOBS = {
    "nightly-analytics": "analytics.tasks.run_nightly_analytics",
    "retrain-models": "analytics.tasks.retrain_models",
}


def test_every_analytics_job_is_on_the_beats_schedule() -> None:
    for name, task in JOBS.items():
        assert settings.CELERY_BEAT_SCHEDULE[name]["task"] == task
    assert settings.CELERY_TASK_ROUTES["analytics.tasks.*"] == {"queue": "analytics"}


def _time_of_day(name: str) -> tuple[int, int]:
    runs = settings.CELERY_BEAT_SCHEDULE[name]["schedule"]
    return min(runs.hour), min(runs.minute)


def test_the_weekly_retraining_runs_just_before_the_night_it_serves() -> None:
    retraining = settings.CELERY_BEAT_SCHEDULE["retrain-models"]["schedule"]
    assert retraining.day_of_week == {0}
    assert _time_of_day("retrain-models") < _time_of_day("nightly-analytics")


def test_the_churn_window_is_a_setting() -> None:
    assert settings.JORGEBOT_CHURN_SILENCE_DAYS == 14


def test_the_nightly_task_rescores_predicts_and_forecasts(alpha_realty: Location) -> None:
    seed_leads(alpha_realty, [LeadSpec(), LeadSpec()])

    assert tasks.run_nightly_analytics() == {"rescored": 2, "churn": 2, "forecasts": 0}
    assert tasks.retrain_models() == []
    assert LeadScore.objects.count() == 2 and ChurnPrediction.objects.count() == 2


def test_the_nightly_run_reads_each_leads_features_once(alpha_realty: Location, monkeypatch: Any) -> None:
    seed_leads(alpha_realty, [LeadSpec(), LeadSpec(), LeadSpec()])
    reads: list[int] = []
    original = features.describe_at
    monkeypatch.setattr(features, "describe_at", lambda ids, now: reads.append(len(ids)) or original(ids, now))

    run_nightly_analytics()

    assert reads == [3]


def test_the_commands_run_the_night_and_the_retraining_by_hand(alpha_realty: Location) -> None:
    seed_leads(alpha_realty, [LeadSpec()])
    night, retraining = StringIO(), StringIO()

    call_command("run_nightly_analytics", stdout=night)
    call_command("retrain_models", stdout=retraining)

    assert "rescored 1 open leads with the prior" in night.getvalue()
    assert "churn: 1 leads" in night.getvalue()
    assert retraining.getvalue().startswith("nothing trained")
