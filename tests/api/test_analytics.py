"""The analytics through the API: score history with reasons, a broker's score override, churn risk, forecasts."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from analytics.models import ChurnPrediction, LeadScore, RevenueForecast, ScoreOverride
from leads.models import Contact, Location
from tests.api.conftest import ApiAs


@pytest.fixture
def scored_maria(maria: Contact) -> Contact:
    LeadScore.objects.create(contact=maria, score=42, source="prior", reasons=["asked about selling"],
                             computed_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    LeadScore.objects.create(contact=maria, score=71, source="prior", reasons=["pre-approved", "replied today"],
                             computed_at=dt.datetime(2026, 11, 20, tzinfo=dt.UTC))
    Contact.objects.filter(pk=maria.pk).update(score=71, temperature="warm")
    return maria


def prediction(contact: Contact, probability: float, tier: str) -> ChurnPrediction:
    return ChurnPrediction.objects.create(contact=contact, location=contact.location, probability=probability,
                                          tier=tier, horizon_days=14, reasons=["silent 9 days"],
                                          recommended_action="Call today")


def forecast(location: Location, month: dt.date, expected: int) -> RevenueForecast:
    return RevenueForecast.objects.create(
        location=location, month=month, expected=Decimal(expected), low=Decimal(expected - 10_000),
        high=Decimal(expected + 10_000), interval_level=0.8, closed=Decimal(5_000), commit=Decimal(0),
        best_case=Decimal(0), pipeline=Decimal(0), method="pipeline", history_months=6,
    )


def test_a_leads_score_history_comes_newest_first_with_its_reasons(
    api_as: ApiAs, alpha_agent: Any, scored_maria: Contact
) -> None:
    rows = api_as(alpha_agent).get("/api/v1/scores/", {"lead": scored_maria.pk}).json()["results"]

    assert [(row["score"], row["source"], row["reasons"]) for row in rows] == [
        (71, "prior", ["pre-approved", "replied today"]), (42, "prior", ["asked about selling"])]
    assert rows[0]["model_version"] is None
    one = api_as(alpha_agent).get(f"/api/v1/scores/{rows[0]['id']}/").json()
    assert one == rows[0]


def test_a_broker_overrides_a_score_and_clears_it_again(
    api_as: ApiAs, alpha_broker: Any, scored_maria: Contact
) -> None:
    api = api_as(alpha_broker)
    path = f"/api/v1/leads/{scored_maria.pk}/score-override/"

    set_by_hand = api.post(path, {"score": 95, "reason": "Signed a listing agreement"}, format="json")
    assert set_by_hand.status_code == 200, set_by_hand.content
    assert set_by_hand.json()["score"] == 95 and set_by_hand.json()["temperature"] == "hot"
    assert ScoreOverride.objects.get(contact=scored_maria).reason == "Signed a listing agreement"

    cleared = api.delete(path)
    assert cleared.json()["score"] == 71
    assert not ScoreOverride.objects.exists()


def test_an_agent_may_not_override_a_score_and_a_score_is_0_to_100(
    api_as: ApiAs, alpha_agent: Any, alpha_broker: Any, scored_maria: Contact
) -> None:
    path = f"/api/v1/leads/{scored_maria.pk}/score-override/"

    assert api_as(alpha_agent).post(path, {"score": 95, "reason": "x"}, format="json").status_code == 403
    refused = api_as(alpha_broker).post(path, {"score": 101, "reason": "x"}, format="json")
    assert refused.status_code == 400 and "score" in refused.json()
    assert not ScoreOverride.objects.exists()


def test_churn_predictions_list_the_likeliest_to_go_cold_first_and_filter_by_tier(
    api_as: ApiAs, alpha_agent: Any, alpha_realty: Location, maria: Contact
) -> None:
    other = Contact.objects.create(location=alpha_realty, ghl_id="other")
    critical, low = prediction(maria, 0.91, "critical"), prediction(other, 0.1, "low")
    api = api_as(alpha_agent)

    assert [row["id"] for row in api.get("/api/v1/churn-predictions/").json()["results"]] == [critical.pk, low.pk]
    urgent = api.get("/api/v1/churn-predictions/", {"tier": ["critical", "high"]}).json()["results"]
    assert [(row["lead"], row["recommended_action"]) for row in urgent] == [(maria.pk, "Call today")]
    assert api.get(f"/api/v1/churn-predictions/{low.pk}/").json()["tier"] == "low"


def test_forecasts_come_per_location_and_month_latest_first(
    api_as: ApiAs, alpha_broker: Any, alpha_realty: Location
) -> None:
    november = forecast(alpha_realty, dt.date(2026, 11, 1), 45_000)
    december = forecast(alpha_realty, dt.date(2026, 12, 1), 50_000)
    api = api_as(alpha_broker)

    rows = api.get("/api/v1/forecasts/").json()["results"]
    assert [row["id"] for row in rows] == [december.pk, november.pk]
    assert (rows[0]["expected"], rows[0]["low"], rows[0]["high"]) == ("50000.00", "40000.00", "60000.00")
    assert [row["id"] for row in api.get("/api/v1/forecasts/", {"month_from": "2026-12-01"}).json()["results"]] == [
        december.pk]
    assert api.get(f"/api/v1/forecasts/{november.pk}/").json()["month"] == "2026-11-01"


def test_another_locations_broker_sees_none_of_alphas_analytics(
    api_as: ApiAs, beta_broker: Any, scored_maria: Contact, alpha_realty: Location
) -> None:
    risk = prediction(scored_maria, 0.9, "critical")
    outlook = forecast(alpha_realty, dt.date(2026, 11, 1), 45_000)
    score = LeadScore.objects.filter(contact=scored_maria).first()
    assert score is not None
    api = api_as(beta_broker)

    assert api.get("/api/v1/scores/").json()["results"] == []
    assert api.get(f"/api/v1/scores/{score.pk}/").status_code == 404
    assert api.get(f"/api/v1/churn-predictions/{risk.pk}/").status_code == 404
    assert api.get(f"/api/v1/forecasts/{outlook.pk}/").status_code == 404
    path = f"/api/v1/leads/{scored_maria.pk}/score-override/"
    assert api.post(path, {"score": 1, "reason": "x"}, format="json").status_code == 404
    assert api.delete(path).status_code == 404
