"""Realistic GHL webhook payloads, and signatures for them made with throwaway test keys.

The builders return the dicts GHL would post (camelCase marketplace events, snake_case workflow
posts), with fresh webhookIds and messageIds on every call so deliveries never collide by
accident. Every builder takes `**overrides` to set or add raw payload keys; to drop one, `del`
it from the returned dict. `encode` gives the exact bytes to POST, and `signed_headers` signs
them with keys generated once per process; point the verifier at them with
`WebhookVerifier(ED25519_PUBLIC_KEY_PEM, RSA_PUBLIC_KEY_PEM)` or `webhook_verifier()`.
The default lead is Maria Lopez, a seller texting about her house, in the "Jorgebot Realty" location.
"""

import base64
import functools
import json
import secrets
import string
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

from leads.ghl.signatures import ED25519_HEADER, RSA_HEADER, SignatureScheme, WebhookVerifier

LOCATION_ID = "JbRealtyLoc00000001A"
LOCATION_NAME = "Jorgebot Realty"
LOCATION_PHONE = "+15125550100"
CONTACT_ID = "MariaLopezContact01A"
CONVERSATION_ID = "MariaLopezConvo0001A"
FIRST_NAME = "Maria"
LAST_NAME = "Lopez"
PHONE = "+15125550143"
EMAIL = "maria.lopez@example.com"
AGENT_USER_ID = "AgentJennaUser00001A"
PIPELINE_ID = "SellerPipeline00001A"
PIPELINE_STAGE_ID = "4b1c2f7e-9a0d-4e51-8c3b-2f6a1d9e0b71"
CALENDAR_ID = "ListingConsultCal01A"
WORKFLOW_ID = "8f14e45f-ceea-4e67-9b1c-1a2b3c4d5e6f"
WORKFLOW_NAME = "New lead - Jorgebot"

_GHL_ID_ALPHABET = string.ascii_letters + string.digits

# Generated once per process: RSA key generation costs tens of milliseconds, and every
# signed request in a test run must verify against the same public keys.
_ED25519_PRIVATE_KEY = ed25519.Ed25519PrivateKey.generate()
_RSA_PRIVATE_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _public_pem(private_key: ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey) -> str:
    return (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )


ED25519_PUBLIC_KEY_PEM = _public_pem(_ED25519_PRIVATE_KEY)
RSA_PUBLIC_KEY_PEM = _public_pem(_RSA_PRIVATE_KEY)


@functools.cache
def webhook_verifier() -> WebhookVerifier:
    """A verifier that trusts the test keys (and nothing GHL signed)."""
    return WebhookVerifier(ED25519_PUBLIC_KEY_PEM, RSA_PUBLIC_KEY_PEM)


def sign_ed25519(body: bytes) -> str:
    """The `x-ghl-signature` value for `body`."""
    return base64.b64encode(_ED25519_PRIVATE_KEY.sign(body)).decode("ascii")


