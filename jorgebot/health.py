"""Health checks for load balancers and orchestrators: alive, and ready to take traffic."""
from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from jorgebot.metrics import queue_depths
from jorgebot.redis import get_redis


@require_GET
def alive(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _check_redis() -> str:
    get_redis().ping()
    return "ok"


def _check_broker() -> str:
    from jorgebot.celery import app

    with app.connection_for_write() as broker:
        broker.ensure_connection(max_retries=1, timeout=2)
    return "ok"


def _sending_paused(results: dict[str, str]) -> bool:
    """The install-wide kill switch as the gate sees it: the environment's, or the admin's when the database answers."""
    from bots.models import SendingSwitch

    return settings.JORGEBOT_SENDING_PAUSED or (results["database"] == "ok" and SendingSwitch.is_paused())


@require_GET
def ready(request: HttpRequest) -> JsonResponse:
    checks = {"database": _check_database, "redis": _check_redis, "broker": _check_broker}
    results: dict[str, str] = {}
    for name, check in checks.items():
        try:
            results[name] = check()
        except Exception as exc:  # a readiness probe reports every failure, whatever its type
            results[name] = f"error: {type(exc).__name__}"
    healthy = all(value == "ok" for value in results.values())
    report: dict[str, object] = {**results, "sending_paused": "yes" if _sending_paused(results) else "no"}
    if results["broker"] == "ok":
        # Waiting tasks per queue: a long queue is slow, not down, so it never fails the check.
        report["queue_depth"] = queue_depths()
    return JsonResponse(report, status=200 if healthy else 503)
