"""Work that keeps failing is tried again without looping: a wait that doubles per failure up to a cap, a budget in
time for writes to GHL, and parking (set aside for a person, with its error) for what fails in our own code.

The sender (bots.sender) and the turn task (bots.tasks) record failures here; the sweeper
(bots.tasks.sweep_stuck_work) only picks work whose next attempt is due and that is not parked; the admin's retry
actions put parked work back.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from leads.models import Conversation, OutboxMessage, OutboxStatus, WebhookEvent

logger = logging.getLogger(__name__)

# The statuses a write waits in until it is delivered (or withdrawn).
WAITING = (OutboxStatus.PENDING, OutboxStatus.SENDING)
# What a person may send again: given up on after the budget, refused by GHL, or parked.
RETRYABLE_BY_HAND = (OutboxStatus.FAILED, OutboxStatus.PARKED)


def backoff(failures: int) -> dt.timedelta:
    """The wait after the `failures`-th failure in a row: the first wait, doubled per failure, capped."""
    first = settings.JORGEBOT_DELIVERY_RETRY_SECONDS
    seconds = min(first * 2 ** max(failures - 1, 0), settings.JORGEBOT_RETRY_MAX_BACKOFF_SECONDS)
    return dt.timedelta(seconds=seconds)


def describe(error: BaseException) -> str:
    """An error as it is kept on the row: its type and message (ids and statuses; never sent to the logs)."""
    return f"{type(error).__name__}: {error}"[:500]


def out_of_budget(failing_since: dt.datetime | None, now: dt.datetime) -> bool:
    """True when a write has been failing for longer than JORGEBOT_DELIVERY_RETRY_HOURS."""
    budget = dt.timedelta(hours=settings.JORGEBOT_DELIVERY_RETRY_HOURS)
    return failing_since is not None and now - failing_since >= budget


def should_park(failures: int) -> bool:
    return failures >= settings.JORGEBOT_PARK_AFTER_FAILURES


# -- turns ----------------------------------------------------------------------------------------------


def record_failed_turn(conversation_id: int, error: BaseException, *, ours: bool) -> bool:
    """Count a failed turn and set when the sweeper may try it again; park it after too many failures in our own
    code (`ours`; GHL being down is not the conversation's fault, so it only waits). True when parked."""
    now = timezone.now()
    with transaction.atomic():
        conversation = (
            Conversation.objects.select_for_update()
            .only("pk", "failed_turns", "retry_turn_at", "turn_error", "turn_parked_at")
            .filter(pk=conversation_id)
            .first()
        )
        if conversation is None:
            return False
        conversation.failed_turns += 1
        conversation.turn_error = describe(error)
        conversation.retry_turn_at = now + backoff(conversation.failed_turns)
        parked = ours and should_park(conversation.failed_turns)
        if parked:
            conversation.turn_parked_at = now
        conversation.save(update_fields=["failed_turns", "turn_error", "retry_turn_at", "turn_parked_at", "updated_at"])
    logger.warning("turn failed conversation=%s failures=%s parked=%s", conversation_id, conversation.failed_turns,
                   parked)
    return parked


def unpark_turns(contact_ids: Iterable[int]) -> list[int]:
    """Put parked turns of these leads back in line, counting failures from zero. Returns their conversations."""
    parked = Conversation.objects.filter(contact_id__in=list(contact_ids), turn_parked_at__isnull=False)
    conversation_ids = list(parked.values_list("pk", flat=True))
    Conversation.objects.filter(pk__in=conversation_ids).update(
        failed_turns=0, retry_turn_at=None, turn_error="", turn_parked_at=None
    )
    logger.info("parked turns retried by a person conversations=%s", len(conversation_ids))
    return conversation_ids


def clear_turn_failures(conversation_id: int) -> None:
    """A turn went through: its conversation starts counting failures from zero again (one indexed UPDATE that
    finds nothing to change on the usual, healthy conversation)."""
    Conversation.objects.filter(pk=conversation_id, failed_turns__gt=0).update(
        failed_turns=0, retry_turn_at=None, turn_error="", turn_parked_at=None
    )


# -- writes to GHL ---------------------------------------------------------------------------------------


def retry_deliveries(rows: Iterable[OutboxMessage]) -> list[int]:
    """Put failed or parked writes back in line, as new (their budget starts again). Returns the contacts whose
    outbox should be delivered now."""
    chosen = [row.pk for row in rows if row.status in RETRYABLE_BY_HAND]
    with transaction.atomic():
        OutboxMessage.objects.filter(pk__in=chosen, status__in=RETRYABLE_BY_HAND).update(
            status=OutboxStatus.PENDING, status_reason="retried by a person", failures=0, failing_since=None,
            next_attempt_at=None, updated_at=timezone.now(),
        )
        contact_ids = sorted(set(OutboxMessage.objects.filter(pk__in=chosen).values_list("contact_id", flat=True)))
    logger.info("deliveries retried by a person rows=%s", len(chosen))
    return contact_ids


# -- webhook events --------------------------------------------------------------------------------------


def retry_webhook_events(event_ids: Iterable[int]) -> list[int]:
    """Give parked events (failed MAX_EVENT_ATTEMPTS times, never applied) their attempts back. Returns their ids,
    to hand to the worker."""
    from leads.services import MAX_EVENT_ATTEMPTS

    parked = list(
        WebhookEvent.objects.filter(pk__in=list(event_ids), processed_at__isnull=True,
                                    attempts__gte=MAX_EVENT_ATTEMPTS).values_list("pk", flat=True)
    )
    WebhookEvent.objects.filter(pk__in=parked).update(attempts=0)
    logger.info("webhook events retried by a person events=%s", len(parked))
    return parked
