"""GHL's two webhook endpoints. Thin: check, parse, store, acknowledge; the worker does the rest."""
from __future__ import annotations

import hmac
import json
import logging
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from leads import services
from leads.ghl.events import MalformedEvent, UnknownEvent, parse_event, parse_workflow_event
from leads.ghl.signatures import InvalidSignature, WebhookVerifier
from leads.tasks import enqueue_webhook_event

logger = logging.getLogger(__name__)


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


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _read_body(request: HttpRequest) -> bytes | None:
    """The raw body, or None when it is over the limit (checked before reading it all)."""
    limit = settings.MAX_WEBHOOK_BODY_BYTES
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if not declared.isdigit() or int(declared) > limit:
        return None
    body = request.read(limit + 1)
    return None if len(body) > limit else body


def _decode_json(body: bytes) -> Any:
    if b"\\u0000" in body:
        # Valid JSON, but PostgreSQL's jsonb cannot hold a NUL character: refuse it up front.
        raise MalformedEvent("the body contains a NUL character (\\u0000), which cannot be stored", "")
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MalformedEvent(f"the body is not valid JSON ({type(exc).__name__})", "") from exc


def _store(**fields: Any) -> JsonResponse:
    """Persist, then acknowledge: GHL hears 200 only once the event is safely in PostgreSQL."""
    try:
        receipt = services.record_webhook(**fields, enqueue=enqueue_webhook_event)
    except (OperationalError, InterfaceError):
        # The database is unreachable. GHL redelivers only on 429: say so rather than lose the lead's message.
        logger.exception("could not store webhook %s", fields["webhook_id"])
        response = _error(429, "temporarily unable to store the event; deliver it again")
        response["Retry-After"] = "5"
        return response

    return JsonResponse({"status": receipt.status})


@csrf_exempt
@require_POST
def ghl_webhook(request: HttpRequest) -> JsonResponse:
    """GHL marketplace events, signed with Ed25519 (`x-ghl-signature`) or RSA (`x-wh-signature`)."""
    body = _read_body(request)
    if body is None:
        return _error(413, f"body larger than {settings.MAX_WEBHOOK_BODY_BYTES} bytes")
    try:
        _verifier().verify(body, request.headers)
    except InvalidSignature as exc:
        return _error(401, str(exc))
    try:
        payload = _decode_json(body)
        event = parse_event(payload)
    except MalformedEvent as exc:
        return _error(400, str(exc))
    return _store(
        webhook_id=event.webhook_id,
        event_type=event.type,
        location_id=event.location_id or "",
        message_id="" if isinstance(event, UnknownEvent) else getattr(event, "message_id", ""),
        payload=body,
        source="marketplace",
    )


@csrf_exempt
@require_POST
def ghl_workflow_webhook(request: HttpRequest) -> JsonResponse:
    """GHL workflow "Custom Webhook" posts: unsigned, so a shared secret in `X-Webhook-Secret`."""
    secret = settings.GHL_WORKFLOW_WEBHOOK_SECRET
    given = request.headers.get("X-Webhook-Secret", "")
    if not secret:
        return _error(503, "workflow webhooks are off: GHL_WORKFLOW_WEBHOOK_SECRET is not set")
    if not hmac.compare_digest(given.encode(), secret.encode()):
        return _error(401, "missing or wrong X-Webhook-Secret")
    body = _read_body(request)
    if body is None:
        return _error(413, f"body larger than {settings.MAX_WEBHOOK_BODY_BYTES} bytes")
    try:
        payload = _decode_json(body)
        event = parse_workflow_event(payload)
    except MalformedEvent as exc:
        return _error(400, str(exc))
    return _store(
        webhook_id=f"wf:{event.event_id}"[:128],
        event_type="Workflow",
        location_id=event.location_id,
        message_id="",
        payload=body,
        source="workflow",
    )
