"""Sending again what failed or was parked: a broker retries failed and parked writes to GHL, an agent cannot; a
member has the bot answer a parked conversation again; whoever runs the install retries parked webhook events."""
from __future__ import annotations

from typing import Any

from django.utils import timezone

from leads.models import Contact, Conversation, OutboxMessage, WebhookEvent
from leads.services import MAX_EVENT_ATTEMPTS
from tests.admin.conftest import AdminAs
from tests.bots.test_failing_work import tasks_queued

OUTBOX = "/admin/leads/outboxmessage/"
EVENTS = "/admin/leads/webhookevent/"
LEADS = "/admin/leads/contact/"


def write(contact: Contact, key: str, status: str, **fields: Any) -> OutboxMessage:
    return OutboxMessage.objects.create(location=contact.location, contact=contact, kind="add_tags",
                                        idempotency_key=key, payload={"tags": ["TCPA-Opt-Out"]}, status=status,
                                        **fields)


def test_a_broker_sends_failed_and_parked_writes_again(
    admin_as: AdminAs, alpha_broker: Any, maria: Contact, django_capture_on_commit_callbacks: Any
) -> None:
    # given a write GHL refused past its budget, one parked, and one already sent
    failed = write(maria, "f", "failed", failures=40, failing_since=timezone.now(), status_reason="gave up")
    parked = write(maria, "p", "parked", failures=5)
    sent = write(maria, "s", "sent")

    # when the broker retries all three
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_as(alpha_broker).post(
            OUTBOX, {"action": "retry_deliveries", "_selected_action": [failed.pk, parked.pk, sent.pk]}
        )

    # then the failed and parked ones wait to go again as new, the sent one is untouched, and delivery is queued
    assert response.status_code == 302
    for row in (failed, parked):
        row.refresh_from_db()
        assert (row.status, row.failures, row.failing_since, row.next_attempt_at) == ("pending", 0, None, None)
    assert OutboxMessage.objects.get(pk=sent.pk).status == "sent"
    assert tasks_queued("deliver_outbox") == [maria.pk]


def test_an_agent_cannot_send_failed_writes_again(admin_as: AdminAs, alpha_agent: Any, maria: Contact) -> None:
    failed = write(maria, "f", "failed")

    admin_as(alpha_agent).post(OUTBOX, {"action": "retry_deliveries", "_selected_action": [failed.pk]})

    assert OutboxMessage.objects.get(pk=failed.pk).status == "failed"
    assert tasks_queued("deliver_outbox") == []


def test_a_broker_cannot_send_another_brokerage_s_failed_writes_again(
    admin_as: AdminAs, beta_broker: Any, maria: Contact
) -> None:
    failed = write(maria, "f", "failed")

    admin_as(beta_broker).post(OUTBOX, {"action": "retry_deliveries", "_selected_action": [failed.pk]})

    assert OutboxMessage.objects.get(pk=failed.pk).status == "failed"


def test_the_owner_retries_parked_webhook_events_only(admin_as: AdminAs, owner: Any) -> None:
    # given an event parked after failing too often, and one still being retried by the sweeper
    parked = WebhookEvent.objects.create(webhook_id="w-parked", event_type="InboundMessage", payload={},
                                         attempts=MAX_EVENT_ATTEMPTS, error="KeyError: 'x'")
    retrying = WebhookEvent.objects.create(webhook_id="w-retrying", event_type="InboundMessage", payload={},
                                           attempts=1, error="KeyError: 'x'")

    # when the owner retries both
    admin_as(owner).post(EVENTS, {"action": "retry_parked_events", "_selected_action": [parked.pk, retrying.pk]})

    # then the parked one has its attempts back and is on the worker's queue; the other is left to the sweeper
    assert WebhookEvent.objects.get(pk=parked.pk).attempts == 0
    assert WebhookEvent.objects.get(pk=retrying.pk).attempts == 1
    assert tasks_queued("handle_webhook_events", queue="webhooks") == [[parked.pk]]


def test_an_agent_has_the_bot_answer_a_parked_conversation_again(
    admin_as: AdminAs, alpha_agent: Any, maria: Contact
) -> None:
    # given maria's turn was parked after failing five times
    talk = Conversation.objects.create(contact=maria, failed_turns=5, turn_error="AttributeError: x",
                                       turn_parked_at=timezone.now())

    # when an agent asks for her texts to be answered again
    admin_as(alpha_agent).post(LEADS, {"action": "retry_parked_turns", "_selected_action": [maria.pk]})

    # then her conversation counts failures from zero, and its turn is on the bots' queue
    talk.refresh_from_db()
    assert (talk.failed_turns, talk.turn_parked_at, talk.turn_error) == (0, None, "")
    assert tasks_queued("take_turn") == [talk.pk]
