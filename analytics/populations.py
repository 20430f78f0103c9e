"""Which leads the nightly jobs and the trainings cover, and what became of them, read in bulk as DataFrames.

Only the nightly jobs and the weekly training read these (they import pandas, which the web processes never load).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
from django.db import connection
from django.db.models import Q

from leads.models import CLOSED_STATUSES, Contact, Deal, DealStatus, Location

# Outcomes older than two years describe another market: neither the models nor the prior's counts use them.
TRAINING_WINDOW_DAYS = 730

# The leads the nightly jobs rescore and watch: open (not won or lost), reachable, not deleted or erased. The same
# condition as the `contact_active_idx` partial index, which serves it.
OPEN_LEADS = Q(opted_out_at__isnull=True, deleted_at__isnull=True, erased_at__isnull=True) & ~Q(
    status__in=[status.value for status in CLOSED_STATUSES]
)


def open_leads(contact_ids: Sequence[int] | None = None, *, without_override: bool = False) -> pd.DataFrame:
    """The open leads (of `contact_ids` when given), oldest first: contact_id, and the score and temperature they
    have now."""
    leads = Contact.objects.filter(OPEN_LEADS)
    if contact_ids is not None:
        leads = leads.filter(pk__in=list(contact_ids))
    if without_override:
        leads = leads.filter(score_override__isnull=True)
    rows = leads.order_by("pk").values_list("pk", "score", "temperature")
    return pd.DataFrame.from_records(list(rows), columns=["contact_id", "score", "temperature"])


# One row per closed lead: won if the lead or any of its deals was won; lost if closed otherwise. The outcome time
# is the latest deal's closing, or failing that the lead's last change (when its status was set).
_CLOSED_LEADS_SQL = """
SELECT c.id,
       (c.status = 'won' OR coalesce(bool_or(d.status = 'won'), false)) AS won,
       coalesce(max(d.closed_at) FILTER (WHERE d.status <> 'open'), c.updated_at) AS outcome_at
FROM leads_contact c
LEFT JOIN analytics_deal d ON d.contact_id = c.id
WHERE c.deleted_at IS NULL AND c.erased_at IS NULL
GROUP BY c.id
HAVING c.status IN ('won', 'lost') OR bool_or(d.status IN ('won', 'lost', 'abandoned'))
"""


def closed_leads(since: dt.datetime, newest: int) -> pd.DataFrame:
    """The `newest` closed leads with an outcome after `since`: contact_id, won (0/1), outcome_at; oldest first."""
    sql = (f"SELECT * FROM ({_CLOSED_LEADS_SQL}) closed WHERE outcome_at >= %s "
           "ORDER BY outcome_at DESC, id DESC LIMIT %s")
    with connection.cursor() as cursor:
        cursor.execute(sql, [since, newest])
        rows = cursor.fetchall()
    closed = pd.DataFrame.from_records(rows, columns=["contact_id", "won", "outcome_at"])
    closed["won"] = closed["won"].astype(int)
    return closed.iloc[::-1].reset_index(drop=True)


def outcome_counts(since: dt.datetime) -> tuple[int, int]:
    """(won, lost) closed leads with an outcome after `since`."""
    sql = f"SELECT count(*) FILTER (WHERE won), count(*) FILTER (WHERE NOT won) FROM ({_CLOSED_LEADS_SQL}) closed "
    with connection.cursor() as cursor:
        cursor.execute(sql + "WHERE outcome_at >= %s", [since])
        won, lost = cursor.fetchone()
    return int(won), int(lost)


# Leads open now that we had talked to before `as_of`, and whether they texted at all in the window after it.
_CHURN_SNAPSHOT_SQL = """
SELECT c.id,
       NOT EXISTS (
           SELECT 1 FROM leads_conversation s JOIN leads_message m ON m.conversation_id = s.id
           WHERE s.contact_id = c.id AND m.direction = 'inbound' AND m.sent_at >= %(as_of)s AND m.sent_at < %(until)s
       ) AS went_cold
FROM leads_contact c
WHERE c.created_at < %(as_of)s AND c.deleted_at IS NULL AND c.erased_at IS NULL AND c.opted_out_at IS NULL
  AND c.status NOT IN ('won', 'lost')
  AND EXISTS (
      SELECT 1 FROM leads_conversation s JOIN leads_message m ON m.conversation_id = s.id
      WHERE s.contact_id = c.id AND m.sent_at < %(as_of)s
  )
ORDER BY c.id
"""


def churn_snapshot(as_of: dt.datetime, silence_days: int) -> pd.DataFrame:
    """contact_id, went_cold (0/1) for the leads we were talking to at `as_of`, labelled by the next silence window.

    Leads that closed since are left out: once a person takes a deal over, the lead stops texting the bot, and that
    silence is a success, not a lead going cold.
    """
    until = as_of + dt.timedelta(days=silence_days)
    with connection.cursor() as cursor:
        cursor.execute(_CHURN_SNAPSHOT_SQL, {"as_of": as_of, "until": until})
        rows = cursor.fetchall()
    snapshot = pd.DataFrame.from_records(rows, columns=["contact_id", "went_cold"])
    snapshot["went_cold"] = snapshot["went_cold"].astype(int)
    return snapshot


def deals_of(location: Location) -> pd.DataFrame:
    """Open and won deals of a location: status, value, stage, expected close, opened, closed, the lead's score."""
    rows = (
        Deal.objects.filter(location=location, status__in=[DealStatus.OPEN, DealStatus.WON])
        .values_list("status", "value", "pipeline_stage_id", "expected_close", "opened_at", "closed_at",
                     "contact__score")
    )
    deals = pd.DataFrame.from_records(
        list(rows),
        columns=["status", "value", "stage", "expected_close", "opened_at", "closed_at", "lead_score"],
    )
    deals["value"] = pd.to_numeric(deals["value"]).astype(float)
    deals["lead_score"] = pd.to_numeric(deals["lead_score"]).astype(float)
    for column in ("opened_at", "closed_at"):
        deals[column] = pd.to_datetime(deals[column], utc=True)
    deals["expected_close"] = pd.to_datetime(deals["expected_close"])
    return deals