def sign_rsa(body: bytes) -> str:
    """The legacy `x-wh-signature` value for `body`."""
    signature = _RSA_PRIVATE_KEY.sign(body, padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode("ascii")


def signed_headers(
    body: bytes, scheme: SignatureScheme | Literal["ed25519", "rsa", "both"] = "ed25519"
) -> dict[str, str]:
    """Signature headers for `body`, as GHL would send them; "both" sends the two, like GHL does today."""
    headers = {}
    if scheme in (SignatureScheme.ED25519, "both"):
        headers[ED25519_HEADER] = sign_ed25519(body)
    if scheme in (SignatureScheme.RSA, "both"):
        headers[RSA_HEADER] = sign_rsa(body)
    if not headers:
        raise ValueError(f"unknown signature scheme {scheme!r}")
    return headers


def encode(payload: Mapping[str, Any]) -> bytes:
    """The raw body to POST (and sign) for a payload."""
    return json.dumps(payload, separators=(",", ":")).encode("utf-8")


def signed_body(
    payload: Mapping[str, Any], scheme: SignatureScheme | Literal["ed25519", "rsa", "both"] = "ed25519"
) -> tuple[bytes, dict[str, str]]:
    """The body and its signature headers, ready for a test client or a load test."""
    body = encode(payload)
    return body, signed_headers(body, scheme)


def ghl_id() -> str:
    """A fresh id shaped like GHL's (20 letters and digits)."""
    return "".join(secrets.choice(_GHL_ID_ALPHABET) for _ in range(20))


def iso(moment: datetime) -> str:
    """A datetime the way GHL writes it: UTC, milliseconds, trailing Z."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def inbound_message(
    *,
    body: str = "Hi, I got your letter about selling my house on Maple Ave. What could I get for it?",
    contact_id: str = CONTACT_ID,
    conversation_id: str = CONVERSATION_ID,
    message_id: str | None = None,
    message_type: str = "SMS",
    attachments: Sequence[str] = (),
    phone: str = PHONE,
    date_added: datetime | None = None,
    location_id: str = LOCATION_ID,
    webhook_id: str | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """A lead's text arriving in GHL (`InboundMessage`)."""
    return _message(
        "InboundMessage",
        direction="inbound",
        body=body,
        contact_id=contact_id,
        conversation_id=conversation_id,
        message_id=message_id,
        message_type=message_type,
        attachments=attachments,
        sender=phone,
        recipient=LOCATION_PHONE,
        date_added=date_added,
        location_id=location_id,
        webhook_id=webhook_id,
        overrides=overrides,
    )


def outbound_message(
    *,
    body: str = "Hi Maria, this is Jenna with Jorgebot Realty. Happy to help - when are you hoping to sell?",
    user_id: str | None = None,
    source: str = "api",
    contact_id: str = CONTACT_ID,
    conversation_id: str = CONVERSATION_ID,
    message_id: str | None = None,
    message_type: str = "SMS",
    attachments: Sequence[str] = (),
    phone: str = PHONE,
    date_added: datetime | None = None,
    location_id: str = LOCATION_ID,
    webhook_id: str | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """A message the team sent (`OutboundMessage`).

    By default it is the echo of a message sent through the API (the bot). For a human agent
    taking over in the GHL app, pass `user_id=AGENT_USER_ID, source="app"`.
    """
    payload = _message(
        "OutboundMessage",
        direction="outbound",
        body=body,
        contact_id=contact_id,
        conversation_id=conversation_id,
        message_id=message_id,
        message_type=message_type,
        attachments=attachments,
        sender=LOCATION_PHONE,
        recipient=phone,
        date_added=date_added,
        location_id=location_id,
        webhook_id=webhook_id,
        overrides={"source": source, **overrides},
    )
    if user_id is not None:
        payload["userId"] = user_id
    return payload


def contact_create(**fields: Any) -> dict[str, Any]:
    """A new lead in GHL (`ContactCreate`); takes the arguments of `contact_update`."""
    return _contact("ContactCreate", **fields)


def contact_update(**fields: Any) -> dict[str, Any]:
    """A lead's details edited in GHL (`ContactUpdate`).

    Arguments: contact_id, first_name, last_name, phone, email, tags, dnd, dnd_channels (the
    channels whose DND is active), timezone, source, custom_fields ({id: value}), date_added,
    location_id, webhook_id, and raw payload overrides.
    """
    return _contact("ContactUpdate", **fields)


def contact_delete(**fields: Any) -> dict[str, Any]:
    """A lead deleted in GHL (`ContactDelete`); takes the arguments of `contact_update`."""
    return _contact("ContactDelete", **fields)


def contact_tag_update(*, tags: Sequence[str] = ("Needs Qualifying",), **fields: Any) -> dict[str, Any]:
    """A lead's tags changed (`ContactTagUpdate`); `tags` is the full list after the change."""
    return _contact("ContactTagUpdate", tags=tags, **fields)


def contact_dnd_update(*, dnd: bool = False, dnd_channels: Sequence[str] = ("SMS",), **fields: Any) -> dict[str, Any]:
    """A lead's do-not-disturb changed (`ContactDndUpdate`); by default they texted STOP."""
    return _contact("ContactDndUpdate", dnd=dnd, dnd_channels=dnd_channels, **fields)


def opportunity_create(**fields: Any) -> dict[str, Any]:
    """A deal opened for a lead (`OpportunityCreate`); takes the arguments of `opportunity_status_update`."""
    return _opportunity("OpportunityCreate", **fields)


def opportunity_status_update(*, status: str = "won", **fields: Any) -> dict[str, Any]:
    """A deal won, lost, abandoned or reopened (`OpportunityStatusUpdate`).

    Arguments: opportunity_id, contact_id, pipeline_id, pipeline_stage_id, status,
    monetary_value, assigned_to, name, source, location_id, webhook_id, and raw payload overrides.
    """
    return _opportunity("OpportunityStatusUpdate", status=status, **fields)


def appointment_create(
    *,
    appointment_id: str | None = None,
    calendar_id: str = CALENDAR_ID,
    contact_id: str = CONTACT_ID,
    start_time: datetime | None = None,
    duration: timedelta = timedelta(minutes=30),
    appointment_status: str = "confirmed",
    title: str = "Listing consultation with Maria Lopez",
    assigned_user_id: str = AGENT_USER_ID,
    location_id: str = LOCATION_ID,
    webhook_id: str | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """A booked appointment (`AppointmentCreate`); by default tomorrow at 15:00 UTC."""
    now = datetime.now(UTC)
    start = start_time or (now + timedelta(days=1)).replace(hour=15, minute=0, second=0, microsecond=0)
    return {
        **_envelope("AppointmentCreate", location_id, webhook_id),
        "appointment": {
            "id": appointment_id or ghl_id(),
            "address": "https://meet.example.com/jorgebot-realty",
            "title": title,
            "calendarId": calendar_id,
            "contactId": contact_id,
            "groupId": ghl_id(),
            "appointmentStatus": appointment_status,
            "assignedUserId": assigned_user_id,
            "users": [assigned_user_id],
            "notes": "Booked by Jorgebot",
            "source": "third_party",
            "startTime": iso(start),
            "endTime": iso(start + duration),
            "dateAdded": iso(now),
            "dateUpdated": iso(now),
        },
        **overrides,
    }


def workflow_webhook(
    *,
    contact_id: str = CONTACT_ID,
    first_name: str = FIRST_NAME,
    last_name: str = LAST_NAME,
    phone: str = PHONE,
    email: str = EMAIL,
    tags: Sequence[str] = ("Needs Qualifying",),
    message_body: str | None = "Yes I'm thinking about selling this spring",
    message_type: str | int = "SMS",
    custom_data: Mapping[str, Any] | None = None,
    event_id: str | None = None,
    workflow_id: str = WORKFLOW_ID,
    workflow_name: str = WORKFLOW_NAME,
    location_id: str = LOCATION_ID,
    location_name: str = LOCATION_NAME,
    **overrides: Any,
) -> dict[str, Any]:
    """A workflow "Custom Webhook" post (unsigned, snake_case).

    `message_body=None` leaves out the message, as for triggers that are not a reply.
    `event_id` goes into customData, which is where a workflow can give the post an identity.
    """
    payload: dict[str, Any] = {
        "contact_id": contact_id,
        "first_name": first_name,
        "last_name": last_name,
        "full_name": f"{first_name} {last_name}",
        "email": email,
        "phone": phone,
        "tags": ",".join(tags),
        "country": "US",
        "timezone": "America/Chicago",
        "date_created": iso(datetime.now(UTC) - timedelta(days=3)),
        "contact_source": "zillow",
        "contact_type": "lead",
        "location": {
            "name": location_name,
            "address": "100 Congress Ave",
            "city": "Austin",
            "state": "TX",
            "country": "US",
            "postalCode": "78701",
            "id": location_id,
        },
        "workflow": {"id": workflow_id, "name": workflow_name},
        "triggerData": {},
        "customData": {**(custom_data or {}), **({"event_id": event_id} if event_id else {})},
    }
    if message_body is not None:
        payload["message"] = {"type": message_type, "body": message_body}
    payload.update(overrides)
    return payload


def _envelope(event_type: str, location_id: str, webhook_id: str | None) -> dict[str, Any]:
    return {
        "type": event_type,
        "locationId": location_id,
        "webhookId": webhook_id or str(uuid.uuid4()),
        "timestamp": iso(datetime.now(UTC)),
    }


def _message(
    event_type: str,
    *,
    direction: str,
    body: str,
    contact_id: str,
    conversation_id: str,
    message_id: str | None,
    message_type: str,
    attachments: Sequence[str],
    sender: str,
    recipient: str,
    date_added: datetime | None,
    location_id: str,
    webhook_id: str | None,
    overrides: Mapping[str, Any],
) -> dict[str, Any]:
    return {
        **_envelope(event_type, location_id, webhook_id),
        "attachments": list(attachments),
        "body": body,
        "contactId": contact_id,
        "contentType": "text/plain",
        "conversationId": conversation_id,
        "dateAdded": iso(date_added or datetime.now(UTC)),
        "direction": direction,
        "messageType": message_type,
        "messageId": message_id or ghl_id(),
        "status": "delivered",
        "from": sender,
        "to": recipient,
        **overrides,
    }


def _contact(
    event_type: str,
    *,
    contact_id: str = CONTACT_ID,
    first_name: str = FIRST_NAME,
    last_name: str = LAST_NAME,
    phone: str = PHONE,
    email: str = EMAIL,
    tags: Sequence[str] = (),
    dnd: bool = False,
    dnd_channels: Sequence[str] = (),
    timezone: str = "America/Chicago",
    source: str = "zillow",
    custom_fields: Mapping[str, Any] | None = None,
    date_added: datetime | None = None,
    location_id: str = LOCATION_ID,
    webhook_id: str | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    return {
        **_envelope(event_type, location_id, webhook_id),
        "id": contact_id,
        "firstName": first_name,
        "lastName": last_name,
        "name": f"{first_name} {last_name}",
        "email": email,
        "phone": phone,
        "address1": "412 Maple Ave",
        "city": "Austin",
        "state": "TX",
        "postalCode": "78704",
        "country": "US",
        "timezone": timezone,
        "source": source,
        "dateAdded": iso(date_added or datetime.now(UTC)),
        "tags": list(tags),
        "dnd": dnd,
        "dndSettings": {
            channel: {
                "status": "active" if channel in dnd_channels else "inactive",
                "message": "Opted out by replying STOP" if channel in dnd_channels else "",
                "code": "103" if channel in dnd_channels else "",
            }
            for channel in ("SMS", "Email", "Call", "WhatsApp")
        },
        "customFields": [{"id": field_id, "value": value} for field_id, value in (custom_fields or {}).items()],
        **overrides,
    }


def _opportunity(
    event_type: str,
    *,
    opportunity_id: str | None = None,
    contact_id: str = CONTACT_ID,
    pipeline_id: str = PIPELINE_ID,
    pipeline_stage_id: str = PIPELINE_STAGE_ID,
    status: str = "open",
    monetary_value: Decimal | int | float = 13500,
    assigned_to: str = AGENT_USER_ID,
    name: str = "Maria Lopez - 412 Maple Ave",
    source: str = "zillow",
    location_id: str = LOCATION_ID,
    webhook_id: str | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    return {
        **_envelope(event_type, location_id, webhook_id),
        "id": opportunity_id or ghl_id(),
        "assignedTo": assigned_to,
        "contactId": contact_id,
        "monetaryValue": float(monetary_value) if isinstance(monetary_value, Decimal) else monetary_value,
        "name": name,
        "pipelineId": pipeline_id,
        "pipelineStageId": pipeline_stage_id,
        "source": source,
        "status": status,
        "dateAdded": iso(datetime.now(UTC)),
        **overrides,
    }
