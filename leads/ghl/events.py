"""Turn the JSON GHL posts to us into typed, immutable events.

Two sources: signed marketplace webhooks (camelCase, one `type` per event, `parse_event`) and
the unsigned "Custom Webhook" action of a GHL workflow (snake_case, `parse_workflow_event`).
Parsing never touches the database; a malformed payload raises MalformedEvent naming the field
and never echoing its value, because values are a lead's phone number or message.
"""

import enum
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any, TypeAlias, TypeVar

_EMPTY: Mapping[str, Any] = MappingProxyType({})
_Choice = TypeVar("_Choice", bound=enum.StrEnum)


class MalformedEvent(ValueError):
    """The payload lacks a field we need, or has one of the wrong type (answer 400).

    `field` is the dotted path of the culprit, e.g. "appointment.calendarId".
    """

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class OpportunityStatus(enum.StrEnum):
    """Where a deal stands in GHL."""

    OPEN = "open"
    WON = "won"
    LOST = "lost"
    ABANDONED = "abandoned"


@dataclass(frozen=True, slots=True, kw_only=True)
class GHLEventBase:
    """What every marketplace event carries.

    `webhook_id` is GHL's `webhookId`, the key a redelivery is recognised by. When a payload
    has none, it is "sha256:" + the SHA-256 of the payload's canonical JSON (sorted keys),
    so an identical redelivery still maps to the same id.
    """

    type: str
    location_id: str
    webhook_id: str
    timestamp: datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageEvent(GHLEventBase):
    """A message in a GHL conversation; `message_id` is unique per message, so it dedupes too."""

    contact_id: str
    conversation_id: str
    message_id: str
    message_type: str
    direction: str
    body: str
    attachments: tuple[str, ...]
    date_added: datetime | None
    status: str | None
    source: str | None
    user_id: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class InboundMessage(MessageEvent):
    """A lead texted (or emailed, or called) the team."""


@dataclass(frozen=True, slots=True, kw_only=True)
class OutboundMessage(MessageEvent):
    """The team sent a message. `user_id` is set when a person in GHL sent it, not the bot."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DndSetting:
    """One channel's do-not-disturb state; `status` is "active" when the channel is blocked."""

    status: str
    message: str | None
    code: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactEvent(GHLEventBase):
    """A contact changed in GHL. `tags` is the full current list, not the change."""

    contact_id: str
    first_name: str | None
    last_name: str | None
    phone: str | None
    email: str | None
    tags: tuple[str, ...]
    dnd: bool
    dnd_settings: Mapping[str, DndSetting]
    timezone: str | None
    postal_code: str | None
    source: str | None
    custom_fields: Mapping[str, Any]

    @property
    def sms_dnd(self) -> bool:
        """Whether GHL forbids texting this contact (global DND or SMS DND)."""
        sms = self.dnd_settings.get("SMS")
        # "permanent" is GHL's stronger DND (a carrier-level STOP): it forbids texting just as "active" does.
        return self.dnd or (sms is not None and sms.status in ("active", "permanent"))


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactCreate(ContactEvent):
    """A new lead was added to the location."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactUpdate(ContactEvent):
    """A lead's details were edited."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactDelete(ContactEvent):
    """A lead was deleted from the location."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactTagUpdate(ContactEvent):
    """A lead's tags changed, e.g. an agent added `AI-Off` or `Seller-Lead`."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactDndUpdate(ContactEvent):
    """A lead's do-not-disturb settings changed (an opt-out, or a reversal of one)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class OpportunityEvent(GHLEventBase):
    """A deal in a GHL pipeline; `monetary_value` is the deal value in the location's currency."""

    opportunity_id: str
    contact_id: str
    pipeline_id: str
    pipeline_stage_id: str | None
    status: OpportunityStatus
    monetary_value: Decimal | None
    assigned_to: str | None
    name: str | None
    source: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class OpportunityCreate(OpportunityEvent):
    """A deal was opened for a lead."""


