"""What the models may know about a lead: read in bulk from texts and answers, never a protected trait."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest

from analytics.features import CHURN_FEATURES, CONTEXT_COLUMNS, SCORING_FEATURES, describe_at, lead_features
from analytics.ml.columns import protected_trait
from leads.models import Contact, Location
from tests.analytics.seeding import NOW, LeadSpec, seed_leads

T0 = NOW - dt.timedelta(days=3)
# What a contact row or the bot's state holds that is a protected trait or a stand-in for one.
PROXIES = ("first_name", "last_name", "phone", "email", "postal_code", "timezone", "motivation", "areas", "bedrooms",
           "must_haves", "language", "relocation_destination", "property_address", "name")


@pytest.mark.parametrize("feature", sorted({*SCORING_FEATURES, *CHURN_FEATURES, *CONTEXT_COLUMNS}))
def test_no_protected_trait_or_proxy_is_a_feature(feature: str) -> None:
    assert protected_trait(feature) is None
    assert not any(proxy in feature for proxy in PROXIES)


def test_the_protected_check_would_catch_the_obvious_proxies() -> None:
    assert protected_trait("postal_code") and protected_trait("language") and protected_trait("relocation_city")


def _thread_lead(location: Location, **overrides: Any) -> Contact:
    texts = [
        ("outbound", "bot", T0),
        ("inbound", "lead", T0 + dt.timedelta(minutes=4)),
        ("outbound", "bot", T0 + dt.timedelta(minutes=10)),
        ("inbound", "lead", T0 + dt.timedelta(minutes=40)),
        ("outbound", "human", T0 + dt.timedelta(hours=5)),
        ("inbound", "lead", T0 + dt.timedelta(hours=6)),
    ]
    state = {"seller": {"motivation": "divorce", "timeline_acceptable": "no", "property_condition": "needs_work"},
             "buyer": {"financing": "cash", "budget_high": 500000, "timeline_days": 45, "areas": ["Etiwanda"],
                       "bedrooms": 4},
             "booking": {"status": "booked"}, "objections": 2, "language": "es",
             "handoffs": [{"from_bot": "lead", "to_bot": "seller", "at": T0.isoformat()}], "lead_score": 55}
    [lead] = seed_leads(location, [LeadSpec(state=state, texts=texts, created_at=T0 - dt.timedelta(days=2),
                                            **overrides)])
    return lead


def test_features_are_read_from_the_thread_and_the_answers(alpha_realty: Location) -> None:
    lead = _thread_lead(alpha_realty, source="Referral")

    row = describe_at([lead.pk], NOW).loc[lead.pk]

    assert (row.inbound_texts, row.outbound_texts) == (3, 3)
    # from a bot's text to the lead's reply: 4 and 30 minutes (a person's text does not count)
    assert row.median_reply_minutes == pytest.approx(17.0)
    assert row.days_since_last_reply == pytest.approx(3 - 6 / 24)
    assert row.days_since_created == pytest.approx(5.0)
    assert (row.seller_answers, row.timeline_accepted, row.property_condition) == (3, 0.0, "needs_work")
    assert (row.financing, row.has_budget, row.buyer_timeline_days) == ("cash", 1.0, 45.0)
    assert (row.call_booked, row.objections, row.handoffs) == (1.0, 2, 1)
    assert (row.source, row.stage, row.bot_lead_score) == ("Referral", "contacted", 55)
    assert row.location_id == alpha_realty.pk
    assert set(describe_at([lead.pk], NOW).columns) == {*SCORING_FEATURES, *CONTEXT_COLUMNS}


def test_only_texts_before_the_cutoff_count(alpha_realty: Location) -> None:
    lead = _thread_lead(alpha_realty)

    row = lead_features(pd.Series([T0 + dt.timedelta(minutes=20)], index=[lead.pk])).loc[lead.pk]

    assert (row.inbound_texts, row.outbound_texts, row.median_reply_minutes) == (1, 2, 4.0)


def test_a_lead_who_never_texted_has_no_reply_figures(alpha_realty: Location) -> None:
    [quiet] = seed_leads(alpha_realty, [LeadSpec(texts=[("outbound", "bot", T0)], source="")])

    row = describe_at([quiet.pk], NOW).loc[quiet.pk]

    assert row.inbound_texts == 0
    assert pd.isna(row.median_reply_minutes) and pd.isna(row.days_since_last_reply) and pd.isna(row.source)


def test_features_of_any_number_of_leads_take_two_queries(
    alpha_realty: Location, django_assert_num_queries: Any
) -> None:
    leads = [_thread_lead(alpha_realty), *seed_leads(alpha_realty, [LeadSpec()] * 30, prefix="Many")]

    with django_assert_num_queries(2):
        frame = describe_at([lead.pk for lead in leads], NOW)

    assert len(frame) == 31
