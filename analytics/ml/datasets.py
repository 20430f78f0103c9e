"""Reading CSV exports (lead lists, churn lists, monthly series) into what the trainers expect.

The public reference data sets live in `analytics/data/` (sources, licences and reference figures in its
README): the evaluate_* commands default to them and the tests measure the modelling core on them.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analytics.ml.columns import excluded_columns, normalise_missing

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
# Each file with the column it is evaluated on.
LEADS_CSV, LEADS_TARGET = DATA_DIR / "leads_x_education.csv", "Converted"
TELCO_CSV, TELCO_TARGET = DATA_DIR / "telco_customer_churn.csv", "Churn"
HSN1F_CSV, HSN1F_COLUMN = DATA_DIR / "fred_hsn1f_new_home_sales.csv", "HSN1F"

_POSITIVE_WORDS = {"yes", "true", "y", "t", "1", "1.0", "converted", "churned", "won"}
_NEGATIVE_WORDS = {"no", "false", "n", "f", "0", "0.0", "lost", "stayed"}


@dataclass(frozen=True)
class LabelledFrame:
    """Candidate features and the 0/1 outcome of one export, with what was left out and why."""

    features: pd.DataFrame
    outcome: pd.Series
    positive_label: str
    excluded: dict[str, str]


def binary_outcome(values: pd.Series) -> tuple[pd.Series, str]:
    """Map a two-valued outcome column (0/1, Yes/No, True/False) to 0/1, returning the positive label."""
    labels = values.dropna().astype(str).str.strip()
    distinct = sorted(set(labels))
    if len(distinct) != 2:
        raise ValueError(f"outcome {values.name!r} must have exactly two values, found {distinct[:10]}")
    positive = [label for label in distinct if label.lower() in _POSITIVE_WORDS]
    negative = [label for label in distinct if label.lower() in _NEGATIVE_WORDS]
    if len(positive) != 1 or len(negative) != 1:
        raise ValueError(f"cannot tell which of {distinct} is the positive outcome of {values.name!r}")
    if values.isna().any():
        raise ValueError(f"outcome {values.name!r} has missing values; drop those rows first")
    return (values.astype(str).str.strip() == positive[0]).astype(int), positive[0]


def load_labelled_csv(path: Path | str, target: str, *, intake_only: bool = False) -> LabelledFrame:
    """Read an export, split off the outcome, and drop identifiers (and post-contact fields at intake).

    Protected traits are not dropped here but by the trainer, so a frame built from the database
    gets the same treatment as a CSV.
    """
    raw = pd.read_csv(path)
    if target not in raw.columns:
        raise ValueError(f"{path}: no column {target!r}; columns are {list(raw.columns)}")
    outcome, positive_label = binary_outcome(raw[target])
    candidates = raw.drop(columns=[target])
    excluded = excluded_columns(candidates.columns, intake_only=intake_only)
    features = normalise_missing(candidates.drop(columns=list(excluded)))
    return LabelledFrame(features=features, outcome=outcome, positive_label=positive_label, excluded=excluded)


def load_monthly_series(path: Path | str, column: str) -> pd.Series:
    """One numeric column of a monthly CSV (first column = date), indexed by month start."""
    raw = pd.read_csv(path, index_col=0, parse_dates=True)
    if column not in raw.columns:
        raise ValueError(f"{path}: no column {column!r}; columns are {list(raw.columns)}")
    series = pd.to_numeric(raw[column], errors="coerce").dropna()
    series.index = pd.DatetimeIndex(series.index).to_period("M").to_timestamp()
    return series.sort_index()
