"""Every nightly run and retraining leaves a record: when, how long each stage took, the rows it wrote, where it
failed. The install's owner reads them in the admin; brokers do not (the counts span every location)."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from analytics import services
from analytics.models import AnalyticsRun, RunKind, RunStatus
from analytics.services import retrain_models, run_nightly_analytics
from leads.models import Location
from tests.analytics.seeding import NOW, LeadSpec, seed_leads


def test_a_night_records_its_stages_and_rows(alpha_realty: Location) -> None:
    seed_leads(alpha_realty, [LeadSpec(), LeadSpec(), LeadSpec()])

    run_nightly_analytics(now=NOW)

    run = AnalyticsRun.objects.get(kind=RunKind.NIGHTLY)
    assert run.status == RunStatus.SUCCEEDED and run.error == ""
    assert [stage for stage, _ in run.stage_seconds] == ["models", "features", "rescoring", "churn", "forecast"]
    assert (run.leads_rescored, run.score_changes, run.churn_predictions) == (3, 3, 3)
    assert run.finished_at is not None and run.seconds is not None and run.seconds >= 0


def test_a_failed_night_says_where_it_failed_without_the_errors_text(
    alpha_realty: Location, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_leads(alpha_realty, [LeadSpec()])

    def broken_forecast(**kwargs: Any) -> int:
        raise RuntimeError("+19095550101 said something private")

    monkeypatch.setattr(services, "forecast_revenue", broken_forecast)
    with pytest.raises(RuntimeError):
        run_nightly_analytics(now=NOW)

    run = AnalyticsRun.objects.get(kind=RunKind.NIGHTLY)
    assert run.status == RunStatus.FAILED and run.error == "forecast: RuntimeError"
    assert run.leads_rescored == 1 and [stage for stage, _ in run.stage_seconds][-1] == "churn"


def test_a_run_left_running_by_a_dead_worker_is_marked_interrupted_by_the_next(db: None) -> None:
    stale = AnalyticsRun.objects.create(kind=RunKind.RETRAIN, started_at=timezone.now() - dt.timedelta(hours=3))
    recent = AnalyticsRun.objects.create(kind=RunKind.RETRAIN, started_at=timezone.now() - dt.timedelta(minutes=5))

    retrain_models(now=NOW)

    stale.refresh_from_db()
    recent.refresh_from_db()
    assert stale.status == RunStatus.FAILED and stale.error.startswith("interrupted")
    assert recent.status == RunStatus.RUNNING
    newest = AnalyticsRun.objects.latest("id")
    assert newest.status == RunStatus.SUCCEEDED and newest.models_trained == 0


def test_the_owner_sees_the_runs_and_a_broker_does_not(owner: Any, alpha_broker: Any) -> None:
    AnalyticsRun.objects.create(kind=RunKind.NIGHTLY, status=RunStatus.FAILED, error="churn: MemoryError",
                                stage_seconds=[["features", 3.4]], seconds=3.5)
    page = "/admin/analytics/analyticsrun/"

    as_owner, as_broker = Client(), Client()
    as_owner.force_login(owner)
    as_broker.force_login(alpha_broker)

    shown = as_owner.get(page)
    assert shown.status_code == 200 and "churn: MemoryError" in shown.content.decode()
    assert "features 3.4" in shown.content.decode()
    assert as_broker.get(page).status_code == 403
