"""Which columns a model may learn from: identifiers, post-contact fields and protected traits.

Fair-housing law (and the DESIGN's "Analytics" section) forbids scoring a lead on a protected trait
or on a stand-in for one, so every trainer passes its columns through `drop_protected_features`.
Matching is on the column *name*, split into words, so `SeniorCitizen` and `date_of_birth` are
caught while `Page Views Per Visit` (which contains the letters "age") is not.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

# Each entry is (the trait the law protects, a regex over the snake_case words of a column name).
# Proxies sit next to the trait they stand in for; the comment says why they are proxies.
PROTECTED_FEATURE_PATTERNS: list[tuple[str, str]] = [
    ("sex / gender", r"gender|sex|sexual_orientation|pronouns?"),
    ("race / colour", r"race|racial|ethnicity|ethnic|skin_colou?r"),
    ("religion", r"religion|religious|faith"),
    # An age band, a birth date or a "senior" flag all recover age.
    ("age", r"age|ages|birth|birthday|birthdate|dob|senior\w*|elderly"),
    # Having a spouse or partner is marital status.
    ("marital status", r"marital\w*|married|spouse|partner|widow\w*|divorce\w*"),
    # Fair Housing Act "familial status": children and dependents in the household.
    (
        "familial status",
        r"dependents?|children|child|kids|familial\w*|family_status|family_size|pregnan\w*|household_size",
    ),
    # Country and language of the lead are national origin by another name.
    (
        "national origin",
        r"nationality|national_origin|citizenship|immigra\w*|country|birthplace|native_language|language",
    ),
    ("disability", r"disabilit(?:y|ies)|disabled|handicap\w*"),
    ("military / veteran status", r"veteran|military"),
    ("source of income", r"source_of_income|income_source|housing_voucher|section_8"),
    # Where a lead lives tracks race and national origin (the redlining pattern), so a model that
    # learns from the lead's own city or postcode is redlining by proxy.
    ("location (proxy for race / national origin)",
     r"city|zip|zip_code|zipcode|postal_code|postcode|post_code|neighbou?rhood|address|county|census_tract|latitude|longitude"),
]

# Fields the X Education sales team fills in after speaking to the lead; an intake score must not
# see them or it is grading the answer key.
POST_CONTACT_COLUMNS: tuple[str, ...] = (
    "Tags",
    "Lead Quality",
    "Lead Profile",
    "Last Notable Activity",
    "Asymmetrique Activity Index",
    "Asymmetrique Profile Index",
    "Asymmetrique Activity Score",
    "Asymmetrique Profile Score",
)

# Record keys: unique per row, so a model can only memorise them.
IDENTIFIER_PATTERN = r"id|uuid|guid|(?:lead|prospect|customer|contact|client|record)_(?:id|number|no|key)"

# Values a form or an export writes when nobody answered: a dropdown left on its "Select"
# placeholder is as unanswered as a blank cell.
MISSING_MARKERS: tuple[str, ...] = ("", "Select")

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NON_WORD = re.compile(r"[^a-z0-9]+")
_PROTECTED = [(trait, re.compile(rf"(?:^|_)(?:{pattern})(?:_|$)")) for trait, pattern in PROTECTED_FEATURE_PATTERNS]
_IDENTIFIER = re.compile(rf"(?:^|_)(?:{IDENTIFIER_PATTERN})$")


def snake_case(column: str) -> str:
    """`SeniorCitizen` -> `senior_citizen`, `Lead Number` -> `lead_number`."""
    spaced = _CAMEL_BOUNDARY.sub("_", column.strip())
    return _NON_WORD.sub("_", spaced.lower()).strip("_")


def protected_trait(column: str) -> str | None:
    """The protected trait a column records or stands in for, or None."""
    name = snake_case(column)
    for trait, pattern in _PROTECTED:
        if pattern.search(name):
            return trait
    return None


def is_identifier(column: str) -> bool:
    """Whether the column's name marks it as a record key (`customerID`, `Lead Number`)."""
    return bool(_IDENTIFIER.search(snake_case(column)))


def drop_protected_features(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """The frame without protected columns, and {dropped column: trait} for the model card."""
    dropped = {column: trait for column in frame.columns if (trait := protected_trait(str(column)))}
    return frame.drop(columns=list(dropped)), dropped


def excluded_columns(columns: Iterable[str], *, intake_only: bool) -> dict[str, str]:
    """{column: why it is never a feature} for identifiers, and post-contact fields at intake."""
    reasons: dict[str, str] = {}
    for column in columns:
        if is_identifier(column):
            reasons[column] = "identifier"
        elif intake_only and column in POST_CONTACT_COLUMNS:
            reasons[column] = "filled in after contact"
    return reasons


def normalise_missing(frame: pd.DataFrame) -> pd.DataFrame:
    """Strip text cells and turn blanks and form placeholders ("Select") into real missing values."""
    cleaned = frame.copy()
    for column in cleaned.columns:
        values = cleaned[column]
        if pd.api.types.is_string_dtype(values) or values.dtype == object:
            stripped = values.astype(object).where(values.isna(), values.astype(str).str.strip())
            cleaned[column] = stripped.where(~stripped.isin(MISSING_MARKERS))
    return cleaned