@dataclass(frozen=True, slots=True, kw_only=True)
class OpportunityStatusUpdate(OpportunityEvent):
    """A deal was won, lost, abandoned or reopened."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Appointment:
    """A booked slot on a GHL calendar (a call, a showing, a listing consultation)."""

    appointment_id: str
    calendar_id: str
    contact_id: str
    start_time: datetime
    end_time: datetime | None
    appointment_status: str | None
    title: str | None
    assigned_user_id: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class AppointmentCreate(GHLEventBase):
    """Someone booked an appointment, in GHL or through our booking step."""

    appointment: Appointment


@dataclass(frozen=True, slots=True, kw_only=True)
class UnknownEvent:
    """An event type we do not act on; the caller stores and acknowledges it so GHL stops retrying."""

    type: str
    location_id: str | None
    webhook_id: str
    timestamp: datetime | None
    payload: Mapping[str, Any]


GHLEvent: TypeAlias = (
    InboundMessage
    | OutboundMessage
    | ContactCreate
    | ContactUpdate
    | ContactDelete
    | ContactTagUpdate
    | ContactDndUpdate
    | OpportunityCreate
    | OpportunityStatusUpdate
    | AppointmentCreate
    | UnknownEvent
)


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkflowEvent:
    """A GHL workflow's "Custom Webhook" post about one contact.

    `event_id` is `customData.event_id` when the workflow sets one, else None: two posts alike are two
    events (a lead may text "Yes" twice). A field the post leaves out is None (unchanged), `tags`
    included. `message_body` is set for "Customer Replied" style triggers and None otherwise.
    """

    event_id: str | None
    location_id: str
    location_name: str | None
    contact_id: str
    first_name: str | None
    last_name: str | None
    phone: str | None
    email: str | None
    tags: tuple[str, ...] | None
    message_body: str | None
    message_type: str | None
    workflow_id: str | None
    workflow_name: str | None
    custom_data: Mapping[str, Any]


def parse_event(payload: Mapping[str, Any]) -> GHLEvent:
    """Parse a marketplace webhook body (already JSON-decoded) into its typed event."""
    if not isinstance(payload, Mapping):
        raise MalformedEvent("a GHL webhook body must be a JSON object")
    event_type = _Fields(payload, "webhook").required_str("type")
    parser = _PARSERS.get(event_type)
    if parser is None:
        return _parse_unknown(event_type, payload)
    return parser(event_type, _Fields(payload, event_type))


def parse_workflow_event(payload: Mapping[str, Any]) -> WorkflowEvent:
    """Parse a workflow "Custom Webhook" body (already JSON-decoded)."""
    if not isinstance(payload, Mapping):
        raise MalformedEvent("a workflow webhook body must be a JSON object")
    fields = _Fields(payload, "workflow webhook")
    location = fields.required_object("location")
    message = fields.optional_object("message")
    workflow = fields.optional_object("workflow")
    custom = fields.optional_object("customData")
    return WorkflowEvent(
        event_id=custom.optional_scalar_str("event_id") if custom else None,
        location_id=location.required_str("id"),
        location_name=location.optional_str("name"),
        contact_id=fields.required_str("contact_id"),
        first_name=fields.optional_str("first_name"),
        last_name=fields.optional_str("last_name"),
        phone=fields.optional_str("phone"),
        email=fields.optional_str("email"),
        tags=None if payload.get("tags") is None else fields.comma_separated("tags"),
        message_body=message.optional_text("body") if message else None,
        # GHL sends the message type as a name ("SMS") or as its numeric code (2).
        message_type=message.optional_scalar_str("type") if message else None,
        workflow_id=workflow.optional_str("id") if workflow else None,
        workflow_name=workflow.optional_str("name") if workflow else None,
        custom_data=fields.optional_mapping("customData"),
    )


def contact_id_of(event: GHLEvent | WorkflowEvent) -> str:
    """The GHL contact an event is about, "" when none (an agency-level event, a type we do not read)."""
    if isinstance(event, AppointmentCreate):
        return event.appointment.contact_id
    if isinstance(event, UnknownEvent):
        contact_id = event.payload.get("contactId")
        return contact_id if isinstance(contact_id, str) else ""
    return event.contact_id


def _envelope(event_type: str, fields: "_Fields") -> dict[str, Any]:
    return {
        "type": event_type,
        "location_id": fields.required_str("locationId"),
        "webhook_id": fields.optional_str("webhookId") or _payload_digest(fields.payload),
        "timestamp": fields.optional_datetime("timestamp") or fields.optional_datetime("dateAdded"),
    }


def _parse_message(event_type: str, fields: "_Fields") -> GHLEvent:
    message_class: type[InboundMessage | OutboundMessage] = (
        InboundMessage if event_type == "InboundMessage" else OutboundMessage
    )
    default_direction = "inbound" if message_class is InboundMessage else "outbound"
    return message_class(
        **_envelope(event_type, fields),
        contact_id=fields.required_str("contactId"),
        conversation_id=fields.required_str("conversationId"),
        message_id=fields.required_str("messageId"),
        message_type=fields.required_str("messageType"),
        direction=fields.optional_str("direction") or default_direction,
        # Calls and voicemails arrive without a body; an empty text is still a message.
        body=fields.optional_text("body") or "",
        attachments=fields.str_list("attachments"),
        date_added=fields.optional_datetime("dateAdded"),
        status=fields.optional_str("status"),
        source=fields.optional_str("source"),
        user_id=fields.optional_str("userId"),
    )


def _parse_contact(event_type: str, fields: "_Fields") -> GHLEvent:
    contact_class = _CONTACT_CLASSES[event_type]
    return contact_class(
        **_envelope(event_type, fields),
        contact_id=fields.required_str("id"),
        first_name=fields.optional_str("firstName"),
        last_name=fields.optional_str("lastName"),
        phone=fields.optional_str("phone"),
        email=fields.optional_str("email"),
        tags=fields.str_list("tags"),
        # GHL documents an absent `dnd` as false, not as unknown.
        dnd=fields.optional_bool("dnd") or False,
        dnd_settings=fields.dnd_settings("dndSettings"),
        timezone=fields.optional_str("timezone"),
        postal_code=fields.optional_str("postalCode"),
        source=fields.optional_str("source"),
        custom_fields=fields.custom_fields("customFields"),
    )


def _parse_opportunity(event_type: str, fields: "_Fields") -> GHLEvent:
    opportunity_class: type[OpportunityCreate | OpportunityStatusUpdate] = (
        OpportunityCreate if event_type == "OpportunityCreate" else OpportunityStatusUpdate
    )
    return opportunity_class(
        **_envelope(event_type, fields),
        opportunity_id=fields.required_str("id"),
        contact_id=fields.required_str("contactId"),
        pipeline_id=fields.required_str("pipelineId"),
        pipeline_stage_id=fields.optional_str("pipelineStageId"),
        status=fields.required_choice("status", OpportunityStatus),
        monetary_value=fields.optional_decimal("monetaryValue"),
        assigned_to=fields.optional_str("assignedTo"),
        name=fields.optional_str("name"),
        source=fields.optional_str("source"),
    )


def _parse_appointment_create(event_type: str, fields: "_Fields") -> GHLEvent:
    appointment = fields.required_object("appointment")
    return AppointmentCreate(
        **_envelope(event_type, fields),
        appointment=Appointment(
            appointment_id=appointment.required_str("id"),
            calendar_id=appointment.required_str("calendarId"),
            contact_id=appointment.required_str("contactId"),
            start_time=appointment.required_datetime("startTime"),
            end_time=appointment.optional_datetime("endTime"),
            appointment_status=appointment.optional_str("appointmentStatus"),
            title=appointment.optional_str("title"),
            assigned_user_id=appointment.optional_str("assignedUserId"),
        ),
    )


def _parse_unknown(event_type: str, payload: Mapping[str, Any]) -> UnknownEvent:
    fields = _Fields(payload, event_type)
    return UnknownEvent(
        type=event_type,
        # Agency-level events (LocationCreate, INSTALL for a company) have no location.
        location_id=fields.optional_str("locationId"),
        webhook_id=fields.optional_str("webhookId") or _payload_digest(payload),
        timestamp=fields.optional_datetime("timestamp"),
        payload=MappingProxyType(dict(payload)),
    )


_CONTACT_CLASSES: dict[
    str,
    type[ContactCreate | ContactUpdate | ContactDelete | ContactTagUpdate | ContactDndUpdate],
] = {
    "ContactCreate": ContactCreate,
    "ContactUpdate": ContactUpdate,
    "ContactDelete": ContactDelete,
    "ContactTagUpdate": ContactTagUpdate,
    "ContactDndUpdate": ContactDndUpdate,
}

_PARSERS: dict[str, Callable[[str, "_Fields"], GHLEvent]] = {
    "InboundMessage": _parse_message,
    "OutboundMessage": _parse_message,
    **{event_type: _parse_contact for event_type in _CONTACT_CLASSES},
    "OpportunityCreate": _parse_opportunity,
    "OpportunityStatusUpdate": _parse_opportunity,
    "AppointmentCreate": _parse_appointment_create,
}


def _payload_digest(payload: Mapping[str, Any]) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class _Fields:
    """Typed reads from one JSON object, with errors that name the field but not its value."""

    __slots__ = ("payload", "_context", "_prefix")

    def __init__(self, payload: Mapping[str, Any], context: str, prefix: str = "") -> None:
        self.payload = payload
        self._context = context
        self._prefix = prefix

    def _fail(self, key: str, problem: str) -> MalformedEvent:
        path = self._prefix + key
        return MalformedEvent(f"{self._context}: field '{path}' {problem}", path)

    def _wrong_type(self, key: str, expected: str, value: object) -> MalformedEvent:
        return self._fail(key, f"must be {expected}, not {type(value).__name__}")

    def required_str(self, key: str) -> str:
        value = self.optional_str(key)
        if value is None:
            raise self._fail(key, "is missing or empty")
        return value

    def optional_str(self, key: str) -> str | None:
        """A string field; GHL sends "" for blank fields, which we read as absent."""
        value = self.optional_text(key)
        return value or None

    def optional_text(self, key: str) -> str | None:
        value = self.payload.get(key)
        if value is None or isinstance(value, str):
            return value
        raise self._wrong_type(key, "a string", value)

    def optional_scalar_str(self, key: str) -> str | None:
        value = self.payload.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return self.optional_str(key)

    def optional_bool(self, key: str) -> bool | None:
        value = self.payload.get(key)
        if value is None or isinstance(value, bool):
            return value
        raise self._wrong_type(key, "true or false", value)

    def str_list(self, key: str) -> tuple[str, ...]:
        value = self.payload.get(key)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self._fail(key, "must be a list of strings")
        return tuple(value)

    def comma_separated(self, key: str) -> tuple[str, ...]:
        """Workflow webhooks flatten tags to "a, b, c"; accept a list too."""
        value = self.payload.get(key)
        if isinstance(value, str):
            return tuple(tag.strip() for tag in value.split(",") if tag.strip())
        return self.str_list(key)

    def optional_mapping(self, key: str) -> Mapping[str, Any]:
        value = self.payload.get(key)
        if value is None:
            return _EMPTY
        if not isinstance(value, Mapping):
            raise self._wrong_type(key, "an object", value)
        return MappingProxyType(dict(value))

    def optional_object(self, key: str) -> "_Fields | None":
        value = self.payload.get(key)
        if value is None:
            return None
        if not isinstance(value, Mapping):
            raise self._wrong_type(key, "an object", value)
        return _Fields(value, self._context, f"{self._prefix}{key}.")

    def required_object(self, key: str) -> "_Fields":
        nested = self.optional_object(key)
        if nested is None:
            raise self._fail(key, "is missing")
        return nested

    def required_choice(self, key: str, choices: type[_Choice]) -> _Choice:
        value = self.required_str(key)
        try:
            return choices(value)
        except ValueError:
            allowed = ", ".join(choice.value for choice in choices)
            raise self._fail(key, f"must be one of {allowed}") from None

    def optional_decimal(self, key: str) -> Decimal | None:
        value = self.payload.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise self._wrong_type(key, "a number", value)
        try:
            # Through str() so 0.1 stays 0.1 instead of its binary approximation.
            amount = Decimal(str(value))
        except InvalidOperation:
            raise self._fail(key, "must be a number") from None
        if not amount.is_finite():
            raise self._fail(key, "must be a finite number")
        return amount

    def required_datetime(self, key: str) -> datetime:
        moment = self.optional_datetime(key)
        if moment is None:
            raise self._fail(key, "is missing")
        return moment

    def optional_datetime(self, key: str) -> datetime | None:
        """An ISO-8601 string or epoch milliseconds, as an aware datetime (naive means UTC)."""
        value = self.payload.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, str) and value.isdigit():
            value = int(value)
        if isinstance(value, int | float) and not isinstance(value, bool):
            try:
                return datetime.fromtimestamp(value / 1000, tz=UTC)
            except (OverflowError, OSError, ValueError):
                raise self._fail(key, "is not a valid epoch-milliseconds time") from None
        if not isinstance(value, str):
            raise self._wrong_type(key, "an ISO-8601 string or epoch milliseconds", value)
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise self._fail(key, "is not an ISO-8601 date-time") from None
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)

    def dnd_settings(self, key: str) -> Mapping[str, DndSetting]:
        settings = self.optional_object(key)
        if settings is None:
            return _EMPTY
        channels = {}
        for channel in settings.payload:
            setting = settings.optional_object(channel)
            if setting is None:
                continue
            channels[channel] = DndSetting(
                status=setting.required_str("status"),
                message=setting.optional_str("message"),
                code=setting.optional_str("code"),
            )
        return MappingProxyType(channels)

    def custom_fields(self, key: str) -> Mapping[str, Any]:
        """GHL's [{"id": ..., "value": ...}] as {id: value}."""
        value = self.payload.get(key)
        if value is None:
            return _EMPTY
        if not isinstance(value, list):
            raise self._wrong_type(key, "a list", value)
        by_id = {}
        for index, item in enumerate(value):
            if not isinstance(item, Mapping):
                raise self._wrong_type(f"{key}[{index}]", "an object", item)
            custom_field = _Fields(item, self._context, f"{self._prefix}{key}[{index}].")
            by_id[custom_field.required_str("id")] = item.get("value")
        return MappingProxyType(by_id)
