"""GHL's webhook payloads become typed events, and bad ones are refused with the field's name."""

import dataclasses
import pickle
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from leads.ghl.events import (
    AppointmentCreate,
    ContactCreate,
    ContactDelete,
    ContactDndUpdate,
    ContactEvent,
    ContactTagUpdate,
    ContactUpdate,
    InboundMessage,
    MalformedEvent,
    OpportunityCreate,
    OpportunityStatus,
    OpportunityStatusUpdate,
    OutboundMessage,
    UnknownEvent,
    WorkflowEvent,
    parse_event,
    parse_workflow_event,
)
from tests.fakes import ghl_events


def _malformed(payload: dict[str, Any]) -> MalformedEvent:
    with pytest.raises(MalformedEvent) as caught:
        parse_event(payload)
    return caught.value


# marketplace events, one per type we act on


def test_an_inbound_text_parses_into_an_inbound_message() -> None:
    sent_at = datetime(2025, 3, 4, 15, 30, 12, 250000, tzinfo=UTC)
    payload = ghl_events.inbound_message(
        body="Is 412 Maple still for sale?", message_id="MsgFromMaria0000001A", date_added=sent_at
    )

    event = parse_event(payload)

    assert isinstance(event, InboundMessage)
    assert event.type == "InboundMessage"
    assert event.location_id == ghl_events.LOCATION_ID
    assert event.webhook_id == payload["webhookId"]
    assert event.contact_id == ghl_events.CONTACT_ID
    assert event.conversation_id == ghl_events.CONVERSATION_ID
    assert event.message_id == "MsgFromMaria0000001A"
    assert event.message_type == "SMS"
    assert event.direction == "inbound"
    assert event.body == "Is 412 Maple still for sale?"
    assert event.attachments == ()
    assert event.date_added == sent_at
    assert event.user_id is None


def test_an_inbound_photo_keeps_its_attachments() -> None:
    payload = ghl_events.inbound_message(body="", attachments=["https://cdn.example.com/kitchen.jpg"])

    event = parse_event(payload)

    assert isinstance(event, InboundMessage)
    assert event.body == ""
    assert event.attachments == ("https://cdn.example.com/kitchen.jpg",)


def test_an_inbound_call_without_a_body_parses_with_an_empty_body() -> None:
    payload = ghl_events.inbound_message(message_type="CALL")
    del payload["body"]

    event = parse_event(payload)

    assert isinstance(event, InboundMessage)
    assert event.body == ""
    assert event.message_type == "CALL"


def test_an_outbound_message_from_an_agent_carries_their_user_id() -> None:
    payload = ghl_events.outbound_message(user_id=ghl_events.AGENT_USER_ID, source="app")

    event = parse_event(payload)

    assert isinstance(event, OutboundMessage)
    assert event.direction == "outbound"
    assert event.user_id == ghl_events.AGENT_USER_ID
    assert event.source == "app"


def test_an_outbound_message_sent_through_the_api_has_no_user_id() -> None:
    event = parse_event(ghl_events.outbound_message())

    assert isinstance(event, OutboundMessage)
    assert event.user_id is None
    assert event.source == "api"


@pytest.mark.parametrize(
    ("builder", "event_class"),
    [
        (ghl_events.contact_create, ContactCreate),
        (ghl_events.contact_update, ContactUpdate),
        (ghl_events.contact_delete, ContactDelete),
        (ghl_events.contact_tag_update, ContactTagUpdate),
        (ghl_events.contact_dnd_update, ContactDndUpdate),
    ],
)
def test_every_contact_event_parses_into_its_own_class(
    builder: Callable[..., dict[str, Any]], event_class: type[ContactEvent]
) -> None:
    event = parse_event(builder())

    assert type(event) is event_class
    assert event.contact_id == ghl_events.CONTACT_ID
    assert event.first_name == "Maria"
    assert event.last_name == "Lopez"
    assert event.phone == ghl_events.PHONE
    assert event.email == ghl_events.EMAIL
    assert event.timezone == "America/Chicago"
    assert event.source == "zillow"


