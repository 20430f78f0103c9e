"""With too few closed deals, leads are scored by the transparent prior, and every score says so."""
from __future__ import annotations

import datetime as dt

from analytics.models import LeadScore, ScoreSource
from analytics.services import rescore_open_leads
from leads.models import Contact, Location
from tests.analytics.seeding import NOW, LeadSpec, exchange, hot_seller_state, seed_leads

RECENTLY = NOW - dt.timedelta(days=2)


def test_the_prior_scores_leads_and_says_there_are_too_few_outcomes(alpha_realty: Location) -> None:
    # given three won and two lost leads, far from 200 of each
    seed_leads(alpha_realty, [LeadSpec(status="won")] * 3 + [LeadSpec(status="lost")] * 2, prefix="Closed")
    [seller] = seed_leads(alpha_realty, [LeadSpec(state=hot_seller_state(), texts=exchange(RECENTLY, [3, 4]))])

    # when
    report = rescore_open_leads(now=NOW)

    # then
    assert report.source == "prior"
    score = LeadScore.objects.get(contact=seller)
    assert score.source == ScoreSource.PRIOR
    assert score.model is None and score.probability is None
    assert score.reasons[0] == "prior: not enough closed outcomes (3 won, 2 lost)"
    assert "4 of 4 seller answers" in score.reasons and "30 to 45 days accepted" in score.reasons
    seller.refresh_from_db()
    assert seller.score == score.score >= 80
    assert seller.temperature == "hot"


def test_the_prior_follows_the_bots_temperatures_for_buyers(alpha_realty: Location) -> None:
    ready = {"buyer": {"financing": "pre_approved", "budget_high": 700000, "timeline_days": 60}}
    browsing = {"buyer": {"financing": "none"}}
    hot, cold = seed_leads(alpha_realty, [
        LeadSpec(active_bot="buyer", state=ready, texts=exchange(RECENTLY, [5])),
        LeadSpec(active_bot="buyer", state=browsing, texts=exchange(RECENTLY, [5])),
    ])

    rescore_open_leads(now=NOW)

    hot_score, cold_score = (LeadScore.objects.get(contact=lead) for lead in (hot, cold))
    assert hot_score.score >= 80 and {"pre-approved", "budget known", "moving within 60 days"} <= set(hot_score.reasons)
    assert cold_score.score < 40


def test_a_lead_silent_past_the_window_loses_points_and_says_for_how_long(alpha_realty: Location) -> None:
    talking, silent = seed_leads(alpha_realty, [
        LeadSpec(state=hot_seller_state(), texts=exchange(RECENTLY, [3])),
        LeadSpec(state=hot_seller_state(), texts=exchange(NOW - dt.timedelta(days=20), [3])),
    ])

    rescore_open_leads(now=NOW)

    talking_score, silent_score = (LeadScore.objects.get(contact=lead) for lead in (talking, silent))
    assert silent_score.score < talking_score.score
    assert "silent 20 days" in silent_score.reasons


def test_closed_and_opted_out_leads_are_not_rescored(alpha_realty: Location) -> None:
    won, opted_out, open_lead = seed_leads(alpha_realty, [LeadSpec(status="won"), LeadSpec(), LeadSpec()])
    Contact.objects.filter(pk=opted_out.pk).update(opted_out_at=NOW)

    report = rescore_open_leads(now=NOW)

    assert report.leads == 1
    assert list(LeadScore.objects.values_list("contact_id", flat=True)) == [open_lead.pk]


def test_a_second_night_with_nothing_new_writes_no_history(alpha_realty: Location) -> None:
    seed_leads(alpha_realty, [LeadSpec(state=hot_seller_state(), texts=exchange(RECENTLY, [3]))] * 5)
    first = rescore_open_leads(now=NOW)

    second = rescore_open_leads(now=NOW)

    assert first.history_rows == 5 and first.contacts_updated == 5
    assert second.history_rows == 0 and second.contacts_updated == 0
    assert LeadScore.objects.count() == 5


def test_rescoring_chosen_leads_now_leaves_the_others_alone(alpha_realty: Location) -> None:
    chosen, other = seed_leads(alpha_realty, [LeadSpec(state=hot_seller_state(), texts=exchange(RECENTLY, [3]))] * 2)

    report = rescore_open_leads(now=NOW, contact_ids=[chosen.pk])

    assert report.leads == 1
    assert list(LeadScore.objects.values_list("contact_id", flat=True)) == [chosen.pk]
