"""One inbound SMS, end to end: signed webhook → PostgreSQL → a real Celery worker → the fake GHL.

The worker is a separate process (tests/conftest.py), so these tests commit their data and wait
for effects at the fake GHL, never for function calls.
"""
from __future__ import annotations

import datetime as dt
import json
import threading
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from bots.tasks import sweep_stuck_work
from leads.models import Contact, Location, Message, OutboxMessage, WebhookEvent
from tests.conftest import PostWebhook, WorkerProcess, wait_for, wait_until_nothing_left_to_do
from tests.fakes import ghl_events
from tests.fakes.ghl import FakeGHL

pytestmark = pytest.mark.worker

CONTACT = ghl_events.CONTACT_ID


def ghl_knows_maria(fake: FakeGHL, tags: list[str] | None = None, **fields: Any) -> None:
    fake.contacts[CONTACT] = {
        "id": CONTACT,
        "locationId": ghl_events.LOCATION_ID,
        "firstName": "Maria",
        "lastName": "Lopez",
        "phone": ghl_events.PHONE,
        "tags": tags or [],
        "timezone": "America/Chicago",
        **fields,
    }


def all_outbox_settled() -> bool:
    waiting = OutboxMessage.objects.filter(status__in=["pending", "sending"])
    return OutboxMessage.objects.exists() and not waiting.exists()



def test_a_lead_who_wants_to_sell_gets_one_text_asking_for_the_address(
    celery_worker: WorkerProcess, fake_ghl: FakeGHL, alpha_realty: Location, post_webhook: PostWebhook
) -> None:
    # given a lead we have never seen, whom GHL knows
    ghl_knows_maria(fake_ghl, tags=["lead-bot"])

    # when she texts that she wants to sell
    response = post_webhook(ghl_events.inbound_message(body="Hi, I want to sell my house"))

    # then exactly one text asks for the address, and the tags move her to the seller bot
    assert response.status_code == 200
    wait_for(lambda: fake_ghl.sms_sent(CONTACT))
    wait_for(all_outbox_settled)
    wait_until_nothing_left_to_do()
    texts = fake_ghl.sms_sent(CONTACT)
    assert len(texts) == 1
    assert "address" in texts[0].lower()
    assert fake_ghl.tags_added(CONTACT) == ["Needs Qualifying"]
    assert fake_ghl.tags_removed(CONTACT) == ["lead-bot"]
    assert len(fake_ghl.calls_to("GET", f"/contacts/{CONTACT}")) == 1
    contact = Contact.objects.get(ghl_id=CONTACT)
    assert contact.first_name == "Maria"
    assert contact.active_bot == "seller"
    assert Message.objects.get(direction="inbound").answered_at is not None
    assert WebhookEvent.objects.get().processed_at is not None


def test_a_buyer_is_asked_for_the_area_and_tagged_buyer(
    celery_worker: WorkerProcess, fake_ghl: FakeGHL, maria: Contact, post_webhook: PostWebhook
) -> None:
    post_webhook(ghl_events.inbound_message(body="Looking to buy a 3 bedroom home"))

    wait_for(all_outbox_settled)
    wait_until_nothing_left_to_do()
    assert len(fake_ghl.sms_sent(CONTACT)) == 1
    assert fake_ghl.tags_added(CONTACT) == ["Buyer-Lead"]


