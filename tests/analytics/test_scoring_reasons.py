"""Reason codes: a model's strongest reasons per lead, from effect curves, said in a broker's words."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.features import SCORING_FEATURES
from analytics.ml.tabular import train
from analytics.reasons import EffectCurves, phrase


def synthetic_frame(rows: int, seed: int) -> tuple[pd.DataFrame, pd.Series]:
    """Leads with every scoring feature; winning depends on the source, reply speed, answers and financing."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "source": rng.choice(["Referral", "Zillow", "Website"], rows),
        "active_bot": rng.choice(["lead", "seller", "buyer"], rows),
        "inbound_texts": rng.poisson(4, rows).astype(float),
        "outbound_texts": rng.poisson(5, rows).astype(float),
        "median_reply_minutes": np.where(rng.random(rows) < 0.2, np.nan, rng.gamma(1.5, 40, rows)),
        "days_since_last_reply": rng.gamma(1.2, 8, rows),
        "days_since_created": rng.gamma(2, 40, rows),
        "seller_answers": rng.integers(0, 5, rows).astype(float),
        "timeline_accepted": rng.choice([1.0, 0.0, np.nan], rows),
        "property_condition": rng.choice(["move_in_ready", "needs_work", None], rows),
        "financing": rng.choice(["pre_approved", "cash", "talking_to_lender", "none", None], rows),
        "has_budget": rng.choice([1.0, 0.0], rows),
        "buyer_timeline_days": np.where(rng.random(rows) < 0.5, np.nan, rng.integers(10, 400, rows)),
        "call_booked": rng.choice([1.0, 0.0], rows, p=[0.1, 0.9]),
        "objections": rng.poisson(0.5, rows).astype(float),
        "handoffs": rng.poisson(0.2, rows).astype(float),
    })
    log_odds = (-0.5 + 1.8 * (frame.source == "Referral") + 0.6 * frame.seller_answers - 1.2
                - 0.12 * frame.days_since_last_reply + 1.5 * (frame.financing == "pre_approved"))
    won = pd.Series((rng.random(rows) < 1 / (1 + np.exp(-log_odds))).astype(int))
    return frame, won


def test_effect_curves_agree_with_the_models_own_reasons_on_most_leads() -> None:
    # given a model trained on leads with every scoring feature
    frame, won = synthetic_frame(1_500, seed=0)
    model = train(frame, won)
    leads = synthetic_frame(300, seed=1)[0]

    # when both explain the same leads
    fast = EffectCurves(model, leads).effects(leads)
    exact = model.reasons(leads, top=1)

    # then the strongest reason is the same for most of them
    strongest = [model.features[i] for i in np.argmax(np.abs(fast), axis=1)]
    agree = np.mean([bool(row) and row[0].feature == feature for row, feature in zip(exact, strongest, strict=True)])
    assert agree >= 0.8  # 0.92 when measured
    reasons = EffectCurves(model, leads).reasons(leads)
    assert all(len(row) <= 3 for row in reasons)
    assert any("silent" in reason for row in reasons for reason in row)


@pytest.mark.parametrize(
    ("feature", "value", "words"),
    [
        ("financing", "pre_approved", "pre-approved"),
        ("financing", None, "financing not answered"),
        ("median_reply_minutes", 3.2, "replies within 5 minutes"),
        ("median_reply_minutes", 190.0, "replies after about 3 hours"),
        ("median_reply_minutes", np.nan, "never replied to the bot"),
        ("days_since_last_reply", 12.4, "silent 12 days"),
        ("days_since_last_reply", 0.3, "replied today"),
        ("seller_answers", 4.0, "4 of 4 seller answers"),
        ("timeline_accepted", 0.0, "30 to 45 days declined"),
        ("call_booked", 1.0, "call booked"),
        ("inbound_texts", 1.0, "sent us 1 text"),
        ("source", "Referral", "came from Referral"),
    ],
)
def test_reasons_read_the_way_a_broker_talks(feature: str, value: object, words: str) -> None:
    assert phrase(feature, value) == words


def test_every_scoring_feature_can_be_said_in_words() -> None:
    for feature in SCORING_FEATURES:
        assert phrase(feature, 1.0)
