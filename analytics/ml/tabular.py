"""The one trainer for tabular outcomes (a lead converts, a customer churns), and its fitted model.

A lead's features arrive as a DataFrame, from the database or from any CSV. The trainer types each
column (number, yes/no, category), blends a spline logistic regression with gradient boosting,
calibrates the blend, and returns a `FittedModel` that scores leads 0-100, explains each score in
plain words, carries its own out-of-fold metrics, and round-trips through bytes for a model row.
"""
from __future__ import annotations

import pickle
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import sklearn
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import MissingIndicator, SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, brier_score_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, OrdinalEncoder, SplineTransformer
from threadpoolctl import threadpool_limits

from analytics.ml.columns import drop_protected_features, normalise_missing

RANDOM_STATE = 0
# One cell of a prepared frame: a number (booleans count as numbers), a category's text, or missing.
Cell = float | str | None
# These fits are small: on the shared 2-core machine a 400-row training took 4.3 s with OpenMP's
# two threads and 0.75 s with one, and one thread leaves the other core to the web and workers.
MODEL_THREADS = 1
# Folds used inside one training run to produce the out-of-fold predictions that calibrate the
# blend and give the model's own metrics; 5 keeps each fold's model on 80 % of the rows.
INNER_FOLDS = 5
# A category seen fewer times than this is pooled into "other": its own rate would be noise.
RARE_CATEGORY_MIN_COUNT = 10
# HistGradientBoosting handles at most 255 bins per feature, one of them for missing values.
MAX_NATIVE_CATEGORIES = 250
REASONS_PER_ROW = 3
# Reason codes re-score every row once per feature. Measured on the X Education leads (27 features):
# a 2,000-row batch adds ~120 MB of memory and takes ~6 s on the busy 2-core machine.
REASON_BATCH_ROWS = 2_000
# Below this change in log-odds (about 1 point of score near 50) a feature is not worth naming.
MIN_REASON_EFFECT = 0.05
MISSING_CATEGORY = "(not recorded)"

_BOOLEAN_WORDS = {"yes": 1.0, "no": 0.0, "true": 1.0, "false": 0.0, "y": 1.0, "n": 0.0}


class NotEnoughOutcomes(ValueError):
    """Too few converted (or unconverted) examples to train and calibrate a model honestly."""


@dataclass(frozen=True)
class ColumnTypes:
    """How each candidate column is treated; `ignored` says why a column carries no signal."""

    numeric: tuple[str, ...]
    boolean: tuple[str, ...]
    categorical: tuple[str, ...]
    ignored: dict[str, str] = field(default_factory=dict)

    @property
    def features(self) -> tuple[str, ...]:
        return self.numeric + self.boolean + self.categorical


@dataclass(frozen=True)
class ModelMetrics:
    """Accuracy at 0.5, ROC-AUC, Brier score, and how much richer in positives the top 10 % is."""

    accuracy: float
    roc_auc: float
    brier: float
    lift_top_decile: float

    @classmethod
    def from_predictions(cls, outcome: np.ndarray | pd.Series, probability: np.ndarray) -> ModelMetrics:
        actual = np.asarray(outcome, dtype=int)
        return cls(
            accuracy=float(accuracy_score(actual, probability >= 0.5)),
            roc_auc=float(roc_auc_score(actual, probability)),
            brier=float(brier_score_loss(actual, probability)),
            lift_top_decile=lift_in_top_decile(actual, probability),
        )


@dataclass(frozen=True)
class ReasonCode:
    """One feature's push on one lead's score, in log-odds against a typical lead, and in words."""

    feature: str
    value: object
    effect: float
    text: str


CALIBRATION_BANDS = 10


def calibration_table(outcome: np.ndarray, probability: np.ndarray) -> list[dict[str, float]]:
    """Per 10-point probability band: how many test leads, the mean predicted chance, the share that happened."""
    bands = np.minimum((probability * CALIBRATION_BANDS).astype(int), CALIBRATION_BANDS - 1)
    table = []
    for band in range(CALIBRATION_BANDS):
        inside = bands == band
        if inside.any():
            table.append({
                "low": band / CALIBRATION_BANDS,
                "high": (band + 1) / CALIBRATION_BANDS,
                "leads": int(inside.sum()),
                "predicted": float(probability[inside].mean()),
                "observed": float(outcome[inside].mean()),
            })
    return table