def test_a_tag_update_carries_the_full_tag_list_and_custom_fields() -> None:
    payload = ghl_events.contact_tag_update(
        tags=["Seller-Lead", "AI-Off"], custom_fields={"motivationFieldId": "relocating", "bedsFieldId": 3}
    )

    event = parse_event(payload)

    assert isinstance(event, ContactTagUpdate)
    assert event.tags == ("Seller-Lead", "AI-Off")
    assert event.custom_fields == {"motivationFieldId": "relocating", "bedsFieldId": 3}


def test_a_stop_reply_shows_as_sms_dnd() -> None:
    event = parse_event(ghl_events.contact_dnd_update(dnd=False, dnd_channels=["SMS"]))

    assert isinstance(event, ContactDndUpdate)
    assert event.dnd is False
    assert event.dnd_settings["SMS"].status == "active"
    assert event.dnd_settings["SMS"].code == "103"
    assert event.dnd_settings["Email"].status == "inactive"
    assert event.sms_dnd is True


def test_global_dnd_blocks_sms_too() -> None:
    event = parse_event(ghl_events.contact_dnd_update(dnd=True, dnd_channels=[]))

    assert isinstance(event, ContactDndUpdate)
    assert event.sms_dnd is True


def test_a_contact_without_dnd_fields_is_not_dnd() -> None:
    payload = ghl_events.contact_update()
    del payload["dnd"]
    del payload["dndSettings"]

    event = parse_event(payload)

    assert isinstance(event, ContactUpdate)
    assert event.dnd is False
    assert event.dnd_settings == {}
    assert event.sms_dnd is False


def test_blank_contact_fields_read_as_absent() -> None:
    payload = ghl_events.contact_create(email="", last_name="")

    event = parse_event(payload)

    assert isinstance(event, ContactCreate)
    assert event.email is None
    assert event.last_name is None


def test_a_new_opportunity_parses_with_an_exact_deal_value() -> None:
    payload = ghl_events.opportunity_create(monetary_value=13500.1, opportunity_id="DealMaria0000000001A")

    event = parse_event(payload)

    assert isinstance(event, OpportunityCreate)
    assert event.opportunity_id == "DealMaria0000000001A"
    assert event.contact_id == ghl_events.CONTACT_ID
    assert event.pipeline_id == ghl_events.PIPELINE_ID
    assert event.pipeline_stage_id == ghl_events.PIPELINE_STAGE_ID
    assert event.status is OpportunityStatus.OPEN
    assert event.monetary_value == Decimal("13500.1")
    assert event.assigned_to == ghl_events.AGENT_USER_ID


@pytest.mark.parametrize("status", ["open", "won", "lost", "abandoned"])
def test_an_opportunity_status_update_parses_every_status(status: str) -> None:
    event = parse_event(ghl_events.opportunity_status_update(status=status))

    assert isinstance(event, OpportunityStatusUpdate)
    assert event.status == status


def test_an_opportunity_without_a_value_has_none() -> None:
    payload = ghl_events.opportunity_status_update()
    del payload["monetaryValue"]

    event = parse_event(payload)

    assert isinstance(event, OpportunityStatusUpdate)
    assert event.monetary_value is None


def test_a_booked_appointment_parses_with_its_slot() -> None:
    start = datetime(2025, 3, 5, 15, 0, tzinfo=UTC)
    payload = ghl_events.appointment_create(start_time=start, appointment_id="ApptMaria0000000001A")

    event = parse_event(payload)

    assert isinstance(event, AppointmentCreate)
    assert event.appointment.appointment_id == "ApptMaria0000000001A"
    assert event.appointment.calendar_id == ghl_events.CALENDAR_ID
    assert event.appointment.contact_id == ghl_events.CONTACT_ID
    assert event.appointment.start_time == start
    assert event.appointment.end_time == start + timedelta(minutes=30)
    assert event.appointment.appointment_status == "confirmed"