def test_the_same_webhook_delivered_twice_or_racing_gives_one_text(
    celery_worker: WorkerProcess, fake_ghl: FakeGHL, maria: Contact, post_webhook: PostWebhook
) -> None:
    # given one webhook
    payload = ghl_events.inbound_message(body="I want to sell my house")
    body, headers = ghl_events.signed_body(payload)

    # when GHL delivers it twice in a row, then twice more at the same moment
    post_webhook(payload)
    post_webhook(payload)
    statuses: list[int] = []

    def deliver() -> None:
        try:
            response = Client().post(
                "/webhooks/ghl/", data=body, content_type="application/json",
                HTTP_X_GHL_SIGNATURE=headers["x-ghl-signature"],
            )
            statuses.append(response.status_code)
        finally:
            connection.close()

    racers = [threading.Thread(target=deliver) for _ in range(2)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()

    # then every delivery is acknowledged and the lead gets one text
    assert statuses == [200, 200]
    wait_for(all_outbox_settled)
    wait_until_nothing_left_to_do()
    assert len(fake_ghl.sms_sent(CONTACT)) == 1
    assert WebhookEvent.objects.count() == 1


def test_a_burst_of_texts_gets_one_answer(
    celery_worker: WorkerProcess, fake_ghl: FakeGHL, maria: Contact, post_webhook: PostWebhook
) -> None:
    # when three texts arrive within the debounce window
    for body in ["Hi", "it's Maria", "I'm thinking about selling my house"]:
        post_webhook(ghl_events.inbound_message(body=body))

    # then one reply answers all three, read together
    wait_for(all_outbox_settled)
    wait_until_nothing_left_to_do()
    texts = fake_ghl.sms_sent(CONTACT)
    assert len(texts) == 1
    assert "address" in texts[0].lower()
    assert not Message.objects.filter(direction="inbound", answered_at__isnull=True).exists()


def test_ghl_429_then_success_sends_once(
    celery_worker: WorkerProcess, fake_ghl: FakeGHL, maria: Contact, post_webhook: PostWebhook
) -> None:
    fake_ghl.fail_next(429, times=1, headers={"Retry-After": "0"}, path_prefix="/conversations/messages")

    post_webhook(ghl_events.inbound_message(body="I want to sell"))

    wait_for(all_outbox_settled)
    wait_until_nothing_left_to_do()
    attempts = fake_ghl.calls_to("POST", "/conversations/messages")
    assert [call.status for call in attempts] == [429, 201]
    assert len(fake_ghl.sms_sent(CONTACT)) == 1
    assert OutboxMessage.objects.get(kind="sms").status == "sent"


def test_ghl_500_until_the_last_attempt_fails_the_text_and_tags_delivery_failed(
    celery_worker: WorkerProcess, fake_ghl: FakeGHL, maria: Contact, post_webhook: PostWebhook
) -> None:
    # given GHL answers 500 to every text (the worker retries for its budget of about two seconds)
    fake_ghl.fail_next(500, times=100, path_prefix="/conversations/messages")

    # when the lead texts
    post_webhook(ghl_events.inbound_message(body="I want to sell"))

    # then the text is kept as failed with its reason, and the contact is tagged in GHL and here
    text = wait_for(lambda: OutboxMessage.objects.filter(kind="sms", status="failed").first(), timeout=30)
    assert text.status_reason.startswith("gave up after ")
    assert text.body
    wait_for(lambda: "Delivery-Failed" in fake_ghl.tags_added(CONTACT), timeout=30)
    assert Contact.objects.get(pk=maria.pk).has_tag("Delivery-Failed")
    assert fake_ghl.sms_sent(CONTACT) == []
    assert Message.objects.get(direction="inbound").body == "I want to sell"


def test_a_worker_killed_mid_turn_completes_the_turn_once_on_redelivery(
    celery_worker: WorkerProcess, fake_ghl: FakeGHL, alpha_realty: Location, post_webhook: PostWebhook
) -> None:
    # given the only worker is in the middle of a turn (GHL is slow to answer the contact lookup)
    ghl_knows_maria(fake_ghl)
    fake_ghl.delay_seconds = 3.0
    post_webhook(ghl_events.inbound_message(body="I want to sell my house"))
    wait_for(lambda: fake_ghl.calls_to("GET", f"/contacts/{CONTACT}"), timeout=10)

    # when it is killed outright, and a new worker starts
    celery_worker.kill()
    fake_ghl.delay_seconds = 0.0
    assert fake_ghl.sms_sent(CONTACT) == []
    celery_worker.start()

    # then the task comes back (after the broker's visibility timeout) and the turn completes once
    wait_for(lambda: fake_ghl.sms_sent(CONTACT), timeout=40)
    wait_for(all_outbox_settled)
    wait_until_nothing_left_to_do()
    assert len(fake_ghl.sms_sent(CONTACT)) == 1
    assert Message.objects.get(direction="inbound").answered_at is not None


def test_stop_gets_one_confirmation_and_then_silence(
    celery_worker: WorkerProcess, fake_ghl: FakeGHL, maria: Contact, post_webhook: PostWebhook
) -> None:
    # when the lead texts STOP
    post_webhook(ghl_events.inbound_message(body="STOP"))

    # then one confirmation, the opt-out tags, and DND set in GHL
    wait_for(all_outbox_settled)
    wait_until_nothing_left_to_do()
    assert len(fake_ghl.sms_sent(CONTACT)) == 1
    assert set(fake_ghl.tags_added(CONTACT)) == {"TCPA-Opt-Out", "AI-Off"}
    dnd_writes = [c.json for c in fake_ghl.calls_to("PUT", f"/contacts/{CONTACT}") if c.json and "dnd" in c.json]
    assert dnd_writes and dnd_writes[0]["dnd"] is True

    # and when she texts again, nothing is sent
    post_webhook(ghl_events.inbound_message(body="I want to sell my house"))
    wait_for(lambda: not Message.objects.filter(direction="inbound", answered_at__isnull=True).exists())
    wait_until_nothing_left_to_do()
    assert len(fake_ghl.sms_sent(CONTACT)) == 1


def test_a_human_text_in_ghl_puts_the_bot_to_sleep(
    celery_worker: WorkerProcess, fake_ghl: FakeGHL, maria: Contact, post_webhook: PostWebhook
) -> None:
    # given an agent texted the lead from GHL
    post_webhook(
        ghl_events.outbound_message(
            body="Hi Maria, this is Jenna from the office.", user_id=ghl_events.AGENT_USER_ID, source="app"
        )
    )
    wait_for(lambda: Contact.objects.get(pk=maria.pk).bot_paused_until)

    # when the lead answers
    post_webhook(ghl_events.inbound_message(body="I want to sell my house"))

    # then the bot stays quiet
    wait_for(lambda: not Message.objects.filter(direction="inbound", answered_at__isnull=True).exists())
    wait_until_nothing_left_to_do()
    assert fake_ghl.sms_sent(CONTACT) == []
    assert Message.objects.get(direction="outbound").sender == "human"


def test_out_of_order_contact_events_keep_the_newest_tags(
    celery_worker: WorkerProcess, fake_ghl: FakeGHL, maria: Contact, post_webhook: PostWebhook
) -> None:
    # given the newer event (AI-Off added) arrives before an older one (no tags)
    now = timezone.now()
    post_webhook(ghl_events.contact_tag_update(tags=["AI-Off"], timestamp=ghl_events.iso(now)))
    post_webhook(ghl_events.contact_update(tags=[], timestamp=ghl_events.iso(now - dt.timedelta(minutes=5))))
    wait_for(lambda: not WebhookEvent.objects.filter(processed_at__isnull=True).exists())

    # when the lead texts
    post_webhook(ghl_events.inbound_message(body="I want to sell my house"))

    # then AI-Off still holds: no reply
    wait_for(lambda: not Message.objects.filter(direction="inbound", answered_at__isnull=True).exists())
    wait_until_nothing_left_to_do()
    assert Contact.objects.get(pk=maria.pk).tags == ["AI-Off"]
    assert fake_ghl.sms_sent(CONTACT) == []


def test_sms_do_not_disturb_from_ghl_silences_the_bot(
    celery_worker: WorkerProcess, fake_ghl: FakeGHL, maria: Contact, post_webhook: PostWebhook
) -> None:
    post_webhook(ghl_events.contact_dnd_update(dnd=True))
    wait_for(lambda: Contact.objects.get(pk=maria.pk).dnd_sms)

    post_webhook(ghl_events.inbound_message(body="I want to sell my house"))

    wait_for(lambda: not Message.objects.filter(direction="inbound", answered_at__isnull=True).exists())
    wait_until_nothing_left_to_do()
    assert fake_ghl.sms_sent(CONTACT) == []


def test_the_sweeper_finds_an_event_whose_enqueue_was_lost(
    celery_worker: WorkerProcess, fake_ghl: FakeGHL, maria: Contact, settings: Any
) -> None:
    # given an event stored but never enqueued (a crash between commit and publish)
    payload = ghl_events.inbound_message(body="I want to sell my house")
    WebhookEvent.objects.create(
        webhook_id=payload["webhookId"], event_type="InboundMessage", location_id=maria.location_id,
        message_id=payload["messageId"], payload=payload, received_at=timezone.now() - dt.timedelta(minutes=5),
    )

    # when the sweeper runs
    swept = sweep_stuck_work()

    # then the lead is answered
    assert swept["events"] == 1
    wait_for(lambda: fake_ghl.sms_sent(CONTACT))
    assert len(fake_ghl.sms_sent(CONTACT)) == 1


def test_a_workflow_custom_webhook_with_a_reply_is_answered(
    celery_worker: WorkerProcess, fake_ghl: FakeGHL, maria: Contact, client: Client, settings: Any
) -> None:
    # given a single-location install, whose GHL workflow posts the lead's reply (snake_case, tags as one string)
    settings.GHL_LOCATION_ID = maria.location_id
    payload = ghl_events.workflow_webhook(message_body="Looking to buy in Etiwanda", tags=("lead-bot", "Facebook Ad"))

    # when it arrives with the shared secret
    response = client.post(
        "/webhooks/ghl/workflow/", data=json.dumps(payload), content_type="application/json",
        HTTP_X_WEBHOOK_SECRET="workflow-secret-for-tests",
    )

    # then the buyer bot is chosen and one text goes out
    assert response.status_code == 200
    wait_for(all_outbox_settled)
    wait_until_nothing_left_to_do()
    assert len(fake_ghl.sms_sent(CONTACT)) == 1
    assert fake_ghl.tags_added(CONTACT) == ["Buyer-Lead"]
    assert Contact.objects.get(pk=maria.pk).tags == ["Facebook Ad", "Buyer-Lead"]
