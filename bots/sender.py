"""Delivers a contact's outbox rows to GHL, in order, each exactly once.

A row is marked `sending` (committed) before the HTTP call and `sent` after it, so a retried task
skips what went out. When GHL may have taken a text whose answer we lost (a timeout, a crash before
our commit), GHL's echo of it marks the row sent; without an echo the text is sent again: we choose
a rare duplicate over a lost reply.

A write GHL cannot take now waits (a doubling wait, capped) and is tried again until its budget in time runs out
(JORGEBOT_DELIVERY_RETRY_HOURS); an opt-out tag or a do-not-disturb write is tried until GHL takes it. A write that
keeps failing in our own code is parked for a person, and the contact's later writes go on (leads.retries).
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from bots.compliance import check_before_send, record_decision
from bots.config import BotConfig, config_for
from bots.outbox import queue_tag_changes
from leads import retries
from leads.ghl.connect import ghl_client_for
from leads.ghl.errors import GHLError, GHLFinalError, GHLRetryableError
from leads.models import Contact, Conversation, OutboxKind, OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)

# GHL refusing our token (expired, revoked): final for most writes, not for consent (see _never_given_up).
CREDENTIAL_STATUSES = frozenset({401, 403})


class DeliveryDeferred(Exception):
    """GHL could not take a row now; try the contact's outbox again after `retry_after` seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"retry in {retry_after:.1f}s")
        self.retry_after = retry_after


@dataclass
class DeliveryReport:
    sent: int = 0
    blocked: int = 0
    deferred: int = 0
    failed: int = 0


def deliver_pending(contact_id: int) -> DeliveryReport:
    """Send every pending row of one contact, oldest first. Raises DeliveryDeferred on a retryable error."""
    report = DeliveryReport()
    while rows := _pending(contact_id):
        # One read for all of them; each row is claimed (or re-read under lock, for a text) before it goes,
        # so one withdrawn meanwhile stays withdrawn. Then look again for rows queued while these went out.
        for row in rows:
            _wait_until_due(row)
            try:
                _deliver(row, report)
            except DeliveryDeferred:
                raise
            except Exception as exc:  # a bug of ours on this row: it waits, and after too many it is set aside
                _failed_in_our_code(row, exc)
    return report


def _wait_until_due(row: OutboxMessage) -> None:
    """Rows go in order: one waiting out its backoff holds the contact's later rows too."""
    if row.next_attempt_at is not None:
        wait = (row.next_attempt_at - timezone.now()).total_seconds()
        if wait > 0:
            raise DeliveryDeferred(wait)


def _failed_in_our_code(row: OutboxMessage, error: Exception) -> None:
    logger.exception("delivery failed in our code outbox=%s contact=%s kind=%s", row.pk, row.contact_id, row.kind)
    failures = row.failures + 1
    if retries.should_park(failures) and not _never_given_up(row):
        row.failures = failures
        row.last_error = retries.describe(error)
        row.save(update_fields=["failures", "last_error", "updated_at"])
        _finish(row, OutboxStatus.PARKED, f"parked after {failures} failures: {row.last_error}")
        return
    raise DeliveryDeferred(_note_failure(row, retries.describe(error))) from error


def _note_failure(row: OutboxMessage, error: str, at_least: float = 0.0) -> float:
    """Keep the failure on the row and when to try again; returns the wait in seconds."""
    now = timezone.now()
    row.failures += 1
    row.failing_since = row.failing_since or now
    wait = max(retries.backoff(row.failures).total_seconds(), at_least)
    row.next_attempt_at = now + dt.timedelta(seconds=wait)
    row.last_error = error[:500]
    row.save(update_fields=["failures", "failing_since", "next_attempt_at", "last_error", "updated_at"])
    return wait


def _never_given_up(row: OutboxMessage) -> bool:
    """Consent travels to GHL whatever it takes: a do-not-disturb write, or a tag write carrying the opt-out."""
    if row.kind == OutboxKind.SET_DND:
        return True
    opt_out = config_for(row.location).tag("opt_out")
    return row.kind == OutboxKind.ADD_TAGS and opt_out in row.tags


def _pending(contact_id: int) -> list[OutboxMessage]:
    return list(
        OutboxMessage.objects.select_related("contact", "location")
        .filter(contact_id=contact_id, status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING])
        .order_by("id")
    )


def _deliver(row: OutboxMessage, report: DeliveryReport) -> None:
    contact, location = row.contact, row.location
    config = config_for(location)
    if row.kind == OutboxKind.SMS:
        gated = _pass_the_gate(row, config, report)
        if gated is None:
            return
        row = gated
    elif not _claim(row):
        return  # withdrawn since it was read
    try:
        ghl_message_id = _call_ghl(row)
    except GHLRetryableError as exc:
        _retry_later(row, config, exc, report)
        return
    except GHLFinalError as exc:
        if _never_given_up(row) and exc.status in CREDENTIAL_STATUSES:
            # A token GHL no longer takes: the broker reconnects, and the opt-out must still reach GHL then.
            _retry_later(row, config, exc, report)
            return
        _fail(row, config, f"GHL refused: {exc}")
        report.failed += 1
        return
    if row.kind == OutboxKind.SMS:
        with transaction.atomic():
            _finish(row, OutboxStatus.SENT, row.status_reason, ghl_message_id)
            Conversation.objects.filter(contact_id=contact.pk).update(last_outbound_at=row.sent_at)
    else:
        _finish(row, OutboxStatus.SENT, "", ghl_message_id)
    report.sent += 1


