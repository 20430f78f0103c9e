"""Celery tasks of the bots: apply GHL's events, take a turn, deliver the outbox, book a call, and the beat's
sweeper, follow-ups, deferred texts and reactivation timer. Thin; the work is in bots.events, bots.services,
bots.sender, bots.booking, bots.followups, bots.compliance, bots.human."""
from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable

from celery import shared_task
from celery.app.task import Task
from django.conf import settings
from django.utils import timezone

from bots import booking, compliance, events, followups, human, selectors, services
from bots.llm.errors import LLMRetryableError
from bots.sender import DeliveryDeferred, deliver_pending
from jorgebot.redis import get_redis
from leads import retries
from leads import services as lead_services
from leads.ghl.errors import GHLRetryableError

logger = logging.getLogger(__name__)

# Longer than any single delivery run, so the lock outlives a slow GHL but not a dead worker.
DELIVERY_LOCK_SECONDS = 120
# A task waits in the broker for at most this long; longer waits are left to the sweeper, which picks rows by their
# next attempt time (a task held past the broker's visibility timeout would come back twice).
LONGEST_TASK_WAIT_SECONDS = 60.0
# A calendar GHL cannot read or write is tried again after 2, 4, 8 and 16 s (half a minute in all, while the
# lead waits for the slots); then the team schedules the call by hand.
BOOKING_MAX_RETRIES = 4


@shared_task(acks_late=True)
def handle_webhook_events(event_ids: list[int]) -> None:
    """Apply a batch of stored GHL events (published by leads.ingest.dispatch) and answer the texts among them."""
    for event_id in event_ids:
        try:
            applied = events.apply_webhook_event(event_id)
        except Exception as exc:  # one bad event must not hold up the batch; the sweeper retries it
            logger.exception("webhook event %s failed", event_id)
            lead_services.record_webhook_failure(event_id, exc)
            continue
        if applied.conversation_id is not None:
            schedule_turn(applied.conversation_id)


@shared_task
def sweep_stuck_work() -> dict[str, int]:
    """Re-enqueue what was stored but never worked on: an enqueue lost to a crash loses no lead's text.

    Fair: work that keeps failing waits out its backoff and, once parked, is left for a person (leads.retries), so
    it never fills the batch; of the rest, the longest waiting goes first."""
    now = timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.JORGEBOT_SWEEP_AFTER_SECONDS)
    event_ids = selectors.events_to_retry(cutoff)
    if event_ids:
        handle_webhook_events.apply_async(args=[event_ids])
    conversation_ids = selectors.turns_to_retry(cutoff, now)
    for conversation_id in conversation_ids:
        schedule_turn(conversation_id, countdown=0)
    contact_ids = selectors.deliveries_to_retry(cutoff, now)
    for contact_id in contact_ids:
        deliver_outbox.apply_async(args=[contact_id])
    swept = {"events": len(event_ids), "turns": len(conversation_ids), "deliveries": len(contact_ids)}
    if any(swept.values()):
        logger.warning("sweeper re-enqueued %s", swept)
    return swept


def schedule_turn(conversation_id: int, countdown: float | None = None) -> None:
    wait = settings.JORGEBOT_REPLY_DEBOUNCE_SECONDS if countdown is None else countdown
    take_turn.apply_async(args=[conversation_id], countdown=wait if wait > 0 else None)


@shared_task(bind=True, acks_late=True, max_retries=6)
def take_turn(self: Task, conversation_id: int) -> str:
    try:
        result = services.take_turn(conversation_id, attempt=self.request.retries)
    except GHLRetryableError as exc:
        if self.request.retries < self.max_retries:
            raise self.retry(countdown=max(exc.retry_after or 0.0, 2.0 ** self.request.retries)) from exc
        # GHL is still down after a minute or so: the sweeper tries the turn again, with a growing wait.
        _turn_failed(conversation_id, exc, ours=False)
        return "GHL unavailable; the sweeper tries again later"
    except LLMRetryableError as exc:
        # Claude was busy (429, 529, 5xx, timeout); raised only while another try fits the reply's budget,
        # with a jittered backoff. Past the budget the turn answers offline instead.
        raise self.retry(countdown=exc.retry_after) from exc
    except Exception as exc:
        # A bug, or the database gone: the sweeper waits before trying again, and parks the turn after too many.
        _turn_failed(conversation_id, exc, ours=True)
        raise
    retries.clear_turn_failures(conversation_id)
    if result.retry_in is not None:
        # The lead is still typing: come back when the debounce window closes.
        schedule_turn(conversation_id, countdown=result.retry_in)
    if result.contact_id is not None and result.queued_writes:
        _deliver_right_away(result.contact_id)
    return result.outcome