def lift_in_top_decile(outcome: np.ndarray, probability: np.ndarray) -> float:
    """Positive rate among the 10 % highest-scored rows divided by the overall positive rate."""
    top = max(1, int(np.ceil(len(probability) * 0.1)))
    # A stable sort keeps ties in row order, so the figure is reproducible.
    ranked = np.argsort(-probability, kind="stable")[:top]
    return float(np.mean(outcome[ranked]) / np.mean(outcome))


def infer_column_types(frame: pd.DataFrame) -> ColumnTypes:
    """Type each column from its values: yes/no flags, numbers (even if stored as text), categories."""
    numeric: list[str] = []
    boolean: list[str] = []
    categorical: list[str] = []
    ignored: dict[str, str] = {}
    cleaned = normalise_missing(frame)
    for column in cleaned.columns:
        present = cleaned[column].dropna()
        distinct = present.nunique()
        if distinct < 2:
            ignored[column] = "the same value in every row"
        elif _is_boolean(present):
            boolean.append(column)
        elif _is_numeric(present):
            numeric.append(column)
        elif distinct == len(cleaned) and len(cleaned) >= 50:
            ignored[column] = "a different text in every row (an identifier)"
        else:
            categorical.append(column)
    return ColumnTypes(tuple(numeric), tuple(boolean), tuple(categorical), ignored)


