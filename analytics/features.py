"""What the models may know about a lead, read from the database in bulk: one query for the leads and their answers,
one for their texts, then pandas.

Each lead is described as of a cutoff moment (now for an open lead, the outcome for a closed one, a past night
for a churn snapshot): only texts sent before it count. Nothing here reads a name, a phone number, an email, a
ZIP code, a time zone, the seller's motivation (divorce, probate, retiring), the buyer's areas or bedrooms, or the
lead's language: each is a protected trait or a stand-in for one (Fair Housing Act; analytics.ml.columns).
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from django.db import connection

EPOCH = pd.Timestamp(0, tz="UTC")

# Every column a model or the prior may read, and nothing else. tests/analytics/test_scoring_features.py runs
# each name through analytics.ml.columns.protected_trait.
SCORING_FEATURES: tuple[str, ...] = (
    "source",
    "active_bot",
    "inbound_texts",
    "outbound_texts",
    "median_reply_minutes",
    "days_since_last_reply",
    "days_since_created",
    "seller_answers",
    "timeline_accepted",
    "property_condition",
    "financing",
    "has_budget",
    "buyer_timeline_days",
    "call_booked",
    "objections",
    "handoffs",
)
# Churn snapshots describe a lead as it was weeks ago, but the qualification answers are stored as they are now:
# an answer given after the snapshot would tell the model the lead did reply. So churn reads the texts only.
CHURN_FEATURES: tuple[str, ...] = (
    "source",
    "inbound_texts",
    "outbound_texts",
    "median_reply_minutes",
    "days_since_last_reply",
    "days_since_created",
)
# Read by the prior and the forecast, never by a trained model: for a closed lead the stage *is* the outcome.
CONTEXT_COLUMNS: tuple[str, ...] = ("location_id", "stage", "bot_lead_score")

# Cutoffs travel as epoch seconds (float8[]): rendering 100,000 timestamps into the statement cost more than the
# query itself. The day counts are computed here too, so no timestamp comes back to Python.
_LEADS_SQL = """
SELECT c.id, c.location_id, c.source, c.active_bot, c.status,
       greatest(extract(epoch FROM to_timestamp(p.cutoff) - c.created_at)::float8 / 86400, 0),
       (s.state #>> '{seller,motivation}' IS NOT NULL)::int
         + (s.state #>> '{seller,timeline_acceptable}' IS NOT NULL)::int
         + (s.state #>> '{seller,property_condition}' IS NOT NULL)::int
         + (s.state #>> '{seller,price_high}' IS NOT NULL)::int,
       CASE s.state #>> '{seller,timeline_acceptable}' WHEN 'yes' THEN 1.0 WHEN 'no' THEN 0.0 END,
       s.state #>> '{seller,property_condition}',
       s.state #>> '{buyer,financing}',
       (s.state #>> '{buyer,budget_high}' IS NOT NULL)::int,
       (s.state #>> '{buyer,timeline_days}')::float8,
       coalesce(s.state #>> '{booking,status}' = 'booked', false)::int,
       coalesce((s.state ->> 'objections')::int, 0),
       coalesce(jsonb_array_length(s.state -> 'handoffs'), 0),
       (s.state ->> 'lead_score')::float8
FROM unnest(%s::bigint[], %s::float8[]) AS p(contact_id, cutoff)
JOIN leads_contact c ON c.id = p.contact_id
LEFT JOIN leads_conversation s ON s.contact_id = c.id
"""
_LEADS_COLUMNS = [
    "contact_id", "location_id", "source", "active_bot", "stage", "days_since_created", "seller_answers",
    "timeline_accepted", "property_condition", "financing", "has_budget", "buyer_timeline_days", "call_booked",
    "objections", "handoffs", "bot_lead_score",
]

# The reply time is measured from a bot's text to the lead's next text, in the same thread. Grouping by the
# conversation keeps the window's sort order, so PostgreSQL sorts the texts once.
_TEXTS_SQL = """
WITH thread AS (
    SELECT p.contact_id, p.cutoff, m.conversation_id, m.direction, m.sent_at,
           lag(m.direction) OVER w AS previous_direction,
           lag(m.sender) OVER w AS previous_sender,
           extract(epoch FROM m.sent_at - lag(m.sent_at) OVER w)::float8 AS gap_seconds
    FROM unnest(%s::bigint[], %s::float8[]) AS p(contact_id, cutoff)
    JOIN leads_conversation s ON s.contact_id = p.contact_id
    JOIN leads_message m ON m.conversation_id = s.id AND m.sent_at < to_timestamp(p.cutoff)
    WINDOW w AS (PARTITION BY m.conversation_id ORDER BY m.sent_at, m.id)
)
SELECT min(contact_id),
       count(*) FILTER (WHERE direction = 'inbound'),
       count(*) FILTER (WHERE direction = 'outbound'),
       (min(cutoff) - extract(epoch FROM max(sent_at) FILTER (WHERE direction = 'inbound'))::float8) / 86400,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY gap_seconds) FILTER (
           WHERE direction = 'inbound' AND previous_direction = 'outbound' AND previous_sender = 'bot'
       ) / 60
FROM thread
GROUP BY conversation_id
"""
_TEXTS_COLUMNS = ["contact_id", "inbound_texts", "outbound_texts", "days_since_last_reply", "median_reply_minutes"]


def lead_features(cutoffs: pd.Series) -> pd.DataFrame:
    """One row per lead in `cutoffs` (contact id -> the moment it is described at), indexed by contact id.

    Columns: SCORING_FEATURES (a superset of CHURN_FEATURES) and CONTEXT_COLUMNS. Two queries whatever the
    number of leads.
    """
    contact_ids = cutoffs.index.to_numpy(dtype=np.int64).tolist()
    epochs = ((pd.to_datetime(cutoffs, utc=True) - EPOCH) / pd.Timedelta(seconds=1)).to_numpy(dtype=float).tolist()
    leads = _frame(_LEADS_SQL, [contact_ids, epochs], _LEADS_COLUMNS)
    texts = _frame(_TEXTS_SQL, [contact_ids, epochs], _TEXTS_COLUMNS)
    merged = leads.merge(texts, on="contact_id", how="left").set_index("contact_id").reindex(cutoffs.index)
    return _derive(merged)


def _frame(sql: str, params: list[list[int] | list[float]], columns: list[str]) -> pd.DataFrame:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return pd.DataFrame.from_records(rows, columns=columns)


def _derive(merged: pd.DataFrame) -> pd.DataFrame:
    """The columns in their order and types; a lead with no texts has counts of 0 and no reply figures."""
    frame = pd.DataFrame(index=merged.index)
    frame["location_id"] = merged["location_id"]
    frame["stage"] = merged["stage"]
    frame["bot_lead_score"] = merged["bot_lead_score"].astype(float)
    frame["source"] = merged["source"].replace("", np.nan)
    frame["active_bot"] = merged["active_bot"]
    frame["inbound_texts"] = merged["inbound_texts"].fillna(0).astype(float)
    frame["outbound_texts"] = merged["outbound_texts"].fillna(0).astype(float)
    # A lead who never texted has no "days since" at all: missing, which the models treat as its own signal.
    for column in ("median_reply_minutes", "days_since_last_reply", "days_since_created", "seller_answers",
                   "timeline_accepted", "buyer_timeline_days"):
        frame[column] = merged[column].astype(float)
    frame["seller_answers"] = frame["seller_answers"].fillna(0.0)
    frame["property_condition"] = merged["property_condition"]
    frame["financing"] = merged["financing"]
    for column in ("has_budget", "call_booked", "objections", "handoffs"):
        frame[column] = merged[column].fillna(0).astype(float)
    return frame[[*CONTEXT_COLUMNS, *SCORING_FEATURES]]


def describe_at(contact_ids: list[int], moment: dt.datetime) -> pd.DataFrame:
    """`lead_features` with every lead described at the same moment (tonight's run, a churn snapshot)."""
    return lead_features(pd.Series([moment] * len(contact_ids), index=pd.Index(contact_ids, name="contact_id")))
