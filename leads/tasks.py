"""Celery tasks of the CRM side: thin wrappers that load ids and call leads.services."""
from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.conf import settings
from django.db.models import F, Min, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from leads import retries, services
from leads.dispatch import dispatcher
from leads.models import Conversation, Message, OutboxMessage, WebhookEvent

logger = logging.getLogger(__name__)

# The sweeper re-enqueues at most this many rows of each kind per run, so a long outage drains
# over a few runs instead of flooding the broker at once.
SWEEP_BATCH = 500


@shared_task(acks_late=True)
def handle_webhook_events(event_ids: list[int]) -> None:
    from bots.tasks import schedule_turn

    for event_id in event_ids:
        try:
            applied = services.apply_webhook_event(event_id)
        except Exception as exc:  # one bad event must not hold up the batch; the sweeper retries it
            logger.exception("webhook event %s failed", event_id)
            services.record_webhook_failure(event_id, exc)
            continue
        if applied.conversation_id is not None:
            schedule_turn(applied.conversation_id)


def enqueue_webhook_event(event_id: int) -> None:
    dispatcher.add(event_id)


@shared_task
def sweep_stuck_work() -> dict[str, int]:
    """Re-enqueue what was stored but never worked on: an enqueue lost to a crash loses no lead's text.

    Fair: work that keeps failing waits out its backoff and, once parked, is left for a person (leads.retries), so
    it never fills the batch; of the rest, the longest waiting goes first."""
    from bots.tasks import deliver_outbox, schedule_turn

    now = timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.JORGEBOT_SWEEP_AFTER_SECONDS)
    event_ids = _events_to_retry(cutoff)
    if event_ids:
        handle_webhook_events.apply_async(args=[event_ids])
    conversation_ids = _turns_to_retry(cutoff, now)
    for conversation_id in conversation_ids:
        schedule_turn(conversation_id, countdown=0)
    contact_ids = _deliveries_to_retry(cutoff, now)
    for contact_id in contact_ids:
        deliver_outbox.apply_async(args=[contact_id])
    swept = {"events": len(event_ids), "turns": len(conversation_ids), "deliveries": len(contact_ids)}
    if any(swept.values()):
        logger.warning("sweeper re-enqueued %s", swept)
    return swept


def _events_to_retry(cutoff: dt.datetime) -> list[int]:
    """Events never applied, fewest failures first (an event failing again and again waits behind new ones), until
    MAX_EVENT_ATTEMPTS parks them."""
    return list(
        WebhookEvent.objects.filter(
            processed_at__isnull=True, received_at__lt=cutoff, attempts__lt=services.MAX_EVENT_ATTEMPTS
        )
        .order_by("attempts", "received_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )


def _turns_to_retry(cutoff: dt.datetime, now: dt.datetime) -> list[int]:
    """Conversations with a text left unanswered, not parked and past their next try, the longest waiting first."""
    unanswered = Message.objects.filter(direction="inbound", answered_at__isnull=True, created_at__lt=cutoff)
    return list(
        Conversation.objects.filter(pk__in=unanswered.values("conversation_id"), turn_parked_at__isnull=True)
        .filter(Q(retry_turn_at__isnull=True) | Q(retry_turn_at__lte=now))
        .order_by(F("retry_turn_at").asc(nulls_first=True), "pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )


def _deliveries_to_retry(cutoff: dt.datetime, now: dt.datetime) -> list[int]:
    """Contacts with writes to GHL due: past their next attempt time, or untouched since the cutoff. A contact whose
    first write is still waiting out its backoff is left alone (its rows go in order), and parked rows are out of
    line; the contact waiting longest goes first."""
    waiting = OutboxMessage.objects.filter(status__in=retries.WAITING)
    backing_off = waiting.filter(next_attempt_at__gt=now).values("contact_id")
    due = (
        waiting.filter(Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True, updated_at__lt=cutoff))
        .exclude(contact_id__in=backing_off)
        .values("contact_id")
        .annotate(due_at=Min(Coalesce("next_attempt_at", "updated_at")))
        .order_by("due_at", "contact_id")
    )
    return [row["contact_id"] for row in due[:SWEEP_BATCH]]
