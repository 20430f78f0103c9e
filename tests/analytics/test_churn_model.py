"""With enough leads that went cold and that kept replying, a churn model learns from a snapshot two windows back,
is tested on the one a window back, and predicts tonight's risks."""
from __future__ import annotations

import datetime as dt

import numpy as np

from analytics.features import CHURN_FEATURES
from analytics.models import ChurnPrediction, ModelKind, ScoringModel
from analytics.services import predict_churn, retrain_models
from leads.models import Location
from tests.analytics.seeding import NOW, LeadSpec, exchange, seed_leads

WINDOW = dt.timedelta(days=14)


def talking_leads(count: int, seed: int) -> list[LeadSpec]:
    """Leads first reached 5 to 8 weeks ago; fast repliers mostly keep texting in each later window."""
    rng = np.random.default_rng(seed)
    specs = []
    for _ in range(count):
        fast = bool(rng.random() < 0.5)
        start = NOW - dt.timedelta(days=float(rng.uniform(35, 56)))
        texts = exchange(start, list(rng.uniform(1, 6, 2) if fast else rng.uniform(200, 900, 2)))
        for window_start in (NOW - 2 * WINDOW, NOW - WINDOW):
            if rng.random() < (0.8 if fast else 0.2):
                texts.append(("inbound", "lead", window_start + dt.timedelta(days=float(rng.uniform(0.5, 13)))))
        specs.append(LeadSpec(source=str(rng.choice(["Zillow", "Website"])), texts=texts,
                              created_at=start - dt.timedelta(hours=2)))
    return specs


def test_a_trained_churn_model_predicts_once_there_is_enough_history(alpha_realty: Location) -> None:
    # given 600 leads, about half of them going cold in each window
    seed_leads(alpha_realty, talking_leads(600, seed=7))

    # when
    retrain_models(now=NOW)
    report = predict_churn(now=NOW)

    # then
    model = ScoringModel.objects.get(kind=ModelKind.CHURN)
    assert model.is_active and model.roc_auc > 0.7 and model.roc_auc > (model.prior_roc_auc or 0)
    assert set(model.features) <= set(CHURN_FEATURES)
    assert report.model_version == model.version and report.leads == 600
    prediction = ChurnPrediction.objects.order_by("-probability").first()
    assert prediction is not None and prediction.model_id == model.pk
    assert prediction.reasons and not prediction.reasons[0].startswith("prior")
