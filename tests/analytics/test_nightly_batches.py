"""The nightly jobs read in bulk and write in batches: their query count does not grow with the number of leads."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from analytics import services
from analytics.models import ChurnPrediction, LeadScore
from analytics.services import predict_churn, rescore_open_leads, retrain_models
from leads.models import Contact, Location
from tests.analytics.seeding import NOW, seed_leads, synthetic_leads

# Leads beyond a batch add one statement per batch; within one batch, nothing at all.
SLACK = 2


def queries_for(job: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as queries:
        job()
    return len(queries)


def open_leads(location: Location, count: int, prefix: str) -> list[Contact]:
    return seed_leads(location, synthetic_leads(count, seed=count, status="contacted"), prefix=prefix)


@pytest.mark.parametrize("job", [rescore_open_leads, predict_churn], ids=["rescore", "churn"])
def test_500_leads_take_as_many_queries_as_50(
    alpha_realty: Location, django_assert_max_num_queries: Any, job: Callable[..., Any]
) -> None:
    # given the job's queries for 50 leads
    few = open_leads(alpha_realty, 50, "Few")
    with_50 = queries_for(lambda: job(now=NOW))
    Contact.objects.filter(pk__in=[lead.pk for lead in few]).delete()

    # when it runs for ten times as many
    open_leads(alpha_realty, 500, "Many")
    with django_assert_max_num_queries(with_50 + SLACK):
        job(now=NOW)

    # then every lead was handled all the same
    rows = LeadScore.objects.filter(contact__ghl_id__startswith="Many") if job is rescore_open_leads else (
        ChurnPrediction.objects.filter(contact__ghl_id__startswith="Many"))
    assert rows.count() == 500
    assert with_50 <= 12


def test_scoring_with_a_trained_model_keeps_the_same_query_budget(
    alpha_realty: Location, django_assert_max_num_queries: Any
) -> None:
    seed_leads(alpha_realty, synthetic_leads(450, seed=11), prefix="Closed")
    retrain_models(now=NOW)
    few = open_leads(alpha_realty, 50, "Few")
    with_50 = queries_for(lambda: rescore_open_leads(now=NOW))
    Contact.objects.filter(pk__in=[lead.pk for lead in few]).delete()
    open_leads(alpha_realty, 500, "Many")

    with django_assert_max_num_queries(with_50 + SLACK):
        report = rescore_open_leads(now=NOW)

    assert report.source == "model" and report.history_rows == 500


def test_writes_go_out_in_batches_not_lead_by_lead(alpha_realty: Location, monkeypatch: pytest.MonkeyPatch) -> None:
    open_leads(alpha_realty, 250, "Batch")
    monkeypatch.setattr(services, "HISTORY_BATCH", 100)
    monkeypatch.setattr(services, "CONTACT_UPDATE_BATCH", 100)

    with CaptureQueriesContext(connection) as queries:
        report = rescore_open_leads(now=NOW)

    inserts = [q for q in queries if q["sql"].lstrip().startswith("INSERT INTO analytics_leadscore")]
    updates = [q for q in queries if q["sql"].lstrip().startswith("UPDATE leads_contact")]
    assert report.history_rows == report.contacts_updated == 250
    assert (len(inserts), len(updates)) == (3, 3)
