"""Receiving GHL's webhooks: check, parse, store once, acknowledge. The worker does the rest.

Every text a lead sends arrives as a marketplace webhook, so what one costs sets how many texts a
server takes. Two doors lead to the same `receive_marketplace_webhook`: the Django view
(leads.views), and `WebhookFastPath`, which gunicorn's application (jorgebot/wsgi.py) puts in front
of Django for `POST /webhooks/ghl/`. The fast path skips the middleware, URL routing, request and
response objects and the per-request checkout of a pooled database connection, which together
cost about as much CPU as the work itself (0.5 ms of 1.1 ms a webhook, measured in-process).

Receiving depends on PostgreSQL alone: with Redis down a webhook is still stored and answered 200 (the
reads go past cachalot, and an enqueue the broker refuses is left to the sweeper); when the row cannot
be stored, GHL is told 429, the one answer it redelivers on.
"""
from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.db import DataError, InterfaceError, OperationalError
from django.dispatch import receiver

from leads.ghl.events import (
    MalformedEvent,
    UnknownEvent,
    WorkflowEvent,
    contact_id_of,
    parse_event,
    parse_workflow_event,
)
from leads.ghl.signatures import InvalidSignature, WebhookVerifier
from leads.ingest import doors, group_commit
from leads.ingest.dispatch import enqueue_webhook_event

logger = logging.getLogger(__name__)

MARKETPLACE_PATH = "/webhooks/ghl/"
# GHL redelivers only on 429; this is how long it is asked to wait.
RETRY_AFTER_SECONDS = "5"


@dataclass(frozen=True)
class Answer:
    """What GHL is told: the status, a small JSON body, and when to deliver again (on 429)."""

    status: int
    body: dict[str, str]
    retry_after: str | None = None

    @classmethod
    def error(cls, status: int, message: str) -> Answer:
        return cls(status, {"error": message})


@lru_cache(maxsize=1)
def _verifier() -> WebhookVerifier:
    return WebhookVerifier(
        ed25519_public_key_pem=settings.GHL_WEBHOOK_ED25519_PUBLIC_KEY or None,
        rsa_public_key_pem=settings.GHL_WEBHOOK_RSA_PUBLIC_KEY or None,
    )


@receiver(setting_changed)
def _reset_verifier(*, setting: str, **_: Any) -> None:
    if setting.startswith("GHL_WEBHOOK_"):
        _verifier.cache_clear()


def read_body(read: Callable[[int], bytes], declared_length: str | None) -> bytes | None:
    """The raw body from `read`, or None when its declared Content-Length is over the limit (refused before
    reading). Without one (chunked), one byte past the limit is read, so an oversized body still shows."""
    limit = settings.MAX_WEBHOOK_BODY_BYTES
    if not declared_length:
        return read(limit + 1)
    if not declared_length.isdigit() or int(declared_length) > limit:
        return None
    return read(int(declared_length))


def body_too_large_answer() -> Answer:
    return Answer.error(413, f"body larger than {settings.MAX_WEBHOOK_BODY_BYTES} bytes")


def receive_marketplace_webhook(body: bytes, headers: Mapping[str, str]) -> Answer:
    """A GHL marketplace event, signed with Ed25519 (`x-ghl-signature`) or RSA (`x-wh-signature`)."""
    if len(body) > settings.MAX_WEBHOOK_BODY_BYTES:
        return body_too_large_answer()
    try:
        _verifier().verify(body, headers)
    except InvalidSignature as exc:
        return Answer.error(401, str(exc))
    try:
        event = parse_event(_decode_json(body))
    except MalformedEvent as exc:
        return Answer.error(400, str(exc))
    return _store(
        webhook_id=event.webhook_id,
        event_type=event.type,
        location_id=event.location_id or "",
        message_id="" if isinstance(event, UnknownEvent) else getattr(event, "message_id", ""),
        contact_id=contact_id_of(event),
        payload=body,
        source="marketplace",
    )


