"""Celery tasks of the bots: take a turn, deliver the outbox. Thin; the work is in bots.services and bots.sender."""
from __future__ import annotations

import logging

from celery import shared_task
from celery.app.task import Task
from django.conf import settings

from bots import services
from bots.sender import DeliveryDeferred, deliver_pending
from jorgebot.redis import get_redis
from leads.ghl.errors import GHLRetryableError

logger = logging.getLogger(__name__)

# Longer than any single delivery run, so the lock outlives a slow GHL but not a dead worker.
DELIVERY_LOCK_SECONDS = 120


def schedule_turn(conversation_id: int, countdown: float | None = None) -> None:
    wait = settings.JORGEBOT_REPLY_DEBOUNCE_SECONDS if countdown is None else countdown
    take_turn.apply_async(args=[conversation_id], countdown=wait if wait > 0 else None)


@shared_task(bind=True, acks_late=True, max_retries=8)
def take_turn(self: Task, conversation_id: int) -> str:
    try:
        result = services.take_turn(conversation_id)
    except GHLRetryableError as exc:
        raise self.retry(countdown=max(exc.retry_after or 0.0, 2.0 ** self.request.retries)) from exc
    if result.retry_in is not None:
        # The lead is still typing: come back when the debounce window closes.
        schedule_turn(conversation_id, countdown=result.retry_in)
    if result.contact_id is not None and result.queued_writes:
        deliver_outbox.apply_async(args=[result.contact_id])
    return result.outcome


@shared_task(bind=True, acks_late=True, max_retries=None)
def deliver_outbox(self: Task, contact_id: int) -> None:
    lock = get_redis().lock(f"jorgebot:deliver:{contact_id}", timeout=DELIVERY_LOCK_SECONDS, blocking=False)
    if not lock.acquire():
        # Another worker is delivering this contact's rows; look again shortly so nothing queued
        # after its last read waits for the sweeper.
        raise self.retry(countdown=1)
    try:
        deliver_pending(contact_id)
    except DeliveryDeferred as deferred:
        raise self.retry(countdown=deferred.retry_after) from deferred
    finally:
        if lock.owned():
            lock.release()