def _is_boolean(present: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(present):
        return True
    if pd.api.types.is_numeric_dtype(present):
        return set(present.unique()) <= {0, 1}
    return set(present.astype(str).str.lower().unique()) <= set(_BOOLEAN_WORDS)


def _is_numeric(present: pd.Series) -> bool:
    if pd.api.types.is_numeric_dtype(present):
        return True
    return bool(pd.to_numeric(present, errors="coerce").notna().all())


def prepare_features(frame: pd.DataFrame, types: ColumnTypes) -> pd.DataFrame:
    """The model's input: its feature columns in order, numbers as floats, flags as 0/1, text as text."""
    absent = [column for column in types.features if column not in frame.columns]
    if absent:
        raise ValueError(f"missing feature columns: {absent}")
    cleaned = normalise_missing(frame[list(types.features)])
    prepared: dict[str, pd.Series] = {}
    for column in types.numeric:
        prepared[column] = pd.to_numeric(cleaned[column], errors="coerce").astype(float)
    for column in types.boolean:
        prepared[column] = _as_flag(cleaned[column])
    for column in types.categorical:
        values = cleaned[column]
        prepared[column] = values.astype(object).where(values.isna(), values.astype(str)).astype(object)
    return pd.DataFrame(prepared, index=frame.index)


def _as_flag(values: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return values.astype(float)
    return values.astype(str).str.lower().map(_BOOLEAN_WORDS).where(values.notna()).astype(float)


def _signed_log1p(values: np.ndarray) -> np.ndarray:
    # Counts and durations are skewed (a few leads spend hours on the site); the log spreads the
    # common range so the spline's evenly spaced knots land where the leads are.
    return np.sign(values) * np.log1p(np.abs(values))


def _linear_branch(types: ColumnTypes) -> Pipeline:
    numeric = list(types.numeric)
    encode = ColumnTransformer(
        [
            (
                "numeric",
                make_pipeline(
                    SimpleImputer(strategy="median"),
                    FunctionTransformer(_signed_log1p, feature_names_out="one-to-one"),
                    SplineTransformer(n_knots=5),
                ),
                numeric,
            ),
            # Whether a number was recorded at all is itself a signal (no visit count = no visit).
            ("numeric_missing", MissingIndicator(features="missing-only", error_on_new=False), numeric),
            ("boolean", SimpleImputer(strategy="most_frequent", add_indicator=True), list(types.boolean)),
            (
                "categorical",
                make_pipeline(
                    SimpleImputer(strategy="constant", fill_value=MISSING_CATEGORY),
                    OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=RARE_CATEGORY_MIN_COUNT),
                ),
                list(types.categorical),
            ),
        ]
    )
    return make_pipeline(encode, LogisticRegression(max_iter=5_000))


def _boosted_branch(types: ColumnTypes) -> Pipeline:
    passthrough = list(types.numeric + types.boolean)
    encode = ColumnTransformer(
        [
            ("numeric", "passthrough", passthrough),
            (
                "categorical",
                OrdinalEncoder(
                    handle_unknown="use_encoded_value",
                    unknown_value=np.nan,
                    encoded_missing_value=np.nan,
                    min_frequency=RARE_CATEGORY_MIN_COUNT,
                    max_categories=MAX_NATIVE_CATEGORIES,
                ),
                list(types.categorical),
            ),
        ]
    )
    native_categories = [False] * len(passthrough) + [True] * len(types.categorical)
    # Small trees, an L2 penalty and half the features per split: a few thousand leads are noisy.
    # Early stopping is off and the seed fixed, so the same rows always give the same model.
    booster = HistGradientBoostingClassifier(
        learning_rate=0.1,
        max_iter=150,
        max_leaf_nodes=7,
        min_samples_leaf=20,
        l2_regularization=1.0,
        max_features=0.5,
        categorical_features=native_categories,
        early_stopping=False,
        random_state=RANDOM_STATE,
    )
    return make_pipeline(encode, booster)


class CalibratedBlend(ClassifierMixin, BaseEstimator):
    """A spline logistic regression and a gradient-boosted model, combined by a logistic regression
    fitted on their out-of-fold log-odds.

    Fitting the combiner on predictions for rows each branch did not see is Platt scaling of the
    blend, i.e. what CalibratedClassifierCV(method="sigmoid", ensemble=False) does for one model;
    the same out-of-fold predictions give the model honest metrics at no extra cost.
    """

    def __init__(self, column_types: ColumnTypes, inner_folds: int = INNER_FOLDS) -> None:
        self.column_types = column_types
        self.inner_folds = inner_folds

    def fit(self, X: pd.DataFrame, y: pd.Series) -> CalibratedBlend:
        with threadpool_limits(limits=MODEL_THREADS):
            return self._fit(X, y)

    def _fit(self, X: pd.DataFrame, y: pd.Series) -> CalibratedBlend:
        folds = StratifiedKFold(self.inner_folds, shuffle=True, random_state=RANDOM_STATE)
        out_of_fold = np.column_stack(
            [
                cross_val_predict(branch, X, y, cv=folds, method="decision_function", n_jobs=1)
                for branch in self._branches()
            ]
        )
        self.combiner_ = LogisticRegression().fit(out_of_fold, y)
        # The combiner's own 3 parameters are cross-fitted too, so no row scores itself.
        calibrated_out_of_fold = cross_val_predict(
            LogisticRegression(), out_of_fold, y, cv=folds, method="predict_proba", n_jobs=1
        )[:, 1]
        self.out_of_fold_metrics_ = ModelMetrics.from_predictions(y, calibrated_out_of_fold)
        self.branches_ = [branch.fit(X, y) for branch in self._branches()]
        self.classes_ = np.array([0, 1])
        return self

    def _branches(self) -> list[Pipeline]:
        return [_linear_branch(self.column_types), _boosted_branch(self.column_types)]

    def decision_function(self, X: pd.DataFrame) -> np.ndarray:
        with threadpool_limits(limits=MODEL_THREADS):
            branch_log_odds = np.column_stack([branch.decision_function(X) for branch in self.branches_])
        return self.combiner_.decision_function(branch_log_odds)

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        positive = expit(self.decision_function(X))
        return np.column_stack([1 - positive, positive])

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return (self.decision_function(X) >= 0).astype(int)


@dataclass(frozen=True)
class FittedModel:
    """A trained, calibrated model with everything a model row needs to store and explain it."""

    target: str
    positive_label: str
    column_types: ColumnTypes
    excluded: dict[str, str]
    typical_values: dict[str, float | str]
    estimator: CalibratedBlend
    metrics: ModelMetrics
    training_rows: int
    positive_rate: float
    sklearn_version: str

    @property
    def features(self) -> tuple[str, ...]:
        return self.column_types.features

    def probability(self, frame: pd.DataFrame) -> np.ndarray:
        """Calibrated probability of the positive outcome (converts, churns) for each row."""
        return self.estimator.predict_proba(prepare_features(frame, self.column_types))[:, 1]

    def score(self, frame: pd.DataFrame) -> np.ndarray:
        """The 0-100 score shown to a broker: the probability in percent, rounded."""
        return np.rint(self.probability(frame) * 100).astype(int)

    def reasons(self, frame: pd.DataFrame, top: int = REASONS_PER_ROW) -> list[list[ReasonCode]]:
        """For each row, the features that moved its score most against a typical lead, in words.

        Each feature's effect is the change in log-odds when that one answer is replaced by the
        typical answer (median number, most common recorded category). It needs nothing from the
        model's internals; effects are not additive, they rank what set this lead apart.
        """
        prepared = prepare_features(frame, self.column_types)
        explained: list[list[ReasonCode]] = []
        for start in range(0, len(prepared), REASON_BATCH_ROWS):
            batch = prepared.iloc[start : start + REASON_BATCH_ROWS]
            explained.extend(self._explain_batch(batch, top))
        return explained

    def _explain_batch(self, batch: pd.DataFrame, top: int) -> list[list[ReasonCode]]:
        own = self.estimator.decision_function(batch)
        typical_rows = pd.concat(
            [batch.assign(**{feature: self.typical_values[feature]}) for feature in self.features],
            ignore_index=True,
        )
        typical = self.estimator.decision_function(typical_rows).reshape(len(self.features), len(batch))
        effects = own[np.newaxis, :] - typical
        explained: list[list[ReasonCode]] = []
        for row_position in range(len(batch)):
            row_effects = effects[:, row_position]
            strongest = np.argsort(-np.abs(row_effects), kind="stable")[:top]
            explained.append(
                [
                    self._reason(self.features[i], batch.iat[row_position, i], float(row_effects[i]))
                    for i in strongest
                    if abs(row_effects[i]) >= MIN_REASON_EFFECT
                ]
            )
        return explained

    def _reason(self, feature: str, value: Cell, effect: float) -> ReasonCode:
        direction = "raises" if effect > 0 else "lowers"
        if value is None or pd.isna(value):
            shown: object = None
            said = "not recorded"
        elif feature in self.column_types.boolean:
            shown = bool(value)
            said = "yes" if value else "no"
        elif feature in self.column_types.numeric:
            shown = float(value)
            said = f"{value:g} (typical {self.typical_values[feature]:g})"
        else:
            shown = str(value)
            said = str(value)
        return ReasonCode(feature, shown, effect, f"{feature}: {said} — {direction} the score")

    def to_bytes(self) -> bytes:
        """Pickled bytes for a model row; load them only with the same scikit-learn version."""
        return pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL)

    @staticmethod
    def from_bytes(blob: bytes) -> FittedModel:
        """Load bytes written by `to_bytes`. Pickle runs code, so only ever load our own model rows."""
        model = pickle.loads(blob)
        if not isinstance(model, FittedModel):
            raise TypeError(f"expected a FittedModel, got {type(model).__name__}")
        if model.sklearn_version != sklearn.__version__:
            raise ValueError(
                f"model trained with scikit-learn {model.sklearn_version}, running {sklearn.__version__}: retrain it"
            )
        return model


