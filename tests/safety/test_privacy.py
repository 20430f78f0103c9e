"""A lead's data: exported as JSON, then erased, leaving a silent tombstone that GHL's events do not refill."""
from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.utils import timezone

from analytics.models import ChurnPrediction
from analytics.services import override_score
from audit.models import AuditAction, Channel
from audit.services import Actor, record_action
from bots import events as bot_events
from bots import services
from bots.models import Draft, FollowUp
from leads.ghl import events as ghl_events
from leads.models import Contact, Conversation, Location, Message, OutboxMessage, WebhookEvent
from leads.privacy import erase_contact, export_contact_data
from leads.services import apply_contact_event
from tests.conftest import post_webhook_through
from tests.fakes import ghl_events as fake_events
from tests.leads.wsgi_client import WsgiClient
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


# -- nothing of an erased lead is left anywhere -------------------------------------------------------------------

ZOE = {"contact_id": "ZoeGhlContact00001A0", "first_name": "Zelphine", "last_name": "Quarrington",
       "phone": "+15125550987", "email": "zelphine.q@example.org"}


def _what_identifies_zoe() -> list[str]:
    """Her name, phone (as GHL writes it, and its ten digits) and email: none may be found after the erase."""
    return [ZOE["first_name"], ZOE["last_name"], ZOE["phone"], ZOE["phone"][-10:], ZOE["email"]]


def _apply_signed(payload: dict[str, Any]) -> None:
    """A signed webhook as the doors store it, applied as the worker would."""
    response = post_webhook_through(Client())(payload)
    assert response.json() == {"status": "accepted"}, response.content
    bot_events.apply_webhook_event(WebhookEvent.objects.latest("id").pk)


@pytest.fixture
def zoe(alpha_realty: Location, alpha_broker: Any) -> Contact:
    """A lead with a full history: GHL's contact and deal events, texts and a bot turn, a draft, a note to GHL, a
    broker's score override, a churn prediction, and the admin's log of a broker looking after her."""
    _apply_signed(fake_events.contact_create(**ZOE))
    contact = Contact.objects.get(ghl_id=ZOE["contact_id"])
    Contact.objects.filter(pk=contact.pk).update(synced_at=timezone.now())  # the contact event told us all of her
    _apply_signed(fake_events.opportunity_create(contact_id=ZOE["contact_id"], name="Zelphine Quarrington - 9 Vine"))
    _apply_signed(fake_events.inbound_message(contact_id=ZOE["contact_id"], phone=ZOE["phone"],
                                              body="Zelphine here, email me at zelphine.q@example.org"))
    services.take_turn(Conversation.objects.get(contact=contact).pk)
    Draft.objects.create(location=alpha_realty, contact=contact, bot="seller", idempotency_key="k:zoe",
                         body="Hi Zelphine, what is the address?")
    OutboxMessage.objects.create(location=alpha_realty, contact=contact, kind="add_note", idempotency_key="k:note",
                                 body="Zelphine Quarrington asked for a call", payload={"email": ZOE["email"]})
    override_score(contact, 90, "Zelphine Quarrington is pre-approved, +15125550987", alpha_broker)
    ChurnPrediction.objects.create(contact=contact, location=alpha_realty, probability=0.8, tier="high",
                                   horizon_days=14, reasons=["Zelphine went quiet"],
                                   recommended_action="Call Zelphine at +15125550987")
    LogEntry.objects.create(user=alpha_broker, content_type=ContentType.objects.get_for_model(Contact),
                            object_id=str(contact.pk), object_repr=str(contact), action_flag=CHANGE,
                            change_message=f"Called {ZOE['phone']}")
    record_action(Actor(alpha_broker, Channel.ADMIN), AuditAction.DRAFT_APPROVED, location_id=alpha_realty.pk,
                  lead=contact, changes={"text": ["Hi Zelphine", "Hi Zelphine Quarrington"]},
                  summary=f"edited for {ZOE['email']}")
    contact.refresh_from_db()
    return contact


def _rows_naming(value: str) -> list[str]:
    """Every table.column of the database (found by introspection, not listed by hand) holding `value` in a text,
    character, JSON or array column."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' AND "
            "data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY')"
        )
        columns = cursor.fetchall()
        found = []
        for table, column in columns:
            cursor.execute(f'SELECT count(*) FROM "{table}" WHERE "{column}"::text ILIKE %s', [f"%{value}%"])
            if cursor.fetchone()[0]:
                found.append(f"{table}.{column}")
    return found


def test_after_an_erase_no_column_of_any_table_holds_her_name_phone_or_email(zoe: Contact) -> None:
    # given her data is in many tables
    assert {"leads_contact.first_name", "leads_webhookevent.payload", "analytics_scoreoverride.reason",
            "django_admin_log.object_repr", "audit_auditentry.changes"} <= set(_rows_naming(ZOE["first_name"]))

    # when she asks to be erased
    erase_contact(zoe)

    # then nothing identifies her anywhere
    assert {value: _rows_naming(value) for value in _what_identifies_zoe()} == {
        value: [] for value in _what_identifies_zoe()}
    zoe.refresh_from_db()
    assert zoe.erased_at is not None and zoe.ghl_id == ZOE["contact_id"]


@pytest.mark.parametrize("door", ["django_view", "wsgi_fast_path"])
def test_later_events_about_an_erased_lead_are_answered_200_and_not_stored(
    maria: Contact, door: str, client: Client
) -> None:
    erase_contact(maria)
    post = post_webhook_through(client if door == "django_view" else WsgiClient())

    texted = post(fake_events.inbound_message(body="Hi, it's Maria Lopez again"))
    edited = post(fake_events.contact_update(first_name="Maria"))

    assert texted.status_code == edited.status_code == 200
    assert not WebhookEvent.objects.exists() and not Message.objects.exists()


def test_an_event_stored_just_before_the_erase_is_dropped_by_the_worker(maria: Contact) -> None:
    # given a text GHL delivered just before the erase (stored, not yet applied)
    post_webhook_through(Client())(fake_events.inbound_message(body="Call me at 512-555-0143"))
    event = WebhookEvent.objects.get()

    # when the lead is erased, then the worker gets to it
    erase_contact(maria)
    WebhookEvent.objects.bulk_create([WebhookEvent(webhook_id="late", event_type="InboundMessage",
                                                   location_id=maria.location_id, payload=event.payload)])
    bot_events.apply_webhook_event(WebhookEvent.objects.get().pk)

    # then nothing of it is kept
    assert not WebhookEvent.objects.exists() and not Message.objects.exists()
