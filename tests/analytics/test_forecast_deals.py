"""GHL's opportunity webhooks keep each Deal current, even when GHL delivers them out of order."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from bots.events import apply_webhook_event
from leads.models import Contact, Deal, DealStatus, Location, WebhookEvent
from tests.conftest import PostWebhook
from tests.fakes import ghl_events

DEAL_ID = "DealMaria0000000001A"
T0 = dt.datetime(2026, 11, 1, 15, 0, tzinfo=dt.UTC)


def deliver(post_webhook: PostWebhook, payload: dict[str, Any]) -> None:
    """POST as GHL does, then apply the stored event as the worker would."""
    assert post_webhook(payload).status_code == 200
    for event in WebhookEvent.objects.filter(processed_at__isnull=True).order_by("pk"):
        apply_webhook_event(event.pk)


def opportunity(kind: str, at: dt.datetime, **fields: Any) -> dict[str, Any]:
    build = ghl_events.opportunity_create if kind == "create" else ghl_events.opportunity_status_update
    return build(opportunity_id=DEAL_ID, timestamp=ghl_events.iso(at), **fields)


def test_a_new_opportunity_becomes_an_open_deal_for_the_lead(maria: Contact, post_webhook: PostWebhook) -> None:
    deliver(post_webhook, opportunity("create", T0, status="open", monetary_value=540000))

    deal = Deal.objects.get(ghl_id=DEAL_ID)
    assert (deal.contact, deal.location_id, deal.status) == (maria, maria.location_id, DealStatus.OPEN)
    assert deal.value == Decimal("540000") and deal.pipeline_stage_id == ghl_events.PIPELINE_STAGE_ID
    assert deal.opened_at == T0 and deal.closed_at is None and deal.ghl_event_at == T0


def test_winning_the_deal_closes_it_and_marks_the_lead_won(maria: Contact, post_webhook: PostWebhook) -> None:
    deliver(post_webhook, opportunity("create", T0, status="open"))
    deliver(post_webhook, opportunity("update", T0 + dt.timedelta(days=30), status="won", monetary_value=560000))

    deal = Deal.objects.get(ghl_id=DEAL_ID)
    assert (deal.status, deal.value, deal.closed_at) == ("won", Decimal("560000"), T0 + dt.timedelta(days=30))
    maria.refresh_from_db()
    assert maria.status == "won"


def test_an_older_update_arriving_late_does_not_undo_a_newer_one(maria: Contact, post_webhook: PostWebhook) -> None:
    # given the deal was won, then reopened, and GHL delivers the reopening first
    deliver(post_webhook, opportunity("create", T0, status="open"))
    deliver(post_webhook, opportunity("update", T0 + dt.timedelta(days=3), status="open", pipeline_stage_id="Stage2"))

    # when the older "won" arrives late
    deliver(post_webhook, opportunity("update", T0 + dt.timedelta(days=2), status="won"))

    # then the deal and the lead stay as the newest event left them
    deal = Deal.objects.get(ghl_id=DEAL_ID)
    assert (deal.status, deal.pipeline_stage_id, deal.closed_at) == ("open", "Stage2", None)
    assert deal.ghl_event_at == T0 + dt.timedelta(days=3)
    maria.refresh_from_db()
    assert maria.status != "won"


def test_a_late_creation_still_dates_the_deal(maria: Contact, post_webhook: PostWebhook) -> None:
    deliver(post_webhook, opportunity("update", T0 + dt.timedelta(days=5), status="lost"))
    deliver(post_webhook, opportunity("create", T0, status="open"))

    deal = Deal.objects.get(ghl_id=DEAL_ID)
    assert (deal.status, deal.opened_at, deal.closed_at) == ("lost", T0, T0 + dt.timedelta(days=5))


def test_a_reopened_deal_is_open_again(maria: Contact, post_webhook: PostWebhook) -> None:
    deliver(post_webhook, opportunity("update", T0, status="abandoned"))
    deliver(post_webhook, opportunity("update", T0 + dt.timedelta(hours=1), status="open"))

    deal = Deal.objects.get(ghl_id=DEAL_ID)
    assert (deal.status, deal.closed_at) == ("open", None)


def test_deals_of_another_location_keep_their_own_ids(
    alpha_realty: Location, beta_homes: Location, maria: Contact, post_webhook: PostWebhook
) -> None:
    deliver(post_webhook, opportunity("create", T0, status="open"))
    Deal.objects.create(location=beta_homes, contact=Contact.objects.create(location=beta_homes, ghl_id="B1"),
                        ghl_id=DEAL_ID, pipeline_id="P")

    assert Deal.objects.filter(ghl_id=DEAL_ID).count() == 2
