"""The Celery app: Redis broker, JSON only, late acks, one task at a time per worker process."""
import os
import threading

from celery import Celery, Task
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


@task_prerun.connect
@task_postrun.connect
def _hand_back_the_database_connection(sender: Task | None = None, **_: object) -> None:
    """What Django does around a request: a connection that broke or outlived CONN_MAX_AGE (0: every one) is
    closed, which with the pool hands it back for the next task. Celery's own closing, which reconnected for
    every task, runs only every CELERY_DB_REUSE_MAX tasks. A task applied eagerly runs inside its caller's
    transaction, which it must not end."""
    from django.db import close_old_connections

    if sender is not None and not getattr(sender.request, "is_eager", False):
        close_old_connections()


# The cachalot_disabled() blocks of the running tasks, per thread (a task applied eagerly inside another nests).
_tasks_past_cachalot = threading.local()


@task_prerun.connect
def _read_past_cachalot(**_: object) -> None:
    """Tasks read rows that were just written (the webhook's event, the turn's outbox), so a cached read would
    almost always miss, and building its cache key costs more CPU than the query. Their writes still
    invalidate the cache, so the admin and the API never read stale rows."""
    from cachalot.api import cachalot_disabled

    block = cachalot_disabled()
    block.__enter__()
    _tasks_past_cachalot.__dict__.setdefault("blocks", []).append(block)


@task_postrun.connect
def _cachalot_back_after_task(**_: object) -> None:
    # task_postrun comes whether the task returned or raised: close the block as if it had returned, since
    # cachalot_disabled restores nothing when its block raises.
    blocks = _tasks_past_cachalot.__dict__.get("blocks")
    if blocks:
        blocks.pop().__exit__(None, None, None)
