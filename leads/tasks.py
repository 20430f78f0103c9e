"""Celery tasks of the CRM side: thin wrappers that load ids and call leads.services."""
from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from leads import services
from leads.dispatch import dispatcher
from leads.models import Message, OutboxMessage, OutboxStatus, WebhookEvent

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
    """Re-enqueue what was stored but never worked on: an enqueue lost to a crash loses no lead's text."""
    from bots.tasks import deliver_outbox, schedule_turn

    cutoff = timezone.now() - dt.timedelta(seconds=settings.JORGEBOT_SWEEP_AFTER_SECONDS)
    event_ids = list(
        WebhookEvent.objects.filter(
            processed_at__isnull=True, received_at__lt=cutoff, attempts__lt=services.MAX_EVENT_ATTEMPTS
        )
        .order_by("received_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    if event_ids:
        handle_webhook_events.apply_async(args=[event_ids])
    conversation_ids = set(
        Message.objects.filter(direction="inbound", answered_at__isnull=True, created_at__lt=cutoff)
        .values_list("conversation_id", flat=True)[:SWEEP_BATCH]
    )
    for conversation_id in conversation_ids:
        schedule_turn(conversation_id, countdown=0)
    contact_ids = set(
        OutboxMessage.objects.filter(
            status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING], updated_at__lt=cutoff
        ).values_list("contact_id", flat=True)[:SWEEP_BATCH]
    )
    for contact_id in contact_ids:
        deliver_outbox.apply_async(args=[contact_id])
    swept = {"events": len(event_ids), "turns": len(conversation_ids), "deliveries": len(contact_ids)}
    if any(swept.values()):
        logger.warning("sweeper re-enqueued %s", swept)
    return swept
