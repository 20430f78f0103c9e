"""With 200 won and 200 lost leads, a calibrated model is trained, tested on newer leads, and takes over the scoring
when it beats the prior on them."""
from __future__ import annotations

import dataclasses
import datetime as dt

from analytics import training
from analytics.features import SCORING_FEATURES
from analytics.ml.columns import protected_trait
from analytics.models import LeadScore, ModelKind, ScoreSource, ScoringModel
from analytics.services import register_model, rescore_open_leads, retrain_models
from leads.models import Location
from tests.analytics.seeding import NOW, LeadSpec, exchange, hot_seller_state, seed_leads, synthetic_leads

SILENCE_DAYS = 14


def test_a_trained_model_takes_over_the_scoring_once_enough_deals_have_closed(alpha_realty: Location) -> None:
    # given 560 closed leads (about 280 won, 280 lost) and a few open ones
    seed_leads(alpha_realty, synthetic_leads(560, seed=1), prefix="Closed")
    open_leads = seed_leads(alpha_realty, synthetic_leads(20, seed=2, status="contacted"), prefix="Open")

    # when
    trained = retrain_models(now=NOW)
    report = rescore_open_leads(now=NOW)

    # then the model was measured on the newest fifth, beat the prior there, and is in charge
    model = ScoringModel.objects.get(kind=ModelKind.SCORING)
    assert [row.pk for row in trained if row.kind == ModelKind.SCORING] == [model.pk]
    assert model.is_active and model.version == 1
    assert model.training_rows == 448 and model.test_rows == 112
    assert model.prior_roc_auc is not None and model.roc_auc > model.prior_roc_auc
    assert model.roc_auc > 0.7 and 0 < model.brier < 0.25 and model.lift_top_decile > 1
    assert sum(band["leads"] for band in model.calibration) == model.test_rows
    assert "in charge" in model.note
    # and it scores tonight's leads with probabilities and reasons in words, never "prior"
    assert report.source == "model" and report.model_version == 1
    scores = LeadScore.objects.filter(contact__in=open_leads)
    assert scores.count() == 20
    for score in scores:
        assert score.source == ScoreSource.MODEL and score.model_id == model.pk
        assert 0 < score.probability < 1 and score.score == round(score.probability * 100)
        assert score.reasons and not any(reason.startswith("prior") for reason in score.reasons)
    assert any("came from Referral" in score.reasons or "replies within 5 minutes" in score.reasons for score in scores)


def test_the_model_learns_from_allowed_features_only(alpha_realty: Location) -> None:
    seed_leads(alpha_realty, synthetic_leads(500, seed=3), prefix="Closed")

    candidate = training.train_scoring(NOW, SILENCE_DAYS)

    assert candidate is not None
    assert set(candidate.model.features) <= set(SCORING_FEATURES)
    assert not [feature for feature in candidate.model.features if protected_trait(feature)]
    # a model that does not beat the prior is stored for the record but not put in charge
    first = register_model(ModelKind.SCORING, candidate)
    second = register_model(ModelKind.SCORING, dataclasses.replace(candidate, prior_roc_auc=0.999))
    assert first.is_active and not second.is_active
    assert second.version == 2 and second.note.startswith("not used")


def test_retraining_waits_until_enough_new_deals_have_closed(alpha_realty: Location) -> None:
    seed_leads(alpha_realty, synthetic_leads(450, seed=4), prefix="Closed")
    assert [row.kind for row in retrain_models(now=NOW)] == [ModelKind.SCORING]

    assert retrain_models(now=NOW) == []


def test_too_few_outcomes_train_nothing(alpha_realty: Location) -> None:
    seed_leads(alpha_realty, synthetic_leads(150, seed=5), prefix="Closed")
    seed_leads(alpha_realty, [LeadSpec(state=hot_seller_state(), texts=exchange(NOW - dt.timedelta(days=1), [2]))])

    assert retrain_models(now=NOW) == []
    assert rescore_open_leads(now=NOW).source == "prior"
