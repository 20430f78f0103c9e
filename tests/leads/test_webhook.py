"""POST /webhooks/ghl/ and /webhooks/ghl/workflow/: verify, parse, store once, acknowledge fast."""
from __future__ import annotations

import json
from typing import Any

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.test import Client

from leads.ingest import group_commit
from leads.models import Location, WebhookEvent
from tests.conftest import PostWebhook, post_webhook_through
from tests.fakes import ghl_events
from tests.leads.wsgi_client import WsgiClient


@pytest.fixture(params=["django_view", "wsgi_fast_path"])
def client(request: pytest.FixtureRequest, client: Client) -> Client | WsgiClient:
    """Every test here runs through both doors: the Django view, and the fast path gunicorn serves."""
    return client if request.param == "django_view" else WsgiClient()


def queued_tasks(queue: str = "webhooks") -> int:
    return int(redis.Redis.from_url(settings.CELERY_BROKER_URL).llen(queue))


@pytest.fixture
def post_and_commit(post_webhook: PostWebhook, django_capture_on_commit_callbacks: Any) -> PostWebhook:
    """Post a webhook and run the on-commit enqueue, as a real request's commit would."""

    def post(payload: dict[str, Any], **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return post_webhook(payload, **kwargs)

    return post


def test_a_signed_inbound_message_is_stored_and_enqueued(alpha_realty: Location, post_and_commit: PostWebhook) -> None:
    payload = ghl_events.inbound_message(body="Hi, I want to sell my house")

    response = post_and_commit(payload)

    assert response.status_code == 200
    assert response.json() == {"status": "accepted"}
    event = WebhookEvent.objects.get()
    assert event.event_type == "InboundMessage"
    assert event.webhook_id == payload["webhookId"]
    assert event.message_id == payload["messageId"]
    assert event.payload == payload
    assert queued_tasks() == 1


def test_the_legacy_rsa_signature_is_accepted(alpha_realty: Location, post_and_commit: PostWebhook) -> None:
    response = post_and_commit(ghl_events.inbound_message(), scheme="rsa")

    assert response.status_code == 200
    assert WebhookEvent.objects.count() == 1


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"x-ghl-signature": ""},
        {"x-ghl-signature": "not base64 at all!"},
        {"x-ghl-signature": ghl_events.sign_ed25519(b"some other body")},
        {"x-wh-signature": ghl_events.sign_rsa(b"some other body")},
    ],
    ids=["missing", "empty", "garbled", "ed25519-of-another-body", "rsa-of-another-body"],
)
def test_it_rejects_a_missing_or_bad_signature_and_stores_nothing(
    alpha_realty: Location, post_webhook: PostWebhook, headers: dict[str, str]
) -> None:
    response = post_webhook(ghl_events.inbound_message(), headers=headers)

    assert response.status_code == 401
    assert "error" in response.json()
    assert WebhookEvent.objects.count() == 0
    assert queued_tasks() == 0


def test_it_rejects_a_body_tampered_after_signing(alpha_realty: Location, client: Client) -> None:
    body, headers = ghl_events.signed_body(ghl_events.inbound_message(body="I want to sell"))
    tampered = body.replace(b"sell", b"buy!")

    response = client.post(
        "/webhooks/ghl/", data=tampered, content_type="application/json",
        HTTP_X_GHL_SIGNATURE=headers["x-ghl-signature"],
    )

    assert response.status_code == 401
    assert WebhookEvent.objects.count() == 0


def _post_signed_raw(client: Client, body: bytes) -> Any:
    return client.post(
        "/webhooks/ghl/", data=body, content_type="application/json", HTTP_X_GHL_SIGNATURE=ghl_events.sign_ed25519(body)
    )


def test_malformed_json_gets_a_clear_400(alpha_realty: Location, client: Client) -> None:
    response = _post_signed_raw(client, b'{"type": "InboundMessage", ')

    assert response.status_code == 400
    assert "JSON" in response.json()["error"]
    assert WebhookEvent.objects.count() == 0


def test_a_missing_field_gets_a_400_naming_it(alpha_realty: Location, client: Client) -> None:
    payload = ghl_events.inbound_message()
    del payload["contactId"]

    response = _post_signed_raw(client, ghl_events.encode(payload))

    assert response.status_code == 400
    assert "contactId" in response.json()["error"]
    assert ghl_events.PHONE not in response.json()["error"]
    assert WebhookEvent.objects.count() == 0


def test_a_body_over_256_kib_gets_413_and_stores_nothing(alpha_realty: Location, client: Client) -> None:
    payload = ghl_events.inbound_message(body="x" * (256 * 1024))

    response = _post_signed_raw(client, ghl_events.encode(payload))

    assert response.status_code == 413
    assert WebhookEvent.objects.count() == 0


def test_an_unknown_event_type_is_stored_and_acknowledged(alpha_realty: Location, post_and_commit: PostWebhook) -> None:
    payload = {"type": "InvoicePaid", "locationId": alpha_realty.id, "webhookId": "wh-unknown-1", "amount": 10}

    response = post_and_commit(payload)

    assert response.status_code == 200
    assert WebhookEvent.objects.get().event_type == "InvoicePaid"


def test_a_redelivered_webhook_is_acknowledged_and_does_nothing(
    alpha_realty: Location, post_and_commit: PostWebhook
) -> None:
    payload = ghl_events.inbound_message()

    first = post_and_commit(payload)
    second = post_and_commit(payload)

    assert first.json() == {"status": "accepted"}
    assert second.status_code == 200
    assert second.json() == {"status": "duplicate"}
    assert WebhookEvent.objects.count() == 1
    assert queued_tasks() == 1


