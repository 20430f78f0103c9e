"""Hands stored webhook events to the worker in batches: one broker publish per short window per process.

A Celery publish costs about a millisecond of CPU, as much as the rest of the webhook request;
batching keeps it off the request path. Nothing depends on this buffer for durability: the events
are already committed, and the sweeper re-enqueues any a dying web process never handed over.
"""
from __future__ import annotations

import atexit
import logging
import os
import threading
from collections.abc import Callable

from celery import current_app
from django.conf import settings

logger = logging.getLogger(__name__)

Publish = Callable[[list[int]], None]


class EventDispatcher:
    def __init__(self, publish: Publish, window_seconds: Callable[[], float], max_batch: int = 500) -> None:
        self._publish = publish
        self._window = window_seconds
        self._max_batch = max_batch
        self._pending: list[int] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = 0

    def add(self, event_id: int) -> None:
        with self._lock:
            self._pending.append(event_id)
        if self._window() <= 0:
            self.flush()
            return
        with self._lock:
            if self._thread is None or self._pid != os.getpid():
                # Started lazily, and again after a fork: threads do not survive into the child.
                self._pid = os.getpid()
                self._thread = threading.Thread(target=self._run, name="webhook-dispatch", daemon=True)
                self._thread.start()
        self._wake.set()

    def flush(self) -> None:
        # Only what is pending now: events that arrive during the publishes wait for the next window.
        # Draining until empty published a batch of one or two after every full one under load, and
        # nearly continuously (a quarter of a web process's Python time went to Celery publishes).
        with self._lock:
            pending, self._pending = self._pending, []
        for start in range(0, len(pending), self._max_batch):
            batch = pending[start : start + self._max_batch]
            try:
                self._publish(batch)
            except Exception:  # the broker is down: the sweeper re-enqueues these rows later
                logger.exception("could not enqueue %d webhook events; the sweeper will", len(batch))

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            # Collect what arrives in the window, then hand it all over in one publish.
            threading.Event().wait(self._window())
            self.flush()


# The bots apply the events (leads does not import them): published by name, routed by CELERY_TASK_ROUTES.
HANDLE_EVENTS_TASK = "bots.tasks.handle_webhook_events"


def _publish_batch(event_ids: list[int]) -> None:
    current_app.send_task(HANDLE_EVENTS_TASK, args=[event_ids])


dispatcher = EventDispatcher(_publish_batch, lambda: settings.JORGEBOT_WEBHOOK_BATCH_SECONDS)
atexit.register(dispatcher.flush)


def enqueue_webhook_event(event_id: int) -> None:
    dispatcher.add(event_id)
