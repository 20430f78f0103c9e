"""A lead's data: exported as JSON, then erased, leaving a silent tombstone that GHL's events do not refill."""
from __future__ import annotations

import json
from typing import Any

from django.test import Client
from django.utils import timezone

from bots import services
from bots.models import Draft, FollowUp
from leads.ghl import events as ghl_events
from leads.models import Contact, Conversation, Message, OutboxMessage, WebhookEvent
from leads.privacy import erase_contact, export_contact_data
from leads.services import apply_contact_event
from tests.fakes import ghl_events as fake_events
from tests.safety.conftest import text_from


def _lead_with_history(contact: Contact) -> None:
    message = text_from(contact, "I want to sell 123 Main St")
    services.take_turn(message.conversation_id)
    payload = fake_events.inbound_message(body="I want to sell 123 Main St")
    WebhookEvent.objects.create(webhook_id=payload["webhookId"], event_type="InboundMessage",
                                location_id=contact.location_id, message_id=payload["messageId"], payload=payload)
    Draft.objects.create(location=contact.location, contact=contact, bot="seller", idempotency_key="k:draft",
                         body="A draft")


def test_the_export_holds_the_contact_texts_state_and_writes(maria: Contact) -> None:
    _lead_with_history(maria)
    exported = json.loads(export_contact_data(maria))
    assert exported["contact"]["phone"] == maria.phone
    assert [m["body"] for m in exported["messages"]] == ["I want to sell 123 Main St"]
    assert exported["conversation"]["state"]["bot"] == "seller"
    assert exported["writes_to_ghl"] and exported["follow_ups"] and exported["drafts"]


def test_erasing_removes_every_copy_and_keeps_a_silent_tombstone(maria: Contact) -> None:
    # given a lead with texts, state, outbox rows, follow-ups, a draft and the raw webhook
    _lead_with_history(maria)

    # when her data is erased
    erased = erase_contact(maria)

    # then nothing of hers is left but an id the bot will never text
    assert erased.messages == 1 and erased.webhook_events == 1 and erased.drafts == 1 and erased.outbox_rows > 0
    assert not Message.objects.exists() and not Conversation.objects.exists()
    assert not OutboxMessage.objects.filter(contact=maria).exists()
    assert not FollowUp.objects.filter(contact=maria).exists() and not WebhookEvent.objects.exists()
    maria.refresh_from_db()
    assert (maria.first_name, maria.phone, maria.tags, maria.custom_fields) == ("", "", [], {})
    assert maria.erased_at and maria.opted_out_at and maria.deleted_at
    assert erase_contact(maria).messages == 0


def test_ghl_events_about_an_erased_lead_do_not_bring_her_data_back(maria: Contact) -> None:
    erase_contact(maria)
    event = ghl_events.parse_event(fake_events.contact_update(first_name="Maria", timestamp=fake_events.iso(
        timezone.now())))
    assert isinstance(event, ghl_events.ContactEvent)
    apply_contact_event(maria.location, event)
    maria.refresh_from_db()
    assert maria.first_name == ""


def test_a_broker_downloads_the_copy_and_erases_from_the_admin(maria: Contact, alpha_broker: Any, client: Client
                                                              ) -> None:
    _lead_with_history(maria)
    client.force_login(alpha_broker)
    response = client.post("/admin/leads/contact/", {"action": "export_and_erase", "_selected_action": [maria.pk]})
    assert response.status_code == 200
    assert json.loads(response.content)["contact"]["ghl_id"] == maria.ghl_id
    maria.refresh_from_db()
    assert maria.erased_at is not None


def test_an_agent_cannot_erase(maria: Contact, alpha_agent: Any, client: Client) -> None:
    client.force_login(alpha_agent)
    client.post("/admin/leads/contact/", {"action": "export_and_erase", "_selected_action": [maria.pk]})
    maria.refresh_from_db()
    assert maria.erased_at is None
