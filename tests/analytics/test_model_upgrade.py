"""A library upgrade never breaks the night: a model stored under another scikit-learn is retired with the reason,
the last model that loads (or the prior) scores, and the night retrains instead of waiting for 100 more closings."""
from __future__ import annotations

import dataclasses
import pickle

import pytest

from analytics import training
from analytics.ml.tabular import FittedModel
from analytics.models import ModelKind, ScoringModel
from analytics.services import register_model, rescore_open_leads, retrain_models, run_nightly_analytics
from leads.models import Location
from tests.analytics.seeding import NOW, seed_leads, synthetic_leads


def stored_under_an_older_scikit_learn(row: ScoringModel) -> None:
    """What an upgrade does to a stored model: its bytes now say another version."""
    fitted = pickle.loads(bytes(row.model_bytes))
    older = dataclasses.replace(fitted, sklearn_version="0.0.1")
    ScoringModel.objects.filter(pk=row.pk).update(model_bytes=older.to_bytes(), sklearn_version="0.0.1")


def stored_by_a_library_that_is_gone(row: ScoringModel) -> None:
    """Unpickling fails before the version check when a class the pickle names no longer exists."""
    blob = pickle.dumps(FittedModel).replace(b"FittedModel", b"GoneModelXX")
    ScoringModel.objects.filter(pk=row.pk).update(model_bytes=blob)


@pytest.fixture
def closed_and_open_leads(alpha_realty: Location) -> None:
    seed_leads(alpha_realty, synthetic_leads(450, seed=4), prefix="Closed")
    seed_leads(alpha_realty, synthetic_leads(12, seed=6, status="contacted"), prefix="Open")


@pytest.mark.usefixtures("closed_and_open_leads")
def test_the_night_retires_a_model_that_no_longer_loads_and_retrains_at_once() -> None:
    # given a scoring model in charge, then a scikit-learn upgrade (no new closings since)
    first = next(row for row in retrain_models(now=NOW) if row.kind == ModelKind.SCORING)
    assert first.is_active
    stored_under_an_older_scikit_learn(first)

    # when the night runs
    report = run_nightly_analytics(now=NOW)

    # then it finished, the old model is retired with the reason, and a new one trained tonight scores
    first.refresh_from_db()
    assert not first.is_active and first.note.startswith("retired: does not load under scikit-learn")
    newest = ScoringModel.objects.filter(kind=ModelKind.SCORING).order_by("-version").first()
    assert newest is not None and newest.version == 2 and newest.is_active
    assert report.rescored.source == "model" and report.rescored.model_version == 2
    assert report.rescored.leads == 12


@pytest.mark.usefixtures("closed_and_open_leads")
def test_rescoring_falls_back_to_the_last_model_that_loads_then_to_the_prior() -> None:
    candidate = training.train_scoring(NOW, 14)
    assert candidate is not None
    older = register_model(ModelKind.SCORING, candidate)
    newer = register_model(ModelKind.SCORING, dataclasses.replace(candidate, prior_roc_auc=None))
    older.refresh_from_db()
    assert newer.is_active and not older.is_active

    # the newer one breaks: the older one, which beat the prior too, is put back in charge
    stored_by_a_library_that_is_gone(newer)
    report = rescore_open_leads(now=NOW)
    assert report.source == "model" and report.model_version == older.version
    older.refresh_from_db()
    newer.refresh_from_db()
    assert older.is_active and older.note.startswith("back in charge")
    assert not newer.is_active and newer.note.startswith("retired")

    # and when none loads, the prior scores and says why
    stored_under_an_older_scikit_learn(older)
    report = rescore_open_leads(now=NOW)
    assert report.source == "prior" and report.model_version is None
    assert not ScoringModel.objects.filter(is_active=True, kind=ModelKind.SCORING).exists()