def train(
    features: pd.DataFrame,
    outcome: pd.Series,
    *,
    target: str = "outcome",
    positive_label: str = "1",
    excluded: Mapping[str, str] | None = None,
) -> FittedModel:
    """Train the calibrated blend on candidate features (protected traits are always removed here).

    `outcome` is 0/1 per row; `excluded` records columns the caller already left out and why, so
    the model card lists every column that was not used.
    """
    actual = pd.Series(np.asarray(outcome, dtype=int), index=features.index)
    minority = int(min(actual.sum(), len(actual) - actual.sum()))
    if minority < 2 * INNER_FOLDS:
        raise NotEnoughOutcomes(f"need at least {2 * INNER_FOLDS} rows of each outcome, have {minority}")
    allowed, protected = drop_protected_features(features)
    types = infer_column_types(allowed)
    prepared = prepare_features(allowed, types)
    estimator = CalibratedBlend(types).fit(prepared, actual)
    not_used = {**(excluded or {}), **{column: f"protected ({trait})" for column, trait in protected.items()}}
    return FittedModel(
        target=target,
        positive_label=positive_label,
        column_types=types,
        excluded={**not_used, **types.ignored},
        typical_values=_typical_values(prepared, types),
        estimator=estimator,
        metrics=estimator.out_of_fold_metrics_,
        training_rows=len(prepared),
        positive_rate=float(actual.mean()),
        sklearn_version=sklearn.__version__,
    )


def _typical_values(prepared: pd.DataFrame, types: ColumnTypes) -> dict[str, float | str]:
    typical: dict[str, float | str] = {}
    for column in types.numeric:
        typical[column] = float(prepared[column].median())
    for column in types.boolean + types.categorical:
        # The most common recorded answer, so "not recorded" shows up as a reason of its own.
        typical[column] = prepared[column].mode(dropna=True).iloc[0]
    return typical