def test_an_event_type_we_do_not_handle_becomes_an_unknown_event() -> None:
    payload = {"type": "NoteCreate", "locationId": ghl_events.LOCATION_ID, "webhookId": "wh-1", "body": "x"}

    event = parse_event(payload)

    assert isinstance(event, UnknownEvent)
    assert event.type == "NoteCreate"
    assert event.location_id == ghl_events.LOCATION_ID
    assert event.webhook_id == "wh-1"
    assert event.payload == payload


def test_an_agency_event_without_a_location_is_still_acknowledged() -> None:
    event = parse_event({"type": "LocationCreate", "id": "NewLocation00000001A", "companyId": "Agency1"})

    assert isinstance(event, UnknownEvent)
    assert event.location_id is None
    assert event.webhook_id.startswith("sha256:")


def test_events_are_immutable() -> None:
    event = parse_event(ghl_events.inbound_message())

    with pytest.raises(dataclasses.FrozenInstanceError):
        event.body = "changed"  # type: ignore[misc]


# identity for dedupe


def test_an_event_without_a_webhook_id_gets_a_stable_hash_of_its_content() -> None:
    payload = ghl_events.inbound_message()
    del payload["webhookId"]
    same_payload_reordered = dict(reversed(list(payload.items())))

    first = parse_event(payload)
    again = parse_event(same_payload_reordered)
    other = parse_event({**payload, "body": "different"})

    assert first.webhook_id.startswith("sha256:")
    assert len(first.webhook_id) == len("sha256:") + 64
    assert again.webhook_id == first.webhook_id
    assert other.webhook_id != first.webhook_id


def test_builders_give_every_delivery_its_own_webhook_and_message_ids() -> None:
    deliveries = [ghl_events.inbound_message() for _ in range(50)]

    assert len({payload["webhookId"] for payload in deliveries}) == 50
    assert len({payload["messageId"] for payload in deliveries}) == 50


# timestamps


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2025-03-04T15:30:12.250Z", datetime(2025, 3, 4, 15, 30, 12, 250000, tzinfo=UTC)),
        ("2025-03-04T21:00:12+05:30", datetime(2025, 3, 4, 15, 30, 12, tzinfo=UTC)),
        ("2025-03-04T15:30:12", datetime(2025, 3, 4, 15, 30, 12, tzinfo=UTC)),
        (1741102212250, datetime(2025, 3, 4, 15, 30, 12, 250000, tzinfo=UTC)),
        ("1741102212250", datetime(2025, 3, 4, 15, 30, 12, 250000, tzinfo=UTC)),
    ],
)
def test_timestamps_become_aware_datetimes(raw: object, expected: datetime) -> None:
    event = parse_event(ghl_events.contact_update(timestamp=raw))

    assert event.timestamp == expected
    assert event.timestamp is not None and event.timestamp.tzinfo is not None


def test_a_missing_timestamp_falls_back_to_date_added() -> None:
    payload = ghl_events.inbound_message(date_added=datetime(2025, 3, 4, 15, 30, tzinfo=UTC))
    del payload["timestamp"]

    event = parse_event(payload)

    assert event.timestamp == datetime(2025, 3, 4, 15, 30, tzinfo=UTC)


@pytest.mark.parametrize("raw", ["yesterday", "2025-13-45T99:00:00Z", True, ["2025-03-04"]])
def test_an_unreadable_timestamp_is_malformed(raw: object) -> None:
    error = _malformed(ghl_events.contact_update(timestamp=raw))

    assert error.field == "timestamp"


# malformed payloads


def test_a_body_that_is_not_an_object_is_malformed() -> None:
    with pytest.raises(MalformedEvent, match="must be a JSON object"):
        parse_event(["InboundMessage"])  # type: ignore[arg-type]


