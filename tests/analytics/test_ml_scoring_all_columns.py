"""Lead scoring on the real X Education export with every column, 5-fold stratified CV (seed 0).

Baselines are not re-run here (`manage.py evaluate_scoring` prints them next to the model); the
reference figures in shared/data/README.md are LR 0.9405 / 0.982 and HGB 0.950 / 0.985.
"""
from __future__ import annotations

import pytest

from analytics.ml.datasets import SHARED_DATA_DIR, load_labelled_csv
from analytics.ml.evaluation import ScoringEvaluation, cross_validate_scoring

LEADS_CSV = SHARED_DATA_DIR / "leads_x_education.csv"


@pytest.fixture(scope="module")
def all_columns() -> ScoringEvaluation:
    return cross_validate_scoring(load_labelled_csv(LEADS_CSV, "Converted"), with_baselines=False)


def test_all_columns_score_beats_logistic_regression_and_holds_its_measured_level(
    all_columns: ScoringEvaluation,
) -> None:
    # Measured 0.9485 / 0.9858 / Brier 0.0398 / lift 2.58: a guard against regressions, not the target.
    assert all_columns.model.accuracy >= 0.948
    assert all_columns.model.roc_auc >= 0.9855
    assert all_columns.model.brier <= 0.041
    assert all_columns.model.lift_top_decile >= 2.5


@pytest.mark.xfail(
    strict=True,
    reason=(
        "target accuracy 0.955 / ROC-AUC 0.987 not reached (same 5 folds): blend 0.9485/0.9858; HGB with "
        "settings picked by inner 3-fold CV on the training folds (nested) 0.9487/0.9859; best single run "
        "0.9512/0.9861 (HGB lr 0.03, 600 iters, 15 leaves, but picked on the test folds); LR + that HGB "
        "stacked 0.9511/0.9861; 4-seed HGB bag 0.9504/0.9860; LightGBM 4.7 0.9500/0.9861; Tags x Lead "
        "Quality / Last Notable Activity crosses 0.9502/0.9856; target-encoded HGB 0.9473/0.9848"
    ),
)
def test_all_columns_score_reaches_the_target(all_columns: ScoringEvaluation) -> None:
    assert all_columns.model.accuracy >= 0.955 and all_columns.model.roc_auc >= 0.987


def test_identifiers_and_protected_columns_are_not_features(all_columns: ScoringEvaluation) -> None:
    assert not {"Prospect ID", "Lead Number", "Country", "City"} & set(all_columns.features)
    assert all_columns.excluded["Country"] == "protected (national origin)"
