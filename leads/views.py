"""GHL's two webhook endpoints, as Django views. Thin: the work is in leads.ingest.receive, which gunicorn's
fast path for marketplace webhooks (leads.ingest.fast_path.WebhookFastPath) shares."""
from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from leads.ingest import receive as ingest


def _respond(answer: ingest.Answer) -> JsonResponse:
    response = JsonResponse(answer.body, status=answer.status)
    if answer.retry_after:
        response["Retry-After"] = answer.retry_after
    return response


def _read_body(request: HttpRequest) -> bytes | None:
    return ingest.read_body(request.read, request.META.get("CONTENT_LENGTH"))


@csrf_exempt
@require_POST
def ghl_webhook(request: HttpRequest) -> JsonResponse:
    """GHL marketplace events, signed with Ed25519 (`x-ghl-signature`) or RSA (`x-wh-signature`)."""
    body = _read_body(request)
    if body is None:
        return _respond(ingest.body_too_large_answer())
    return _respond(ingest.receive_marketplace_webhook(body, request.headers))


@csrf_exempt
@require_POST
def ghl_workflow_webhook(request: HttpRequest) -> JsonResponse:
    """GHL workflow "Custom Webhook" posts: unsigned, so a shared secret in `X-Webhook-Secret`."""
    body = _read_body(request)
    if body is None:
        return _respond(ingest.body_too_large_answer())
    return _respond(ingest.receive_workflow_webhook(body, request.headers.get("X-Webhook-Secret", "")))
