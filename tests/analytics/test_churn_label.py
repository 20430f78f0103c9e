"""The churn label, stated once: an open lead went cold when it sent no text for the silence window after a
snapshot."""
from __future__ import annotations

import datetime as dt

from analytics.populations import churn_snapshot
from leads.models import Contact, Location
from tests.analytics.seeding import NOW, LeadSpec, exchange, seed_leads

WINDOW_DAYS = 14
AS_OF = NOW - dt.timedelta(days=WINDOW_DAYS)


def test_a_lead_that_texts_within_the_window_did_not_go_cold_and_one_that_did_not_did(alpha_realty: Location) -> None:
    before = AS_OF - dt.timedelta(days=3)
    kept_replying, went_cold, replied_too_late = seed_leads(alpha_realty, [
        LeadSpec(texts=[*exchange(before, [5]), ("inbound", "lead", AS_OF + dt.timedelta(days=13))],
                 created_at=before),
        LeadSpec(texts=exchange(before, [5]), created_at=before),
        LeadSpec(texts=[*exchange(before, [5]), ("inbound", "lead", AS_OF + dt.timedelta(days=15))],
                 created_at=before),
    ])

    snapshot = churn_snapshot(AS_OF, WINDOW_DAYS).set_index("contact_id")["went_cold"]

    assert snapshot.to_dict() == {kept_replying.pk: 0, went_cold.pk: 1, replied_too_late.pk: 1}


def test_leads_closed_opted_out_or_not_yet_talking_at_the_snapshot_are_left_out(alpha_realty: Location) -> None:
    before = AS_OF - dt.timedelta(days=3)
    won, opted_out, newer, never_texted, counted = seed_leads(alpha_realty, [
        LeadSpec(status="won", texts=exchange(before, [5]), created_at=before),
        LeadSpec(texts=exchange(before, [5]), created_at=before),
        LeadSpec(texts=exchange(AS_OF + dt.timedelta(days=1), [5]), created_at=AS_OF + dt.timedelta(days=1)),
        LeadSpec(texts=[], created_at=before),
        LeadSpec(texts=exchange(before, [5]), created_at=before),
    ])
    Contact.objects.filter(pk=opted_out.pk).update(opted_out_at=NOW)

    assert churn_snapshot(AS_OF, WINDOW_DAYS)["contact_id"].tolist() == [counted.pk]
