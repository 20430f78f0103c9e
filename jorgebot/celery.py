"""The Celery app: Redis broker, JSON only, late acks, one task at a time per worker process."""
import os

from celery import Celery
from celery.signals import worker_process_init

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