def _turn_failed(conversation_id: int, error: Exception, *, ours: bool) -> None:
    try:
        retries.record_failed_turn(conversation_id, error, ours=ours)
    except Exception:  # the database is down too: the sweeper finds the turn unanswered all the same
        logger.exception("could not record the failed turn conversation=%s", conversation_id)


def _deliver_right_away(contact_id: int) -> None:
    """Send what the turn queued from this process, now: the reply does not wait for another task to be picked
    up. When that cannot finish (another worker is delivering, GHL asked us to wait, a bug), the deliver_outbox
    task takes over, and the sweeper after it."""
    try:
        again_in = _deliver_under_lock(contact_id)
    except Exception:
        logger.exception("delivery right after the turn failed contact=%s; the deliver task takes over", contact_id)
        again_in = 1.0
    if again_in is not None and again_in <= LONGEST_TASK_WAIT_SECONDS:
        deliver_outbox.apply_async(args=[contact_id], countdown=again_in)


@shared_task(bind=True, acks_late=True, max_retries=None)
def deliver_outbox(self: Task, contact_id: int) -> None:
    again_in = _deliver_under_lock(contact_id)
    if again_in is not None and again_in <= LONGEST_TASK_WAIT_SECONDS:
        raise self.retry(countdown=again_in)


def _deliver_under_lock(contact_id: int) -> float | None:
    """Deliver the contact's pending rows, one worker at a time; None when done, else when to look again."""
    lock = get_redis().lock(f"jorgebot:deliver:{contact_id}", timeout=DELIVERY_LOCK_SECONDS, blocking=False)
    if not lock.acquire():
        # Another worker is delivering this contact's rows; look again shortly so nothing queued
        # after its last read waits for the sweeper.
        return 1.0
    try:
        deliver_pending(contact_id)
    except DeliveryDeferred as deferred:
        return deferred.retry_after
    finally:
        if lock.owned():
            lock.release()
    return None


@shared_task
def dispatch_follow_ups() -> int:
    """Beat, every minute: queue the follow-ups that are due (or move them to the lead's window), batch after
    batch while any are due, within the minute."""
    started, queued = time.monotonic(), 0
    while True:
        contact_ids, more = followups.dispatch_due_follow_ups()
        for contact_id in contact_ids:
            deliver_outbox.apply_async(args=[contact_id])
        queued += len(contact_ids)
        if not more or time.monotonic() - started > followups.DISPATCH_SECONDS:
            return queued


@shared_task
def release_deferred_texts() -> int:
    """Beat, every minute: texts the gate held for quiet hours go out once the lead's window opens."""
    contact_ids = compliance.release_deferred_texts()
    for contact_id in contact_ids:
        deliver_outbox.apply_async(args=[contact_id])
    return len(contact_ids)


@shared_task
def wake_paused_bots() -> int:
    """Beat, every five minutes: a bot whose pause (a person took over) ran out answers again."""
    return human.wake_paused_bots()


@shared_task(bind=True, acks_late=True, max_retries=BOOKING_MAX_RETRIES)
def offer_call_slots(self: Task, conversation_id: int) -> str:
    """After a turn made the lead hot: text the calendar's free slots."""
    return _booking_step(self, booking.offer_call_slots, conversation_id, "fetching")


@shared_task(bind=True, acks_late=True, max_retries=BOOKING_MAX_RETRIES)
def book_call(self: Task, conversation_id: int) -> str:
    """After the lead picked a slot: book it in GHL and confirm."""
    return _booking_step(self, booking.book_call, conversation_id, "booking")


def _booking_step(task: Task, step: Callable[[int], booking.BookingResult], conversation_id: int, status: str) -> str:
    try:
        result = step(conversation_id)
    except GHLRetryableError as exc:
        if task.request.retries < BOOKING_MAX_RETRIES:
            raise task.retry(countdown=max(exc.retry_after or 0.0, 2.0 ** (task.request.retries + 1))) from exc
        result = booking.schedule_manually(conversation_id, status)
    if result.queued_writes:
        deliver_outbox.apply_async(args=[result.contact_id])
    return result.outcome
