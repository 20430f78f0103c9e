"""A WSGI fast path for GHL's marketplace webhooks, ahead of Django's middleware (jorgebot/wsgi.py)."""
from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from django.db import connection

from jorgebot import metrics
from leads.ghl.signatures import ED25519_HEADER, RSA_HEADER
from leads.ingest.receive import (
    MARKETPLACE_PATH,
    Answer,
    body_too_large_answer,
    read_body,
    receive_marketplace_webhook,
)

logger = logging.getLogger(__name__)

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class WebhookFastPath:
    """WSGI middleware: answers `POST /webhooks/ghl/` itself and hands everything else to Django.

    The thread keeps its database connection between webhooks instead of returning it to the pool
    after each one (Django's request_finished would); a connection that failed is closed, so the next
    webhook opens a fresh one. A Django request on the same thread returns it to the pool as usual.
    """

    def __init__(self, django_app: WsgiApp) -> None:
        self.django_app = django_app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != MARKETPLACE_PATH or environ.get("REQUEST_METHOD") != "POST":
            return self.django_app(environ, start_response)
        started = time.perf_counter()
        try:
            answer = self._answer(environ)
        except Exception:
            # What Django would do with a bug: log it, answer 500 (GHL retries a 5xx a few times).
            logger.exception("webhook failed")
            answer = Answer.error(500, "internal error")
        body = json.dumps(answer.body).encode()
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        if answer.retry_after:
            headers.append(("Retry-After", answer.retry_after))
        start_response(f"{answer.status} {HTTPStatus(answer.status).phrase}", headers)
        metrics.record_request("webhook", answer.status, time.perf_counter() - started)
        return [body]

    @staticmethod
    def _answer(environ: dict[str, Any]) -> Answer:
        body = read_body(environ["wsgi.input"].read, environ.get("CONTENT_LENGTH"))
        if body is None:
            return body_too_large_answer()
        headers = {
            name: environ[key]
            for name, key in ((ED25519_HEADER, "HTTP_X_GHL_SIGNATURE"), (RSA_HEADER, "HTTP_X_WH_SIGNATURE"))
            if key in environ
        }
        answer = receive_marketplace_webhook(body, headers)
        if connection.errors_occurred:
            # A connection that failed must not serve the next webhook; the next one opens afresh.
            connection.close()
        return answer
