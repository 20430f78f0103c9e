"""Unit tests of the tabular trainer: column typing, exclusions, reason codes, serialization."""
from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest

from analytics.ml.columns import (
    POST_CONTACT_COLUMNS,
    drop_protected_features,
    excluded_columns,
    normalise_missing,
    protected_trait,
)
from analytics.ml.datasets import LEADS_CSV, TELCO_CSV, binary_outcome, load_labelled_csv
from analytics.ml.tabular import (
    FittedModel,
    ModelMetrics,
    NotEnoughOutcomes,
    infer_column_types,
    lift_in_top_decile,
    prepare_features,
    train,
)


def synthetic_leads(rows: int = 400, seed: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    """Leads whose conversion is driven by source and time on site, plus noise columns."""
    rng = np.random.default_rng(seed)
    source = rng.choice(["Referral", "Google", "Facebook", "Select"], size=rows, p=[0.2, 0.4, 0.3, 0.1])
    minutes = rng.gamma(2.0, 10.0, size=rows)
    log_odds = -1.5 + 3.0 * (source == "Referral") + 0.06 * (minutes - 20)
    converted = (rng.random(rows) < 1 / (1 + np.exp(-log_odds))).astype(int)
    leads = pd.DataFrame(
        {
            "Lead Source": source,
            "Minutes On Site": minutes.round(1),
            "Asked For Callback": rng.choice(["Yes", "No"], size=rows),
            "Gender": rng.choice(["F", "M"], size=rows),
            "Zip Code": rng.choice(["10001", "94110", "60614"], size=rows),
            "Campaign": "spring",
        }
    )
    return leads, pd.Series(converted, name="Converted")


@pytest.fixture(scope="module")
def trained() -> tuple[FittedModel, pd.DataFrame]:
    leads, converted = synthetic_leads()
    return train(leads, converted, target="Converted"), leads


def test_it_types_columns_from_their_values() -> None:
    frame = pd.DataFrame(
        {
            "TotalCharges": ["29.85", " ", "1889.5", "108.15"],  # numbers stored as text, one blank
            "SeniorCitizen": [0, 1, 0, 0],
            "Do Not Email": ["No", "Yes", "No", None],
            "Contract": ["Month-to-month", "One year", "Two year", "One year"],
            "Magazine": ["No", "No", "No", "No"],
            "City": ["Select", "Mumbai", "Select", "Thane"],
        }
    )
    types = infer_column_types(frame)
    assert types.numeric == ("TotalCharges",)
    assert types.boolean == ("SeniorCitizen", "Do Not Email")
    assert types.categorical == ("Contract", "City")
    assert "Magazine" in types.ignored
    prepared = prepare_features(frame, types)
    assert prepared["TotalCharges"].isna().tolist() == [False, True, False, False]
    assert prepared["Do Not Email"].tolist()[:3] == [0.0, 1.0, 0.0]


def test_it_reads_select_and_blanks_as_not_answered() -> None:
    cleaned = normalise_missing(pd.DataFrame({"Specialization": ["Select", "Finance", "  ", None]}))
    assert cleaned["Specialization"].isna().tolist() == [True, False, True, True]


def test_identifiers_are_never_features_and_post_contact_fields_only_without_intake() -> None:
    columns = pd.read_csv(LEADS_CSV, nrows=1).columns
    at_intake = excluded_columns(columns, intake_only=True)
    assert at_intake["Prospect ID"] == at_intake["Lead Number"] == "identifier"
    assert set(POST_CONTACT_COLUMNS) <= set(at_intake)
    assert set(excluded_columns(columns, intake_only=False)) == {"Prospect ID", "Lead Number"}
    assert excluded_columns(pd.read_csv(TELCO_CSV, nrows=1).columns, intake_only=False) == {
        "customerID": "identifier"
    }


def test_protected_traits_and_their_proxies_are_dropped_from_the_real_exports() -> None:
    _, leads_dropped = drop_protected_features(pd.read_csv(LEADS_CSV, nrows=5))
    _, telco_dropped = drop_protected_features(pd.read_csv(TELCO_CSV, nrows=5))
    assert set(leads_dropped) == {"Country", "City"}
    assert set(telco_dropped) == {"gender", "SeniorCitizen", "Partner", "Dependents"}


@pytest.mark.parametrize(
    ("column", "trait"),
    [
        ("Age", "age"),
        ("date_of_birth", "age"),
        ("maritalStatus", "marital status"),
        ("Number of Children", "familial status"),
        ("Religion", "religion"),
        ("Ethnicity", "race / colour"),
        ("Preferred Language", "national origin"),
        ("Zip Code", "location (proxy for race / national origin)"),
        ("Disability", "disability"),
    ],
)
def test_it_recognises_protected_columns_by_name(column: str, trait: str) -> None:
    assert protected_trait(column) == trait


@pytest.mark.parametrize("column", ["Page Views Per Visit", "Lead Stage", "Last Activity", "tenure", "Usage"])
def test_it_does_not_mistake_ordinary_columns_for_protected_ones(column: str) -> None:
    assert protected_trait(column) is None


def test_the_trained_model_lists_only_allowed_features(trained: tuple[FittedModel, pd.DataFrame]) -> None:
    model, _ = trained
    assert model.features == ("Minutes On Site", "Asked For Callback", "Lead Source")
    assert model.excluded["Gender"].startswith("protected")
    assert model.excluded["Zip Code"].startswith("protected")
    assert model.excluded["Campaign"] == "the same value in every row"


def test_scores_are_calibrated_percentages(trained: tuple[FittedModel, pd.DataFrame]) -> None:
    model, leads = trained
    scores = model.score(leads)
    assert scores.dtype.kind == "i" and scores.min() >= 0 and scores.max() <= 100
    # Calibrated on out-of-fold predictions: the average score matches the conversion rate.
    assert abs(model.probability(leads).mean() - model.positive_rate) < 0.02
    assert 0.5 < model.metrics.roc_auc <= 1.0


def test_reason_codes_name_what_drove_the_score(trained: tuple[FittedModel, pd.DataFrame]) -> None:
    model, _ = trained
    referral = pd.DataFrame(
        {"Lead Source": ["Referral"], "Minutes On Site": [20.0], "Asked For Callback": ["No"], "Gender": ["F"]}
    )
    unanswered = referral.assign(**{"Lead Source": ["Select"], "Minutes On Site": [90.0]})
    [referral_reasons, unanswered_reasons] = model.reasons(pd.concat([referral, unanswered]))
    assert referral_reasons[0].feature == "Lead Source"
    assert referral_reasons[0].text == "Lead Source: Referral — raises the score"
    texts = [reason.text for reason in unanswered_reasons]
    assert any(text.startswith("Minutes On Site: 90 (typical") and "raises" in text for text in texts)
    assert "Lead Source: not recorded — lowers the score" in texts
    assert all(reason.feature != "Gender" for reason in referral_reasons + unanswered_reasons)


def test_it_round_trips_through_bytes(trained: tuple[FittedModel, pd.DataFrame]) -> None:
    model, leads = trained
    restored = FittedModel.from_bytes(model.to_bytes())
    np.testing.assert_array_equal(restored.probability(leads), model.probability(leads))
    assert restored.metrics == model.metrics


def test_it_refuses_a_model_pickled_by_another_scikit_learn(trained: tuple[FittedModel, pd.DataFrame]) -> None:
    model, _ = trained
    stale = pickle.loads(model.to_bytes())
    object.__setattr__(stale, "sklearn_version", "0.0.1")
    with pytest.raises(ValueError, match="retrain"):
        FittedModel.from_bytes(pickle.dumps(stale))


def test_training_is_deterministic() -> None:
    leads, converted = synthetic_leads(rows=200, seed=1)
    first, second = train(leads, converted), train(leads, converted)
    np.testing.assert_array_equal(first.probability(leads), second.probability(leads))


def test_it_refuses_to_train_on_a_handful_of_outcomes() -> None:
    leads, _ = synthetic_leads(rows=100)
    converted = pd.Series([1] * 5 + [0] * 95)
    with pytest.raises(NotEnoughOutcomes):
        train(leads, converted)


def test_lift_in_the_top_decile() -> None:
    outcome = np.array([1, 1, 0, 0, 0, 0, 0, 0, 0, 0] * 2)
    probability = np.linspace(1, 0, 20)
    # The top 2 of 20 rows are both positive; 20 % are positive overall: lift 1 / 0.2 = 5.
    assert lift_in_top_decile(outcome, probability) == pytest.approx(5.0)
    # At 0.5 the first ten rows are called positive: 2 right there, 8 right among the last ten.
    assert ModelMetrics.from_predictions(outcome, probability).accuracy == pytest.approx(0.5)


def test_outcomes_are_read_as_yes_no_or_one_zero() -> None:
    churned, label = binary_outcome(pd.Series(["No", "Yes", "No"], name="Churn"))
    assert label == "Yes" and churned.tolist() == [0, 1, 0]
    with pytest.raises(ValueError, match="exactly two"):
        binary_outcome(pd.Series(["a", "b", "c"], name="Stage"))


def test_intake_export_keeps_no_post_contact_column() -> None:
    labelled = load_labelled_csv(LEADS_CSV, "Converted", intake_only=True)
    assert not set(POST_CONTACT_COLUMNS) & set(labelled.features.columns)
    assert labelled.outcome.mean() == pytest.approx(0.385, abs=0.001)
