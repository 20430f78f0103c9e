"""Churn predictions for every open lead: a probability, a risk tier, the reasons and the next step."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from analytics.churn import CHURN_TIERS, recommended_action, tiers_of
from analytics.models import ChurnPrediction, ChurnTier
from analytics.selectors import going_cold
from analytics.services import predict_churn
from leads.access import LocationScope
from leads.models import Contact, Location
from tests.analytics.seeding import NOW, LeadSpec, exchange, seed_leads


def test_tiers_follow_the_probability_thresholds_in_one_place() -> None:
    assert [tier for tier, _ in CHURN_TIERS] == ["critical", "high", "medium", "low"]
    assert tiers_of(np.array([0.99, 0.75, 0.74, 0.5, 0.3, 0.25, 0.1, 0.0])).tolist() == [
        "critical", "critical", "high", "high", "medium", "medium", "low", "low",
    ]


@pytest.mark.parametrize("tier", [tier for tier, _ in CHURN_TIERS])
def test_every_tier_has_a_next_step_the_follow_up_engine_can_use(tier: str) -> None:
    assert recommended_action(tier)


def test_a_critical_lead_gets_a_person_today() -> None:
    assert recommended_action(ChurnTier.CRITICAL).startswith("Call today")


def _silent_for(days: float) -> LeadSpec:
    start = NOW - dt.timedelta(days=days, minutes=5)
    return LeadSpec(texts=exchange(start, [5]), created_at=start - dt.timedelta(days=1))


def test_the_prior_rates_each_lead_by_how_far_into_the_silence_window_it_is(alpha_realty: Location) -> None:
    # given leads silent for 1, 5, 9 and 20 days, with a 14-day window
    leads = seed_leads(alpha_realty, [_silent_for(days) for days in (1, 5, 9, 20)])

    # when
    report = predict_churn(now=NOW)

    # then
    predictions = {p.contact_id: p for p in ChurnPrediction.objects.all()}
    assert [predictions[lead.pk].tier for lead in leads] == ["low", "medium", "high", "critical"]
    assert predictions[leads[1].pk].probability == pytest.approx(5 / 14, abs=0.01)
    critical = predictions[leads[3].pk]
    assert critical.horizon_days == 14 and critical.model is None
    assert critical.reasons[0].startswith("prior: not enough history to train")
    assert "silent 20 days" in critical.reasons and "replies within 5 minutes" in critical.reasons
    assert critical.recommended_action == recommended_action("critical")
    assert report.by_tier == {"low": 1, "medium": 1, "high": 1, "critical": 1}


def test_going_cold_lists_critical_and_high_leads_first_within_the_users_locations(
    alpha_realty: Location, beta_homes: Location
) -> None:
    leads = seed_leads(alpha_realty, [_silent_for(days) for days in (2, 20, 10, 13)])
    seed_leads(beta_homes, [_silent_for(30)], prefix="Beta")
    predict_churn(now=NOW)

    shown = going_cold(LocationScope(everything=False, roles={alpha_realty.pk: "broker"}))

    assert [p.contact_id for p in shown] == [leads[1].pk, leads[3].pk, leads[2].pk]


def test_a_lead_that_closes_loses_its_prediction_the_next_night(alpha_realty: Location) -> None:
    closing, staying = seed_leads(alpha_realty, [_silent_for(3), _silent_for(3)])
    predict_churn(now=NOW)
    Contact.objects.filter(pk=closing.pk).update(status="won")

    predict_churn(now=NOW + dt.timedelta(days=1))

    assert list(ChurnPrediction.objects.values_list("contact_id", flat=True)) == [staying.pk]



def test_predicting_chosen_leads_keeps_the_others_predictions(alpha_realty: Location) -> None:
    chosen, other = seed_leads(alpha_realty, [_silent_for(3), _silent_for(3)])
    predict_churn(now=NOW)

    predict_churn(now=NOW + dt.timedelta(days=1), contact_ids=[chosen.pk])

    assert ChurnPrediction.objects.count() == 2
    assert ChurnPrediction.objects.get(contact=chosen).predicted_at == NOW + dt.timedelta(days=1)
