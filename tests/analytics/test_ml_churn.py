"""Churn measured on IBM's Telco sample without gender, age or family columns (5-fold CV, seed 0).

Reference: plain logistic regression ROC-AUC 0.845 with every column (analytics/data/README.md).
"""
from __future__ import annotations

import pytest

from analytics.ml.datasets import TELCO_CSV, load_labelled_csv
from analytics.ml.evaluation import ScoringEvaluation, cross_validate_scoring


@pytest.fixture(scope="module")
def churn() -> ScoringEvaluation:
    return cross_validate_scoring(load_labelled_csv(TELCO_CSV, "Churn"), with_baselines=False)


def test_churn_model_reaches_the_target_without_protected_traits(churn: ScoringEvaluation) -> None:
    assert churn.model.roc_auc >= 0.85
    assert not {"gender", "SeniorCitizen", "Partner", "Dependents", "customerID"} & set(churn.features)


def test_blank_total_charges_are_read_as_missing_numbers(churn: ScoringEvaluation) -> None:
    assert "TotalCharges" in churn.features
    labelled = load_labelled_csv(TELCO_CSV, "Churn")
    assert labelled.features["TotalCharges"].isna().sum() == 11
