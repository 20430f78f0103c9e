"""Prometheus metrics at /metrics: webhook rate and latency, task (turn) latency, GHL writes by outcome, queue
depth, cache hit rates, and Claude's calls and spend.

Recording is in-process and costs microseconds, so the webhook's hot path gains no database or Redis work.
With PROMETHEUS_MULTIPROC_DIR set (one directory per host, shared by gunicorn workers and Celery processes),
each process writes its counters to a memory-mapped file and /metrics sums them; without it (runserver,
tests) the counters live in the one process. Queue depths and pending work are read when scraped.
"""
from __future__ import annotations

import hmac
import logging
import os
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

# prometheus_client picks its storage when imported: the directory must exist by then, and an empty value
# (which it would take as "write files into the working directory") means off.
if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)
else:
    os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)

from celery.signals import task_postrun, task_prerun  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.cache.backends.base import DEFAULT_TIMEOUT  # noqa: E402
from django.core.cache.backends.redis import RedisCache, RedisCacheClient  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.db.models.signals import post_save  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.views.decorators.http import require_GET  # noqa: E402
from prometheus_client import (  # noqa: E402
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    values,
)
from prometheus_client.core import GaugeMetricFamily, Metric  # noqa: E402
from prometheus_client.multiprocess import MultiProcessCollector  # noqa: E402
from prometheus_client.registry import Collector  # noqa: E402
from redis.exceptions import RedisError  # noqa: E402

logger = logging.getLogger(__name__)

MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
if MULTIPROCESS:
    # Containers sharing the directory (web and worker in compose.yaml) reuse process ids: name each
    # process's files by host as well, or two processes would write into one file.
    _HOST = socket.gethostname().replace("_", "-")
    values.ValueClass = values.MultiProcessValue(lambda: f"{_HOST}-{os.getpid()}")