def _retry_later(row: OutboxMessage, config: BotConfig, error: GHLError, report: DeliveryReport) -> None:
    """Wait and try again, within the row's budget in time (consent writes have none); past it, fail the row."""
    now = timezone.now()
    if retries.out_of_budget(row.failing_since, now) and not _never_given_up(row):
        hours = (now - row.failing_since).total_seconds() / 3600 if row.failing_since else 0.0
        _fail(row, config, f"gave up after {row.attempts} attempts in {hours:.1f} h: {error}")
        report.failed += 1
        return
    at_least = error.retry_after or 0.0
    if isinstance(error, GHLRetryableError) and error.maybe_applied:
        # GHL may have taken the text before the answer was lost. Its OutboundMessage echo
        # marks the row sent (leads.services.record_outbound_message); give it time to arrive.
        at_least = max(at_least, settings.JORGEBOT_ECHO_WAIT_SECONDS)
    raise DeliveryDeferred(_note_failure(row, str(error), at_least))


def _claim(row: OutboxMessage) -> bool:
    """Mark a tag, field or note write `sending`, unless it was withdrawn (cancelled) since it was read."""
    now = timezone.now()
    claimed = OutboxMessage.objects.filter(
        pk=row.pk, status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING]
    ).update(status=OutboxStatus.SENDING, attempts=F("attempts") + 1, updated_at=now)
    if claimed:
        row.status, row.attempts, row.updated_at = OutboxStatus.SENDING, row.attempts + 1, now
    return bool(claimed)


def _pass_the_gate(row: OutboxMessage, config: BotConfig, report: DeliveryReport) -> OutboxMessage | None:
    """The compliance gate's decision on one text, kept on the row; the row marked `sending` when it may go."""
    now = timezone.now()
    with transaction.atomic():
        # Under the contact's row lock, so an opt-out committing now is either seen here or comes after this
        # text is on its way: never a text sent past an opt-out the gate did not see.
        contact = Contact.objects.select_for_update(of=("self",)).select_related("location").get(pk=row.contact_id)
        row = OutboxMessage.objects.select_for_update(of=("self",)).select_related("location").get(pk=row.pk)
        if row.status not in (OutboxStatus.PENDING, OutboxStatus.SENDING):
            return None  # withdrawn while we looked (an opt-out, a reply cancelled it)
        row.contact = contact
        decision = check_before_send(row.location, contact, row, config, now)
        if decision.allowed:
            row.status = OutboxStatus.SENDING
            row.attempts += 1
        # One write keeps the decision and, when the text may go, marks it sending.
        record_decision(row, decision, config, now)
        if not decision.allowed:
            if row.status == OutboxStatus.DEFERRED:
                report.deferred += 1
            else:
                report.blocked += 1
            return None
    return row


def _call_ghl(row: OutboxMessage) -> str:
    client = ghl_client_for(row.location)
    contact_ghl_id = row.contact.ghl_id
    if row.kind == OutboxKind.SMS:
        return client.send_sms(contact_ghl_id, row.body)
    if row.kind == OutboxKind.ADD_TAGS:
        client.add_tags(contact_ghl_id, row.tags)
    elif row.kind == OutboxKind.REMOVE_TAGS:
        client.remove_tags(contact_ghl_id, row.tags)
    elif row.kind == OutboxKind.UPDATE_FIELDS:
        client.update_contact(contact_ghl_id, custom_fields=row.payload["custom_fields"])
    elif row.kind == OutboxKind.SET_DND:
        client.update_contact(contact_ghl_id, dnd=bool(row.payload["dnd"]))
    elif row.kind == OutboxKind.ADD_NOTE:
        return client.add_note(contact_ghl_id, row.body)
    return ""


def _finish(row: OutboxMessage, status: str, reason: str, ghl_message_id: str = "") -> None:
    row.status = status
    row.status_reason = reason[:200]
    row.ghl_message_id = ghl_message_id
    row.sent_at = timezone.now() if status == OutboxStatus.SENT else None
    row.save(update_fields=["status", "status_reason", "ghl_message_id", "sent_at", "updated_at"])


def _fail(row: OutboxMessage, config: BotConfig, reason: str) -> None:
    """A final failure loses nothing: the row stays with its reason, and the contact is flagged."""
    row.last_error = reason[:500]
    row.save(update_fields=["last_error", "updated_at"])
    _finish(row, OutboxStatus.FAILED, reason)
    logger.warning("delivery failed outbox=%s contact=%s kind=%s", row.pk, row.contact_id, row.kind)
    if row.kind == OutboxKind.SMS:
        _flag_delivery_failed(row, config)


def _flag_delivery_failed(row: OutboxMessage, config: BotConfig) -> None:
    # Queued like any write, so the tag reaches GHL once GHL recovers; our copy has it at once.
    queue_tag_changes(row.contact, f"outbox:{row.pk}:delivery-failed", add=[config.tag("delivery_failed")])
