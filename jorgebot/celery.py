"""The Celery app: Redis broker, JSON only, late acks, one task at a time per worker process."""
import os
import threading

from celery import Celery
from celery.signals import task_postrun, task_prerun, worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jorgebot.settings")

app = Celery("jorgebot")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Task timings, GHL write outcomes and Claude calls for /metrics: its receivers connect on import.
import jorgebot.metrics  # noqa: E402,F401


@worker_process_init.connect
def _close_inherited_connections(**_: object) -> None:
    # A forked pool process must not reuse the parent's database sockets.
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        connection.close()


# Cachalot's state before each running task, per thread (a task applied eagerly inside another nests).
_cachalot_before_task = threading.local()


@task_prerun.connect
def _read_past_cachalot(**_: object) -> None:
    """Tasks read rows that were just written (the webhook's event, the turn's outbox), so a cached read would
    almost always miss, and building its cache key costs more CPU than the query. Their writes still
    invalidate the cache, so the admin and the API never read stale rows."""
    from cachalot.api import LOCAL_STORAGE
    from django.conf import settings

    stack = _cachalot_before_task.__dict__.setdefault("stack", [])
    stack.append(getattr(LOCAL_STORAGE, "cachalot_enabled", settings.CACHALOT_ENABLED))
    LOCAL_STORAGE.cachalot_enabled = False


@task_postrun.connect
def _cachalot_back_after_task(**_: object) -> None:
    from cachalot.api import LOCAL_STORAGE

    stack = _cachalot_before_task.__dict__.get("stack")
    if stack:
        LOCAL_STORAGE.cachalot_enabled = stack.pop()