REQUEST_SECONDS = Histogram(
    "jorgebot_http_request_seconds",
    "Time to answer an HTTP request, by endpoint group (webhook, workflow_webhook, api, admin, health, other)",
    ["endpoint"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
REQUESTS = Counter(
    "jorgebot_http_requests_total", "HTTP requests answered, by endpoint group and status class", ["endpoint", "status"]
)
TASK_SECONDS = Histogram(
    "jorgebot_task_seconds",
    "Time a Celery task ran; task=take_turn is one bot turn (reading, deciding, queueing the reply)",
    ["task"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
OUTBOX_OUTCOMES = Counter(
    "jorgebot_outbox_outcomes_total",
    "What became of writes to GHL (texts, tags, fields): sent, deferred (quiet hours), blocked by the gate, "
    "cancelled, failed, or parked for a person",
    ["kind", "status"],
)
CACHE_LOOKUPS = Counter(
    "jorgebot_cache_lookups_total", "Cache reads by cache (default, cachalot) and result (hit, miss)",
    ["cache", "result"],
)
RSA_SIGNED_WEBHOOKS = Counter(
    "jorgebot_webhooks_rsa_signed",
    "GHL webhooks accepted on the legacy x-wh-signature (RSA), which GHL deprecated in 2026 for x-ghl-signature",
)
CLAUDE_CALLS = Counter("jorgebot_claude_calls_total", "Requests to Claude by task and outcome", ["task", "outcome"])
CLAUDE_SPEND = Counter("jorgebot_claude_spend_usd_total", "What Claude cost at list price, in US dollars", ["task"])
CLAUDE_TOKENS = Counter("jorgebot_claude_tokens_total", "Claude tokens by direction (input, output, cache_read, "
                        "cache_write)", ["direction"])

# -- HTTP ------------------------------------------------------------------------------------------------

_ENDPOINT_PREFIXES = (
    ("/webhooks/ghl/workflow/", "workflow_webhook"),
    ("/webhooks/ghl/", "webhook"),
    ("/api/", "api"),
    ("/admin/", "admin"),
    ("/health/", "health"),
    ("/metrics", "metrics"),
)


def endpoint_of(path: str) -> str:
    for prefix, name in _ENDPOINT_PREFIXES:
        if path.startswith(prefix):
            return name
    return "other"


class RequestMetricsMiddleware:
    """Times every request and counts it by endpoint group: two in-process updates, no I/O."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        record_request(endpoint_of(request.path_info), response.status_code, time.perf_counter() - started)
        return response


def record_request(endpoint: str, status: int, seconds: float) -> None:
    """Count and time one answered request (also called by the webhook's fast path, which has no middleware)."""
    _timer(endpoint).observe(seconds)
    _counter(endpoint, status // 100).inc()


# labels() takes a lock and builds a key on every call; the children are few and fixed, so keep them.
_timers: dict[str, Any] = {}
_counters: dict[tuple[str, int], Any] = {}


def _timer(endpoint: str) -> Any:
    child = _timers.get(endpoint)
    if child is None:
        child = _timers[endpoint] = REQUEST_SECONDS.labels(endpoint)
    return child


def _counter(endpoint: str, status_class: int) -> Any:
    child = _counters.get((endpoint, status_class))
    if child is None:
        child = _counters[(endpoint, status_class)] = REQUESTS.labels(endpoint, f"{status_class}xx")
    return child


# -- Celery tasks ------------------------------------------------------------------------------------------

_task_started: dict[str, float] = {}
_task_lock = threading.Lock()


@task_prerun.connect
def _task_begins(task_id: str | None = None, **_: Any) -> None:
    if task_id:
        with _task_lock:
            _task_started[task_id] = time.perf_counter()


@task_postrun.connect
def _task_ends(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    with _task_lock:
        started = _task_started.pop(task_id or "", None)
    if started is not None and task is not None:
        TASK_SECONDS.labels(task.name.rsplit(".", 1)[-1]).observe(time.perf_counter() - started)


# -- model events: GHL writes and Claude calls ---------------------------------------------------------------

_OUTCOMES = frozenset({"sent", "deferred", "blocked", "cancelled", "failed", "parked"})


def _outbox_saved(instance: Any, created: bool, update_fields: Any = None, **_: Any) -> None:
    # The sender settles a row with save(update_fields=[..., "status_reason", ...]); count that moment only.
    if update_fields and "status_reason" in update_fields and instance.status in _OUTCOMES:
        OUTBOX_OUTCOMES.labels(instance.kind, instance.status).inc()


def _claude_call_saved(instance: Any, created: bool, **_: Any) -> None:
    if not created:
        return
    CLAUDE_CALLS.labels(instance.task, instance.outcome).inc()
    CLAUDE_SPEND.labels(instance.task).inc(float(instance.cost_usd))
    for direction in ("input", "output", "cache_read", "cache_write"):
        CLAUDE_TOKENS.labels(direction).inc(getattr(instance, f"{direction}_tokens"))


post_save.connect(_outbox_saved, sender="leads.OutboxMessage", dispatch_uid="metrics-outbox")
post_save.connect(_claude_call_saved, sender="llm.LLMCall", dispatch_uid="metrics-claude-call")


# -- caches ---------------------------------------------------------------------------------------------------


class _ReusedClients(RedisCacheClient):
    """Django's Redis cache client, keeping one `redis.Redis` per connection pool: Django builds a new one for
    every operation (about 0.1 ms of CPU each, a dozen times on an admin page or a worker's turn)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]  # django-stubs: private, not in the stubs
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]  # django-stubs: private, not in the stubs
        return client


class CountingRedisCache(RedisCache):
    """Django's Redis cache, counting hits and misses under the name in the cache's `METRICS_NAME`.

    A cache is never why a page fails: with Redis unreachable a read is a miss and a write is skipped, so the API,
    the admin and cachalot's queries go to PostgreSQL (the soak counted 17 answers of 500 in a 10 s Redis outage
    before). Writes skipped then include cachalot's invalidations, so a cache with `CLEAR_AFTER_OUTAGE` empties
    itself the first time Redis answers again: a stale query result must never outlive the outage.
    """

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        params = dict(params)
        name = str(params.pop("METRICS_NAME", "default"))
        self._clear_after_outage = bool(params.pop("CLEAR_AFTER_OUTAGE", False))
        super().__init__(server, params)
        self._class = _ReusedClients
        self._name = name
        self._hits = CACHE_LOOKUPS.labels(name, "hit")
        self._misses = CACHE_LOOKUPS.labels(name, "miss")
        self._in_outage = False

    def _soft(self, call: Any, fallback: Any) -> Any:
        try:
            if self._in_outage and self._clear_after_outage:
                # Invalidations written during the outage were lost: empty the cache before trusting it again.
                super().clear()
            result = call()
        except RedisError as error:
            if not self._in_outage:
                logger.warning("cache %s unreachable (%s): reading PostgreSQL instead", self._name,
                               type(error).__name__)
            self._in_outage = True
            return fallback
        if self._in_outage:
            self._in_outage = False
            logger.warning("cache %s reachable again", self._name)
        return result

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        missing = object()
        value = self._soft(lambda: super(CountingRedisCache, self).get(key, missing, version), missing)
        (self._misses if value is missing else self._hits).inc()
        return default if value is missing else value

    def get_many(self, keys: Any, version: Any = None) -> dict[Any, Any]:
        # Cachalot reads a query's result with its tables' stamps in one call: all found is one hit.
        keys = list(keys)
        found: dict[Any, Any] = self._soft(lambda: super(CountingRedisCache, self).get_many(keys, version), {})
        (self._hits if len(found) == len(keys) else self._misses).inc()
        return found

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        return bool(self._soft(lambda: super(CountingRedisCache, self).add(key, value, timeout, version), False))

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> None:
        self._soft(lambda: super(CountingRedisCache, self).set(key, value, timeout, version), None)

    def set_many(self, data: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> list[Any]:
        failed: list[Any] = self._soft(
            lambda: super(CountingRedisCache, self).set_many(data, timeout, version), list(data)
        )
        return failed

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        return bool(self._soft(lambda: super(CountingRedisCache, self).touch(key, timeout, version), False))

    def delete(self, key: Any, version: Any = None) -> bool:
        return bool(self._soft(lambda: super(CountingRedisCache, self).delete(key, version), False))

    def delete_many(self, keys: Any, version: Any = None) -> None:
        self._soft(lambda: super(CountingRedisCache, self).delete_many(keys, version), None)

    def has_key(self, key: Any, version: Any = None) -> bool:
        return bool(self._soft(lambda: super(CountingRedisCache, self).has_key(key, version), False))


# -- read at scrape time ------------------------------------------------------------------------------------------


WAITING_OUTBOX_STATUSES = ("pending", "sending", "deferred")


def celery_queues() -> list[str]:
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    return sorted(routed | {settings.CELERY_TASK_DEFAULT_QUEUE})


def queue_depths() -> dict[str, int]:
    """Tasks waiting in each Celery queue (Redis or RabbitMQ), read from the broker."""
    from jorgebot.celery import app

    depths: dict[str, int] = {}
    with app.connection_for_read() as connection:
        channel = connection.default_channel
        for queue in celery_queues():
            try:
                depths[queue] = int(channel.queue_declare(queue=queue, passive=True).message_count)
            except Exception:  # RabbitMQ refuses a passive declare of a queue no worker has declared yet
                depths[queue] = 0
                channel = connection.channel()
    return depths


class ScrapeTimeCollector(Collector):
    """Queue depths and stored-but-unfinished work, read when Prometheus asks."""

    def describe(self) -> Iterator[Metric]:
        # Registering must not read the broker or the database (the registry calls collect() otherwise).
        return iter(())

    def collect(self) -> Iterator[Metric]:
        queues = GaugeMetricFamily("jorgebot_queue_depth", "Tasks waiting in a Celery queue", labels=["queue"])
        try:
            for queue, depth in queue_depths().items():
                queues.add_metric([queue], depth)
        except Exception:  # the broker is down: /health/ready/ says so; the rest still reports
            logger.warning("queue depth unavailable: broker unreachable")
        yield queues
        yield from self._pending_work()

    def _pending_work(self) -> Iterator[Metric]:
        from leads.models import OutboxMessage, WebhookEvent

        # Every count here reads a partial index that holds only unfinished rows.
        events = WebhookEvent.objects.filter(processed_at__isnull=True).count()
        yield GaugeMetricFamily("jorgebot_webhook_events_pending", "Stored GHL events not applied yet", value=events)
        waiting = GaugeMetricFamily(
            "jorgebot_outbox_waiting", "Writes to GHL not settled yet, by status", labels=["status"]
        )
        counts = dict(
            OutboxMessage.objects.filter(status__in=WAITING_OUTBOX_STATUSES)
            .values_list("status")
            .annotate(rows=Count("pk"))
            .order_by()
        )
        for status in WAITING_OUTBOX_STATUSES:
            waiting.add_metric([status], counts.get(status, 0))
        yield waiting


_SCRAPE_TIME = ScrapeTimeCollector()
if not MULTIPROCESS:
    REGISTRY.register(_SCRAPE_TIME)


def _registry() -> CollectorRegistry:
    if not MULTIPROCESS:
        return REGISTRY
    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    registry.register(_SCRAPE_TIME)
    return registry


@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus text format, for `Authorization: Bearer <JORGEBOT_METRICS_TOKEN>`; without a token set, only under
    DEBUG (the counts and queue depths tell an outsider how busy each part is, and when it is down)."""
    token = settings.JORGEBOT_METRICS_TOKEN
    if not token and not settings.DEBUG:
        return HttpResponse("set JORGEBOT_METRICS_TOKEN to serve metrics\n", status=403, content_type="text/plain")
    given = request.headers.get("Authorization", "")
    if token and not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return HttpResponse("metrics need the bearer token\n", status=401, content_type="text/plain")
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)
