"""/metrics in Prometheus text format, and /health/ready/ with the queue depths."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.utils import timezone
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from bots.tasks import deliver_outbox
from jorgebot.metrics import RequestMetricsMiddleware
from leads.models import Contact, Location, OutboxMessage
from tests.conftest import REPO_ROOT, _database_url_of_test_db, post_webhook_through
from tests.fakes import ghl_events
from tests.leads.wsgi_client import WsgiClient


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


SCRAPE_TOKEN = "scrape-secret-for-tests"


@pytest.fixture(autouse=True)
def _scrape_token(settings: Any) -> None:
    """Outside DEBUG /metrics is served only with its token (tests/api/test_exposure.py)."""
    settings.JORGEBOT_METRICS_TOKEN = SCRAPE_TOKEN


def scraped(client: Client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {SCRAPE_TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.content.decode())
        for s in family.samples
    }


@pytest.fixture(params=["django_view", "wsgi_fast_path"])
def webhook_door(request: pytest.FixtureRequest, client: Client) -> Client | WsgiClient:
    return client if request.param == "django_view" else WsgiClient()


def test_webhooks_are_counted_and_timed_by_endpoint(alpha_realty: Location, webhook_door: Client | WsgiClient) -> None:
    post_webhook = post_webhook_through(webhook_door)
    before = sample("jorgebot_http_requests_total", endpoint="webhook", status="2xx")
    timed_before = sample("jorgebot_http_request_seconds_count", endpoint="webhook")

    for n in range(3):
        post_webhook(ghl_events.inbound_message(message_id=f"MetricsMsg{n}"))
    post_webhook(ghl_events.inbound_message(), headers={})

    assert sample("jorgebot_http_requests_total", endpoint="webhook", status="2xx") == before + 3
    assert sample("jorgebot_http_requests_total", endpoint="webhook", status="4xx") >= 1
    assert sample("jorgebot_http_request_seconds_count", endpoint="webhook") == timed_before + 4


def test_deliveries_signed_with_the_deprecated_rsa_key_are_counted(
    alpha_realty: Location, webhook_door: Client | WsgiClient
) -> None:
    # GHL deprecated x-wh-signature (RSA) in 2026: the count says whether anything still sends it.
    post_webhook = post_webhook_through(webhook_door)
    before = sample("jorgebot_webhooks_rsa_signed_total")

    post_webhook(ghl_events.inbound_message(body="signed the old way"), scheme="rsa")
    post_webhook(ghl_events.inbound_message(body="signed the new way"), scheme="ed25519")

    assert sample("jorgebot_webhooks_rsa_signed_total") == before + 1


def test_timing_a_request_touches_no_database(db: None, django_assert_num_queries: Any) -> None:
    timed = RequestMetricsMiddleware(lambda request: HttpResponse("ok"))
    before = sample("jorgebot_http_request_seconds_count", endpoint="webhook")

    with django_assert_num_queries(0):
        timed(RequestFactory().post("/webhooks/ghl/"))

    assert sample("jorgebot_http_request_seconds_count", endpoint="webhook") == before + 1


def test_settled_writes_to_ghl_are_counted_by_outcome(maria: Contact) -> None:
    row = OutboxMessage.objects.create(location=maria.location, contact=maria, kind="sms", idempotency_key="m1")
    sent_before = sample("jorgebot_outbox_outcomes_total", kind="sms", status="sent")
    blocked_before = sample("jorgebot_outbox_outcomes_total", kind="sms", status="blocked")

    row.status, row.status_reason = "sent", "answer to the lead's text"
    row.save(update_fields=["status", "status_reason", "updated_at"])
    row.status, row.status_reason = "blocked", "the lead opted out"
    row.save(update_fields=["status", "status_reason", "updated_at"])
    row.save(update_fields=["attempts"])

    assert sample("jorgebot_outbox_outcomes_total", kind="sms", status="sent") == sent_before + 1
    assert sample("jorgebot_outbox_outcomes_total", kind="sms", status="blocked") == blocked_before + 1


def test_each_task_run_is_timed_under_its_name(maria: Contact) -> None:
    before = sample("jorgebot_task_seconds_count", task="deliver_outbox")

    deliver_outbox.apply(args=[maria.pk])

    assert sample("jorgebot_task_seconds_count", task="deliver_outbox") == before + 1


def test_claude_calls_and_spend_are_counted(alpha_realty: Location) -> None:
    from bots.llm.models import LLMCall

    calls_before = sample("jorgebot_claude_calls_total", task="phrasing", outcome="ok")
    spend_before = sample("jorgebot_claude_spend_usd_total", task="phrasing")

    LLMCall.objects.create(location=alpha_realty, task="phrasing", model="claude-sonnet-4-6", outcome="ok",
                           input_tokens=900, output_tokens=60, cost_usd=Decimal("0.0036"))

    assert sample("jorgebot_claude_calls_total", task="phrasing", outcome="ok") == calls_before + 1
    assert sample("jorgebot_claude_spend_usd_total", task="phrasing") == pytest.approx(spend_before + 0.0036)


def test_cache_reads_are_counted_as_hits_and_misses(db: None) -> None:
    from django.core.cache import caches

    cache = caches["default"]
    hits, misses = sample("jorgebot_cache_lookups_total", cache="default", result="hit"), sample(
        "jorgebot_cache_lookups_total", cache="default", result="miss"
    )

    cache.set("metrics-test", 1)
    cache.get("metrics-test")
    cache.get("metrics-test-absent")
    cache.get_many(["metrics-test", "metrics-test-absent"])

    assert sample("jorgebot_cache_lookups_total", cache="default", result="hit") == hits + 1
    assert sample("jorgebot_cache_lookups_total", cache="default", result="miss") == misses + 2


def test_the_cache_keeps_one_redis_client_rather_than_one_per_operation(db: None) -> None:
    from django.core.cache import caches

    client = caches["cachalot"]._cache

    assert client.get_client("a", write=True) is client.get_client("b")
    caches["cachalot"].set("reused-client-test", 1)
    assert caches["cachalot"].get("reused-client-test") == 1


def test_metrics_report_queue_depth_and_unsettled_work(client: Client, maria: Contact) -> None:
    deliver_outbox.apply_async(args=[maria.pk])
    deliver_outbox.apply_async(args=[maria.pk])
    OutboxMessage.objects.create(location=maria.location, contact=maria, kind="sms", idempotency_key="waiting",
                                 status="deferred", send_after=timezone.now())

    metrics = scraped(client)

    assert metrics[("jorgebot_queue_depth", (("queue", "bots"),))] == 2
    assert metrics[("jorgebot_queue_depth", (("queue", "webhooks"),))] == 0
    assert metrics[("jorgebot_outbox_waiting", (("status", "deferred"),))] == 1
    assert ("jorgebot_webhook_events_pending", ()) in metrics


def test_metrics_need_the_bearer_token_when_one_is_set(client: Client, settings: Any, db: None) -> None:
    settings.JORGEBOT_METRICS_TOKEN = "scrape-secret"

    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-secret").status_code == 200


def test_readiness_reports_each_queues_depth(client: Client, maria: Contact) -> None:
    deliver_outbox.apply_async(args=[maria.pk])

    body = client.get("/health/ready/").json()

    assert body["database"] == body["redis"] == body["broker"] == "ok"
    assert body["queue_depth"] == {"analytics": 0, "bots": 1, "llm": 0, "webhooks": 0}


def test_gunicorn_workers_add_up_in_one_scrape(db: None, tmp_path: Path) -> None:
    """Two gunicorn workers, PROMETHEUS_MULTIPROC_DIR shared: /metrics counts every request, whoever served it."""
    from bench.harness import free_port

    port = free_port()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
           "DATABASE_URL": _database_url_of_test_db(), "DATABASE_POOL": "false", "DJANGO_SECRET_KEY": "metrics-test",
           "JORGEBOT_ENCRYPTION_KEYS": ",".join(django_settings.JORGEBOT_ENCRYPTION_KEYS),
           "DJANGO_DEBUG": "0", "DJANGO_SECURE_SSL": "0", "JORGEBOT_METRICS_TOKEN": SCRAPE_TOKEN}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "jorgebot.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--log-level", "warning"], cwd=REPO_ROOT, env=env, start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for(base + "/health/")
        for _ in range(40):
            urllib.request.urlopen(base + "/health/").read()
        scrape = urllib.request.Request(base + "/metrics", headers={"Authorization": f"Bearer {SCRAPE_TOKEN}"})
        text = urllib.request.urlopen(scrape).read().decode()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)

    served = {s.labels["pid"] for family in text_string_to_metric_families(text) for s in family.samples
              if "pid" in s.labels}
    counted = [s.value for family in text_string_to_metric_families(text) for s in family.samples
               if s.name == "jorgebot_http_requests_total" and s.labels == {"endpoint": "health", "status": "2xx"}]
    assert counted and counted[0] >= 41
    assert not served, "per-process samples must be summed, not listed by pid"


def _wait_for(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url).read()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