def test_the_same_message_under_a_new_webhook_id_is_a_duplicate(
    alpha_realty: Location, post_and_commit: PostWebhook
) -> None:
    payload = ghl_events.inbound_message()
    again = {**payload, "webhookId": "another-webhook-id"}

    post_and_commit(payload)
    response = post_and_commit(again)

    assert response.json() == {"status": "duplicate"}
    assert WebhookEvent.objects.count() == 1


def test_an_event_for_a_location_we_do_not_serve_is_acknowledged_and_ignored(
    alpha_realty: Location, post_and_commit: PostWebhook
) -> None:
    response = post_and_commit(ghl_events.inbound_message(location_id="SomeoneElsesLocation"))

    assert response.status_code == 200
    assert response.json() == {"status": "ignored"}
    assert WebhookEvent.objects.count() == 0


def test_the_configured_location_is_created_on_its_first_webhook(
    db: None, settings: Any, post_and_commit: PostWebhook
) -> None:
    settings.GHL_LOCATION_ID = ghl_events.LOCATION_ID
    settings.GHL_API_TOKEN = "token-from-env"

    response = post_and_commit(ghl_events.inbound_message())

    assert response.json() == {"status": "accepted"}
    assert Location.objects.get().api_token == "token-from-env"


def test_when_the_database_is_down_it_answers_429_so_ghl_delivers_again(
    transactional_db: None, alpha_realty: Location, post_webhook: PostWebhook, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the database refuses connections
    connection.close()
    monkeypatch.setitem(connection.settings_dict, "PORT", "1")
    monkeypatch.setitem(connection.settings_dict, "HOST", "127.0.0.1")

    # when GHL posts
    response = post_webhook(ghl_events.inbound_message())

    # then it is told to retry, and nothing was half-stored
    assert response.status_code == 429
    assert response["Retry-After"]
    monkeypatch.undo()
    connection.close()
    assert WebhookEvent.objects.count() == 0


def test_a_bug_behind_the_fast_path_is_logged_and_answered_500(
    alpha_realty: Location, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(**_: Any) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(group_commit, "record_webhook", broken)

    response = post_webhook_through(WsgiClient())(ghl_events.inbound_message())

    # as Django answers a bug: 500, so GHL delivers again, and the traceback in the log
    assert response.status_code == 500
    assert response.json() == {"error": "internal error"}
    assert "webhook failed" in caplog.text


def test_a_get_is_not_allowed(client: Client, db: None) -> None:
    assert client.get("/webhooks/ghl/").status_code == 405


# -- workflow "Custom Webhook" posts -------------------------------------------------------------


@pytest.fixture
def alpha_is_the_install(alpha_realty: Location, settings: Any) -> Location:
    """The single-location install: GHL_WORKFLOW_WEBHOOK_SECRET is alpha's workflow secret."""
    settings.GHL_LOCATION_ID = alpha_realty.id
    return alpha_realty


def _post_workflow(client: Client, payload: dict[str, Any], secret: str | None = "workflow-secret-for-tests") -> Any:
    headers = {"HTTP_X_WEBHOOK_SECRET": secret} if secret is not None else {}
    return client.post("/webhooks/ghl/workflow/", data=json.dumps(payload), content_type="application/json", **headers)


def test_a_workflow_post_with_the_secret_is_stored(
    alpha_is_the_install: Location, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = _post_workflow(client, ghl_events.workflow_webhook())

    assert response.status_code == 200
    event = WebhookEvent.objects.get()
    assert event.source == "workflow"
    assert queued_tasks() == 1


@pytest.mark.parametrize("secret", [None, "", "wrong"])
def test_a_workflow_post_without_the_right_secret_is_refused(
    alpha_is_the_install: Location, client: Client, secret: str | None
) -> None:
    response = _post_workflow(client, ghl_events.workflow_webhook(), secret=secret)

    assert response.status_code == 401
    assert WebhookEvent.objects.count() == 0


def test_a_malformed_workflow_post_gets_a_400(alpha_is_the_install: Location, client: Client) -> None:
    payload = ghl_events.workflow_webhook()
    del payload["contact_id"]

    response = _post_workflow(client, payload)

    assert response.status_code == 400
    assert "contact_id" in response.json()["error"]


def test_json_postgres_cannot_store_gets_a_400_not_a_500(alpha_realty: Location, client: Client) -> None:
    payload = ghl_events.inbound_message(body="nul \u0000 inside")

    response = _post_signed_raw(client, ghl_events.encode(payload))

    assert response.status_code == 400
    assert WebhookEvent.objects.count() == 0


def test_nan_which_python_reads_but_json_does_not_have_gets_a_400(alpha_realty: Location, client: Client) -> None:
    body = ghl_events.encode(ghl_events.inbound_message()).replace(b'"messageType"', b'"score":NaN,"messageType"')

    response = _post_signed_raw(client, body)

    assert response.status_code == 400
    assert "NaN" in response.json()["error"]
    assert WebhookEvent.objects.count() == 0


def test_a_value_too_long_to_store_gets_a_400_and_stores_nothing(alpha_realty: Location, client: Client) -> None:
    response = _post_signed_raw(client, ghl_events.encode(ghl_events.inbound_message(webhook_id="w" * 200)))

    assert response.status_code == 400
    assert WebhookEvent.objects.count() == 0


def test_a_body_that_is_not_utf8_gets_a_400(alpha_realty: Location, client: Client) -> None:
    response = _post_signed_raw(client, json.dumps({"type": "InboundMessage"}).encode("utf-16"))

    assert response.status_code == 400