def test_a_payload_without_a_type_is_malformed() -> None:
    payload = ghl_events.inbound_message()
    del payload["type"]

    error = _malformed(payload)

    assert error.field == "type"
    assert str(error) == "webhook: field 'type' is missing or empty"


@pytest.mark.parametrize(
    ("builder", "field"),
    [
        (ghl_events.inbound_message, "locationId"),
        (ghl_events.inbound_message, "contactId"),
        (ghl_events.inbound_message, "conversationId"),
        (ghl_events.inbound_message, "messageId"),
        (ghl_events.inbound_message, "messageType"),
        (ghl_events.outbound_message, "messageId"),
        (ghl_events.contact_tag_update, "id"),
        (ghl_events.contact_dnd_update, "locationId"),
        (ghl_events.opportunity_create, "contactId"),
        (ghl_events.opportunity_status_update, "pipelineId"),
        (ghl_events.opportunity_status_update, "status"),
        (ghl_events.appointment_create, "appointment"),
    ],
)
def test_a_missing_required_field_is_named(builder: Callable[..., dict[str, Any]], field: str) -> None:
    payload = builder()
    del payload[field]

    error = _malformed(payload)

    assert error.field == field
    assert f"field '{field}'" in str(error)
    assert str(error).startswith(payload["type"])


def test_a_missing_field_inside_the_appointment_is_named_by_its_path() -> None:
    payload = ghl_events.appointment_create()
    del payload["appointment"]["calendarId"]

    error = _malformed(payload)

    assert error.field == "appointment.calendarId"


def test_a_custom_field_without_an_id_is_named_by_its_position() -> None:
    payload = ghl_events.contact_update(customFields=[{"id": "ok", "value": 1}, {"value": 2}])

    error = _malformed(payload)

    assert error.field == "customFields[1].id"


@pytest.mark.parametrize(
    ("builder", "overrides", "field"),
    [
        (ghl_events.inbound_message, {"body": ["Hi"]}, "body"),
        (ghl_events.inbound_message, {"contactId": 42}, "contactId"),
        (ghl_events.inbound_message, {"attachments": "https://cdn.example.com/a.jpg"}, "attachments"),
        (ghl_events.contact_tag_update, {"tags": "Seller-Lead,AI-Off"}, "tags"),
        (ghl_events.contact_update, {"dnd": "yes"}, "dnd"),
        (ghl_events.contact_update, {"dndSettings": {"SMS": "active"}}, "dndSettings.SMS"),
        (ghl_events.contact_update, {"customFields": {"id": "x"}}, "customFields"),
        (ghl_events.opportunity_create, {"monetaryValue": "a lot"}, "monetaryValue"),
        (ghl_events.opportunity_create, {"monetaryValue": True}, "monetaryValue"),
        (ghl_events.opportunity_status_update, {"status": "pending"}, "status"),
        (ghl_events.appointment_create, {"appointment": "tomorrow"}, "appointment"),
    ],
)
def test_a_field_of_the_wrong_type_is_named(
    builder: Callable[..., dict[str, Any]], overrides: dict[str, Any], field: str
) -> None:
    error = _malformed({**builder(), **overrides})

    assert error.field == field


def test_an_unknown_opportunity_status_lists_the_allowed_ones() -> None:
    error = _malformed(ghl_events.opportunity_status_update(status="pending"))

    assert str(error) == "OpportunityStatusUpdate: field 'status' must be one of open, won, lost, abandoned"


def test_errors_never_quote_a_leads_phone_or_message() -> None:
    payload = ghl_events.inbound_message(body="call me at 512-555-0143", phone="+15125550143")
    payload["contactId"] = {"phone": "+15125550143"}

    error = _malformed(payload)

    assert "555" not in str(error)
    assert "call me" not in str(error)
    assert str(error) == "InboundMessage: field 'contactId' must be a string, not dict"


