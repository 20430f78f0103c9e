"""What the nightly jobs found, in the broker's admin: model figures with calibration, score history with reasons,
overrides, who is going cold (critical first), and the forecast with its back-tested error. Within the user's
locations, and never a GHL token."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.test import Client

from analytics.models import RevenueForecast, ScoreOverride
from analytics.services import predict_churn, rescore_open_leads, retrain_models
from leads.models import Location
from tests.analytics.seeding import NOW, LeadSpec, exchange, hot_seller_state, seed_leads, synthetic_leads


def browser(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _night(alpha_realty: Location, beta_homes: Location) -> None:
    seed_leads(alpha_realty, [
        LeadSpec(first_name="Hannah", state=hot_seller_state(), texts=exchange(NOW - dt.timedelta(days=1), [3])),
        LeadSpec(first_name="Sylvia", texts=exchange(NOW - dt.timedelta(days=20), [300])),
    ])
    seed_leads(beta_homes, [LeadSpec(first_name="Bruno", texts=exchange(NOW - dt.timedelta(days=30), [5]))], "Beta")
    rescore_open_leads(now=NOW)
    predict_churn(now=NOW)
    RevenueForecast.objects.create(
        location=alpha_realty, month=dt.date(2026, 11, 1), expected=Decimal("21500"), low=Decimal("15000"),
        high=Decimal("28000"), interval_level=0.8, closed=Decimal("9000"), commit=Decimal("18000"),
        best_case=Decimal("24000"), pipeline=Decimal("40000"), method="pipeline+trend", trend_model="ETS(A,N,N)",
        history_months=18, backtest_wmape=7.9, backtest_pairs=15,
    )


def test_a_broker_reads_score_history_churn_and_forecast_for_their_own_location(
    alpha_realty: Location, beta_homes: Location, alpha_broker: Any
) -> None:
    _night(alpha_realty, beta_homes)
    client = browser(alpha_broker)

    scores = client.get("/admin/analytics/leadscore/").content.decode()
    churn = client.get("/admin/analytics/churnprediction/").content.decode()
    forecast = client.get("/admin/analytics/revenueforecast/").content.decode()

    assert "Hannah" in scores and "prior: not enough closed outcomes (0 won, 0 lost)" in scores
    assert "4 of 4 seller answers" in scores
    assert churn.index("Sylvia") < churn.index("Hannah"), "critical before low"
    assert "Call today" in churn and "silent 20 days" in churn
    assert "21,500" in forecast or "21500" in forecast
    assert "7.9 % over 15 past month-horizons" in forecast
    for page in (scores, churn, forecast):
        assert "Bruno" not in page
        assert "alpha-token" not in page and "beta-token" not in page


def test_a_models_page_shows_its_measured_figures_and_calibration(alpha_realty: Location, alpha_agent: Any) -> None:
    seed_leads(alpha_realty, synthetic_leads(450, seed=21), prefix="Closed")
    [model] = retrain_models(now=NOW)
    client = browser(alpha_agent)

    listing = client.get("/admin/analytics/scoringmodel/").content.decode()
    page = client.get(f"/admin/analytics/scoringmodel/{model.pk}/change/").content.decode()

    assert f"{model.roc_auc:.3f}" in listing and f"{model.prior_roc_auc:.3f}" in listing
    assert "<svg" in page and "Reliability plot" in page and "happened" in page
    assert "seller_answers" in page and "model_bytes" not in page


def test_a_broker_sets_and_clears_an_override_in_the_admin(
    alpha_realty: Location, alpha_broker: Any, alpha_agent: Any
) -> None:
    [lead] = seed_leads(alpha_realty, [LeadSpec(texts=exchange(NOW - dt.timedelta(days=1), [3]))])
    client = browser(alpha_broker)

    response = client.post("/admin/analytics/scoreoverride/add/",
                           {"contact": lead.pk, "score": 91, "reason": "pre-approved with our lender"})

    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.score == 91
    override = ScoreOverride.objects.get(contact=lead)
    assert browser(alpha_agent).post(f"/admin/analytics/scoreoverride/{override.pk}/delete/",
                                     {"post": "yes"}).status_code == 403
    client.post(f"/admin/analytics/scoreoverride/{override.pk}/delete/", {"post": "yes"})
    assert not ScoreOverride.objects.exists()


def test_an_override_cannot_reach_another_locations_lead(
    alpha_realty: Location, beta_homes: Location, alpha_broker: Any
) -> None:
    [theirs] = seed_leads(beta_homes, [LeadSpec()], "Beta")

    response = browser(alpha_broker).post("/admin/analytics/scoreoverride/add/",
                                          {"contact": theirs.pk, "score": 5, "reason": "sabotage"})

    assert response.status_code == 200 and not ScoreOverride.objects.exists()
