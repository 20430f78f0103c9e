"""The webhook doors under faults and hostile bodies: Redis unreachable, a lone surrogate in a signed body.

GHL redelivers only on 429, so a webhook answered anything else is never seen again: with Redis down it must
be stored in PostgreSQL and answered 200 (the sweeper hands it to the worker once the broker is back).
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import socket
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from django.db import connection
from django.test import Client
from django.utils import timezone

from bots.tasks import sweep_stuck_work
from jorgebot.celery import app as celery_app
from leads.ingest import doors
from leads.models import Contact, Location, WebhookEvent
from tests.conftest import WorkerProcess, post_webhook_through, wait_for
from tests.fakes import ghl_events
from tests.leads.wsgi_client import WsgiClient


@pytest.fixture(params=["django_view", "wsgi_fast_path"])
def door(request: pytest.FixtureRequest, client: Client) -> Client | WsgiClient:
    """Both doors: the Django view, and gunicorn's application with the fast path in front of Django."""
    return client if request.param == "django_view" else WsgiClient()


def _closed_port() -> int:
    """A local port nothing listens on: connecting to it is refused at once, as a stopped Redis is."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RedisOutage:
    """Every Redis the web process uses (the cache, cachalot's cache, the Celery broker) refusing connections,
    from `begin()` until `end()`."""

    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self.address = f"redis://127.0.0.1:{_closed_port()}/0"
        self._caches = settings.CACHES
        self._broker_url = celery_app.conf.broker_url
        self._retry_policy = celery_app.conf.task_publish_retry_policy

    def begin(self) -> None:
        self.settings.CACHES = {name: {**cache, "LOCATION": self.address} for name, cache in self._caches.items()}
        celery_app.conf.broker_url = self.address
        # Publishing to a broker that is down retries a few times first; keep it short here.
        celery_app.conf.task_publish_retry_policy = {"max_retries": 1, "interval_start": 0}
        self._forget_broker_connections()
        doors.forget_served_locations()
        with pytest.raises(redis.exceptions.ConnectionError):
            redis.Redis.from_url(self.address).ping()

    def end(self) -> None:
        self.settings.CACHES = self._caches
        celery_app.conf.broker_url = self._broker_url
        celery_app.conf.task_publish_retry_policy = self._retry_policy
        self._forget_broker_connections()

    @staticmethod
    def _forget_broker_connections() -> None:
        celery_app._pool = None
        celery_app.amqp._producer_pool = None


@pytest.fixture
def redis_unreachable(settings: Any) -> Iterator[RedisOutage]:
    """Redis down for the test. Tests using it run in autocommit (transactional_db), as requests do: inside the
    test's transaction cachalot would not read Redis for a table the test just wrote."""
    outage = RedisOutage(settings)
    outage.begin()
    yield outage
    # Over before the test database is emptied, which tells cachalot (in Redis) that every table changed.
    outage.end()


def test_with_redis_down_a_signed_webhook_is_stored_and_answered_200(
    transactional_db: None, alpha_realty: Location, door: Client | WsgiClient, redis_unreachable: RedisOutage
) -> None:
    payload = ghl_events.inbound_message(body="Still want to sell")

    response = post_webhook_through(door)(payload)

    assert response.status_code == 200
    assert response.json() == {"status": "accepted"}
    assert WebhookEvent.objects.filter(webhook_id=payload["webhookId"]).exists()


def test_with_redis_down_the_configured_location_is_still_created_on_its_first_webhook(
    transactional_db: None, settings: Any, door: Client | WsgiClient, redis_unreachable: RedisOutage
) -> None:
    settings.GHL_LOCATION_ID = ghl_events.LOCATION_ID

    response = post_webhook_through(door)(ghl_events.inbound_message())

    assert response.json() == {"status": "accepted"}
    redis_unreachable.end()
    assert Location.objects.filter(id=ghl_events.LOCATION_ID).exists()
    assert WebhookEvent.objects.count() == 1


def test_with_redis_down_a_workflow_post_is_stored_and_answered_200(
    transactional_db: None, alpha_realty: Location, settings: Any, door: Client | WsgiClient,
    redis_unreachable: RedisOutage,
) -> None:
    settings.GHL_LOCATION_ID = alpha_realty.id
    payload = ghl_events.workflow_webhook(event_id="wf-during-redis-outage")

    response = door.post(
        "/webhooks/ghl/workflow/", data=json.dumps(payload), content_type="application/json",
        HTTP_X_WEBHOOK_SECRET=settings.GHL_WORKFLOW_WEBHOOK_SECRET,
    )

    assert response.status_code == 200
    assert WebhookEvent.objects.filter(source="workflow").count() == 1


def test_with_redis_and_postgresql_down_a_webhook_gets_429(
    transactional_db: None, alpha_realty: Location, door: Client | WsgiClient, redis_unreachable: RedisOutage,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    connection.close()
    monkeypatch.setitem(connection.settings_dict, "PORT", "1")
    monkeypatch.setitem(connection.settings_dict, "HOST", "127.0.0.1")

    response = post_webhook_through(door)(ghl_events.inbound_message())

    assert response.status_code == 429
    assert response["Retry-After"]
    monkeypatch.undo()
    connection.close()


@pytest.mark.worker
def test_a_webhook_stored_while_the_broker_was_down_is_swept_to_the_worker_once_it_is_back(
    celery_worker: WorkerProcess, alpha_realty: Location, redis_unreachable: RedisOutage
) -> None:
    # given a webhook stored while Redis was down: its enqueue failed
    response = post_webhook_through(WsgiClient())(ghl_events.contact_update(first_name="Maria"))
    assert response.status_code == 200
    event = WebhookEvent.objects.get()

    # when Redis is back and the sweeper runs after its wait
    redis_unreachable.end()
    WebhookEvent.objects.filter(pk=event.pk).update(received_at=timezone.now() - dt.timedelta(hours=1))
    sweep_stuck_work()

    # then the worker applies it
    wait_for(lambda: WebhookEvent.objects.filter(pk=event.pk, processed_at__isnull=False).exists())
    assert Contact.objects.get(location=alpha_realty).first_name == "Maria"


# -- a lone surrogate -------------------------------------------------------------------------------


LONE_SURROGATE_BODY = "call me at 512-555-0143 \\ud800 please"


def _with_lone_surrogate(payload: dict[str, Any], field: str) -> bytes:
    """The payload as JSON with a lone high surrogate escaped in `field` (valid JSON; not valid Unicode)."""
    payload[field] = "PLACEHOLDER"
    return json.dumps(payload).encode().replace(b"PLACEHOLDER", LONE_SURROGATE_BODY.encode())


def test_a_lone_surrogate_in_a_signed_body_gets_400_without_the_body_in_the_log(
    alpha_realty: Location, door: Client | WsgiClient, caplog: pytest.LogCaptureFixture
) -> None:
    body = _with_lone_surrogate(ghl_events.inbound_message(), "body")
    caplog.set_level(logging.DEBUG)

    response = door.post(
        "/webhooks/ghl/", data=body, content_type="application/json",
        HTTP_X_GHL_SIGNATURE=ghl_events.sign_ed25519(body),
    )

    assert response.status_code == 400
    assert "512-555-0143" not in caplog.text and "512-555-0143" not in response.content.decode()
    assert WebhookEvent.objects.count() == 0


def test_a_lone_surrogate_in_a_workflow_post_gets_400_without_the_body_in_the_log(
    alpha_realty: Location, settings: Any, door: Client | WsgiClient, caplog: pytest.LogCaptureFixture
) -> None:
    settings.GHL_LOCATION_ID = alpha_realty.id
    body = _with_lone_surrogate(ghl_events.workflow_webhook(), "first_name")
    caplog.set_level(logging.DEBUG)

    response = door.post(
        "/webhooks/ghl/workflow/", data=body, content_type="application/json",
        HTTP_X_WEBHOOK_SECRET=settings.GHL_WORKFLOW_WEBHOOK_SECRET,
    )

    assert response.status_code == 400
    assert "512-555-0143" not in caplog.text
    assert WebhookEvent.objects.count() == 0


def test_an_escaped_emoji_surrogate_pair_is_still_accepted(
    alpha_realty: Location, door: Client | WsgiClient
) -> None:
    payload = ghl_events.inbound_message()
    payload["body"] = "PLACEHOLDER"
    body = json.dumps(payload).encode().replace(b"PLACEHOLDER", b"sounds good \\ud83d\\ude00")

    response = door.post(
        "/webhooks/ghl/", data=body, content_type="application/json",
        HTTP_X_GHL_SIGNATURE=ghl_events.sign_ed25519(body),
    )

    assert response.json() == {"status": "accepted"}
    assert WebhookEvent.objects.get().payload["body"] == "sounds good \U0001f600"