# workflow "Custom Webhook" posts


def test_a_workflow_reply_post_parses_into_a_workflow_event() -> None:
    payload = ghl_events.workflow_webhook(tags=["Needs Qualifying", "Seller-Lead"], message_body="Spring works")

    event = parse_workflow_event(payload)

    assert isinstance(event, WorkflowEvent)
    assert event.contact_id == ghl_events.CONTACT_ID
    assert event.location_id == ghl_events.LOCATION_ID
    assert event.location_name == ghl_events.LOCATION_NAME
    assert event.first_name == "Maria"
    assert event.last_name == "Lopez"
    assert event.phone == ghl_events.PHONE
    assert event.email == ghl_events.EMAIL
    assert event.tags == ("Needs Qualifying", "Seller-Lead")
    assert event.message_body == "Spring works"
    assert event.message_type == "SMS"
    assert event.workflow_id == ghl_events.WORKFLOW_ID
    assert event.workflow_name == ghl_events.WORKFLOW_NAME


def test_workflow_tags_tolerate_spaces_and_empty_entries() -> None:
    payload = ghl_events.workflow_webhook()
    payload["tags"] = " a , ,b,"

    event = parse_workflow_event(payload)

    assert event.tags == ("a", "b")


def test_a_numeric_workflow_message_type_is_kept_as_text() -> None:
    event = parse_workflow_event(ghl_events.workflow_webhook(message_type=2))

    assert event.message_type == "2"


def test_a_workflow_post_that_is_not_a_reply_has_no_message() -> None:
    event = parse_workflow_event(ghl_events.workflow_webhook(message_body=None))

    assert event.message_body is None
    assert event.message_type is None


def test_a_workflow_event_id_in_custom_data_is_its_identity() -> None:
    payload = ghl_events.workflow_webhook(event_id="evt-2025-03-04-0001", custom_data={"bot": "seller"})

    event = parse_workflow_event(payload)

    assert event.event_id == "evt-2025-03-04-0001"
    assert event.custom_data == {"bot": "seller", "event_id": "evt-2025-03-04-0001"}


def test_a_workflow_post_without_an_event_id_has_no_identity_of_its_own() -> None:
    # Two posts alike are two events: a lead may text "Yes" twice (leads.ingest gives each its own key).
    assert parse_workflow_event(ghl_events.workflow_webhook()).event_id is None


def test_workflow_tags_left_out_are_none_and_an_empty_list_is_empty() -> None:
    payload = ghl_events.workflow_webhook()
    del payload["tags"]

    assert parse_workflow_event(payload).tags is None
    assert parse_workflow_event({**payload, "tags": ""}).tags == ()


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda payload: payload.pop("contact_id"), "contact_id"),
        (lambda payload: payload.pop("location"), "location"),
        (lambda payload: payload["location"].pop("id"), "location.id"),
        (lambda payload: payload.update(customData=["x"]), "customData"),
        (lambda payload: payload.update(message={"body": 7}), "message.body"),
    ],
)
def test_a_malformed_workflow_post_names_the_field(mutate: Callable[[dict[str, Any]], object], field: str) -> None:
    payload = ghl_events.workflow_webhook()
    mutate(payload)

    with pytest.raises(MalformedEvent) as caught:
        parse_workflow_event(payload)

    assert caught.value.field == field
    assert str(caught.value).startswith("workflow webhook: ")


def test_a_numeric_workflow_event_id_is_used_as_text() -> None:
    event = parse_workflow_event(ghl_events.workflow_webhook(custom_data={"event_id": 90210}))

    assert event.event_id == "90210"


def test_a_malformed_event_survives_a_round_trip_through_pickle() -> None:
    error = _malformed(ghl_events.inbound_message(contactId=None))

    assert str(pickle.loads(pickle.dumps(error))) == str(error)