def receive_workflow_webhook(body: bytes, secret: str) -> Answer:
    """A GHL workflow "Custom Webhook" post: unsigned, so it carries the secret (`X-Webhook-Secret`) of the
    location its body names; another location's secret is refused (doors.workflow_secret_fits)."""
    if not secret:
        return Answer.error(401, "missing X-Webhook-Secret")
    if len(body) > settings.MAX_WEBHOOK_BODY_BYTES:
        return body_too_large_answer()
    try:
        event = parse_workflow_event(_decode_json(body))
    except MalformedEvent as exc:
        return Answer.error(400, str(exc))
    try:
        authentic = doors.workflow_secret_fits(event.location_id, secret)
    except (OperationalError, InterfaceError):
        logger.exception("could not check the workflow secret of location %.64s", event.location_id)
        return _deliver_again()
    if not authentic:
        logger.warning("workflow post refused: not the workflow secret of location %.64s", event.location_id)
        return Answer.error(401, "X-Webhook-Secret is not the workflow secret of the location this post names")
    return _store(
        webhook_id=_workflow_webhook_id(event),
        event_type="Workflow",
        location_id=event.location_id,
        message_id="",
        contact_id=event.contact_id,
        payload=body,
        source="workflow",
    )


def _workflow_webhook_id(event: WorkflowEvent) -> str:
    """The stored key of a workflow post: its location and `customData.event_id`, or a key of its own without
    one. Content never makes the key: a lead who texts "Yes" twice sent two texts."""
    identity = event.event_id or uuid.uuid4().hex
    key = f"wf:{event.location_id}:{identity}"
    # Within the column's 128 characters: a long id is hashed rather than cut (cut ids could collide).
    return key if len(key) <= 128 else "wf:" + hashlib.sha256(key.encode()).hexdigest()


def _decode_json(body: bytes) -> Any:
    if b"\\u0000" in body:
        # Valid JSON, but PostgreSQL's jsonb cannot hold a NUL character: refuse it up front.
        raise MalformedEvent("the body contains a NUL character (\\u0000), which cannot be stored", "")
    try:
        decoded = json.loads(body.decode("utf-8"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MalformedEvent(f"the body is not valid JSON ({type(exc).__name__})", "") from exc
    if b"\\ud" in body or b"\\uD" in body:
        _refuse_lone_surrogates(decoded)
    return decoded


def _refuse_lone_surrogates(decoded: Any) -> None:
    """An escaped surrogate without its pair ("\\ud800") is valid JSON but no character: PostgreSQL's jsonb
    refuses it with an error that quotes the body (a lead's text) into our log. Checked only when the body
    escapes a surrogate at all, which a pair (an emoji) does too, so a text that does not pays nothing."""
    try:
        json.dumps(decoded, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise MalformedEvent("the body is not valid JSON (an escaped surrogate without its pair)", "") from None


def _refuse_constant(name: str) -> Any:
    # Python reads NaN and Infinity, which JSON does not have and PostgreSQL's jsonb refuses.
    raise MalformedEvent(f"the body is not valid JSON ({name} is not a JSON value)", "")


def _store(**fields: Any) -> Answer:
    """Persist, then acknowledge: GHL hears 200 only once the event is safely in PostgreSQL."""
    try:
        receipt = group_commit.record_webhook(**fields, enqueue=enqueue_webhook_event)
    except (OperationalError, InterfaceError):
        # The database is unreachable. GHL redelivers only on 429: say so rather than lose the lead's message.
        logger.exception("could not store webhook %s", fields["webhook_id"])
        return _deliver_again()
    except DataError:
        # A value the table cannot hold (an id longer than GHL's): delivering it again would fail again.
        logger.warning("webhook %.128s cannot be stored as sent", fields["webhook_id"], exc_info=True)
        return Answer.error(400, "the event has a value too long or otherwise impossible to store")
    return Answer(200, {"status": receipt.status})


def _deliver_again() -> Answer:
    return Answer(429, {"error": "temporarily unable to store the event; deliver it again"}, RETRY_AFTER_SECONDS)


