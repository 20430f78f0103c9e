"""Write operations of the CRM side: recording GHL's webhooks and keeping our copy of contacts current.

The webhook view calls `record_webhook` (one INSERT, shared by the webhooks arriving together, then an
enqueue once committed); the worker calls `apply_webhook_event`, which turns the stored event into
contacts, messages and bot turns.
"""
from __future__ import annotations

import copy
import datetime as dt
import hashlib
import hmac
import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Generic, NamedTuple, TypeVar, cast

import psycopg
from cachalot.api import cachalot_disabled
from django.conf import settings
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.db.models import F
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from redis.exceptions import RedisError

from leads.ghl import events as ghl_events
from leads.ghl.connect import ghl_client_for
from leads.ghl.errors import GHLFinalError
from leads.models import (
    Contact,
    Conversation,
    Direction,
    LeadStatus,
    Location,
    Message,
    OutboxKind,
    OutboxMessage,
    OutboxStatus,
    Sender,
    WebhookEvent,
)

logger = logging.getLogger(__name__)

# How long a process trusts its list of served locations before re-reading it.
_LOCATION_CACHE_SECONDS = 30.0
_served: dict[str, float] = {}
_served_lock = threading.Lock()
# (location id, GHL contact id) of the erased leads, and when this process read them (is_erased_contact).
_erased: frozenset[tuple[str, str]] = frozenset()
_erased_read_at: float | None = None
_erased_lock = threading.Lock()


@dataclass(frozen=True)
class WebhookReceipt:
    status: str  # "accepted", "duplicate" or "ignored"
    event_id: int | None = None


def ensure_configured_location() -> Location | None:
    """The single-location install: create its Location from GHL_LOCATION_ID + GHL_API_TOKEN if missing."""
    if not settings.GHL_LOCATION_ID:
        return None
    location, created = Location.objects.get_or_create(
        id=settings.GHL_LOCATION_ID,
        defaults={
            "name": "Main location", "api_token": settings.GHL_API_TOKEN, "calendar_id": settings.GHL_CALENDAR_ID
        },
    )
    if created:
        logger.info("created the configured location %s", location.id)
    return location


def is_served_location(location_id: str | None) -> bool:
    """Whether we answer for this GHL location. Cached per process: it sits on the webhook's hot path."""
    if not location_id:
        return False
    now = time.monotonic()
    with _served_lock:
        checked_at = _served.get(location_id)
        if checked_at is not None and now - checked_at < _LOCATION_CACHE_SECONDS:
            return True
    with past_cachalot():
        served = Location.objects.filter(id=location_id).exists()
        if not served and location_id == settings.GHL_LOCATION_ID:
            served = _create_configured_location_without_redis()
    if served:
        with _served_lock:
            _served[location_id] = now
    return served


@contextmanager
def past_cachalot() -> Iterator[None]:
    """Reads straight from PostgreSQL. The webhook doors read through it: cachalot keeps its cache in Redis, and a
    webhook must be stored (or answered 429) whether Redis is up or not."""
    block = cachalot_disabled()
    block.__enter__()
    try:
        yield
    finally:
        # cachalot_disabled() restores nothing when its block raises: close it as if the block had returned.
        block.__exit__(None, None, None)


def _create_configured_location_without_redis() -> bool:
    try:
        return ensure_configured_location() is not None
    except RedisError:
        # The row committed; cachalot could not tell its cache (Redis is down), whose entries expire on their own.
        logger.warning("created the configured location %s with Redis down", settings.GHL_LOCATION_ID)
        return Location.objects.filter(id=settings.GHL_LOCATION_ID).exists()


def forget_served_locations() -> None:
    with _served_lock:
        _served.clear()
    forget_erased_contacts()


def is_erased_contact(location_id: str, ghl_contact_id: str) -> bool:
    """Whether the lead asked us to erase their data (leads.privacy): their later events are dropped unstored.

    The webhook doors ask this of every event, so each process keeps the (short, rarely changing) list of erased
    leads and reads it again every half minute; an event that slips through meanwhile is dropped by the worker
    (`apply_webhook_event`) before anything of it is kept.
    """
    global _erased, _erased_read_at
    if not ghl_contact_id:
        return False
    now = time.monotonic()
    with _erased_lock:
        if _erased_read_at is None or now - _erased_read_at >= _LOCATION_CACHE_SECONDS:
            with past_cachalot():
                _erased = frozenset(
                    Contact.objects.filter(erased_at__isnull=False).values_list("location_id", "ghl_id")
                )
            _erased_read_at = now
        return (location_id, ghl_contact_id) in _erased


def forget_erased_contacts() -> None:
    """Read the list of erased leads again at the next webhook (this process; the others within half a minute)."""
    global _erased_read_at
    with _erased_lock:
        _erased_read_at = None


def rotate_workflow_secret(location: Location) -> str:
    """A new secret for the location's GHL workflow posts (X-Webhook-Secret), replacing the one before it.

    Returned once, for the broker to paste into GHL; only its hash is kept.
    """
    secret = secrets.token_urlsafe(32)
    location.workflow_secret_hash = workflow_secret_hash(secret)
    location.save(update_fields=["workflow_secret_hash", "updated_at"])
    logger.info("new workflow secret for location %s", location.id)
    return secret


def workflow_secret_hash(secret: str) -> str:
    # A random 256-bit secret needs no slow password hash: its SHA-256 gives nothing away.
    return hashlib.sha256(secret.encode()).hexdigest()


def workflow_secret_fits(location_id: str, secret: str) -> bool:
    """Whether `secret` is the workflow secret of this location: its own (made in the admin), or, for the
    single-location install's GHL_LOCATION_ID only, GHL_WORKFLOW_WEBHOOK_SECRET. Read from PostgreSQL alone."""
    if not secret:
        return False
    with past_cachalot():
        stored = Location.objects.filter(id=location_id).values_list("workflow_secret_hash", flat=True).first()
    if stored and hmac.compare_digest(workflow_secret_hash(secret), stored):
        return True
    install_secret = settings.GHL_WORKFLOW_WEBHOOK_SECRET
    return bool(install_secret and settings.GHL_LOCATION_ID and location_id == settings.GHL_LOCATION_ID
                and hmac.compare_digest(secret.encode(), install_secret.encode()))


def record_webhook(
    *, webhook_id: str, event_type: str, location_id: str, message_id: str, contact_id: str, payload: bytes,
    source: str, enqueue: Callable[[int], None],
) -> WebhookReceipt:
    """Store a verified, parsed webhook once; acknowledge redeliveries without doing anything.

    `payload` is the raw JSON body, stored as GHL sent it. The worker is enqueued only after the
    row commits, so it never looks for a row that is not there; if the enqueue itself is lost (a
    crash right after commit, the broker down), the sweeper finds the row. Events of locations we
    do not serve, and of leads whose data was erased, are acknowledged and not stored.
    """
    if not is_served_location(location_id) or is_erased_contact(location_id, contact_id):
        return WebhookReceipt("ignored")
    row = EventRow(webhook_id, event_type, location_id, message_id, source, payload.decode("utf-8"))
    if connection.get_autocommit():
        event_id = _store_with_concurrent_webhooks(row)
        if event_id is not None:
            enqueue(event_id)  # the row committed with the statement that stored it
    else:
        # The caller's transaction decides when this row commits, so it must not carry other requests' rows;
        # the savepoint keeps that transaction usable when PostgreSQL refuses the row.
        with transaction.atomic():
            [event_id] = _insert_webhook_events([row])
        if event_id is not None:
            transaction.on_commit(lambda: enqueue(event_id))
    return WebhookReceipt("duplicate") if event_id is None else WebhookReceipt("accepted", event_id)


Item = TypeVar("Item")
Result = TypeVar("Result")


class GroupCommit(Generic[Item, Result]):
    """Items of concurrent callers written together: one statement and one commit for all that wait.

    The first caller writes at once, alone; callers that arrive while a write is in flight queue,
    and when it ends one of them writes everything queued. No window, no timer: an idle server
    writes each item as it comes, a busy one writes what piled up during one round trip. Every
    caller returns only when the write holding its item has finished, and a failed write raises
    in each of its callers.
    """

    def __init__(self, write: Callable[[list[Item]], list[Result]]) -> None:
        self._write = write
        self._changed = threading.Condition()
        self._queue: list[_Submission[Item, Result]] = []
        self._writing = False

    @property
    def queued(self) -> int:
        """Items waiting for the write in flight to end."""
        with self._changed:
            return len(self._queue)

    def submit(self, item: Item) -> Result:
        submission: _Submission[Item, Result] = _Submission(item)
        with self._changed:
            self._queue.append(submission)
            while self._writing and not submission.done:
                self._changed.wait()
            if submission.done:
                return submission.outcome()
            # This caller writes the batch, on its own thread's database connection (in autocommit, so
            # the batch commits with its statement). The batch is bounded by the threads that can call.
            self._writing = True
            batch, self._queue = self._queue, []
        # Whatever happens to the write, its waiting callers are released (an interrupted one raises there too).
        outcome: list[Result] | Exception = RuntimeError("the write of this batch was interrupted")
        try:
            outcome = self._write([queued.item for queued in batch])
            if len(outcome) != len(batch):
                raise ValueError(f"{len(batch)} items written, {len(outcome)} results")
        except Exception as exc:
            outcome = exc
        finally:
            self._finish(batch, submission, outcome)
        return submission.outcome()

    def _finish(self, batch: list[_Submission[Item, Result]], writer: _Submission[Item, Result],
                outcome: list[Result] | Exception) -> None:
        with self._changed:
            for index, queued in enumerate(batch):
                if isinstance(outcome, Exception):
                    # The writer raises the error itself; the others a copy each, so that raising it
                    # in several threads at once does not tangle one traceback.
                    queued.error = outcome if queued is writer else _copy_error(outcome)
                else:
                    queued.result = outcome[index]
                queued.done = True
            self._writing = False
            self._changed.notify_all()


def _copy_error(error: Exception) -> Exception:
    copied = copy.copy(error)
    copied.__cause__ = error
    return copied


class _Submission(Generic[Item, Result]):
    __slots__ = ("item", "result", "error", "done")

    def __init__(self, item: Item) -> None:
        self.item = item
        self.result: Result | None = None
        self.error: Exception | None = None
        self.done = False

    def outcome(self) -> Result:
        if self.error is not None:
            raise self.error
        return cast(Result, self.result)


class EventRow(NamedTuple):
    """One webhook as stored: the columns `_INSERT_WEBHOOK_EVENTS` fills, in its order."""

    webhook_id: str
    event_type: str
    location_id: str
    message_id: str
    source: str
    payload: str


def _store_with_concurrent_webhooks(row: EventRow) -> int | None:
    """One INSERT and one commit for this web process's webhooks that arrive together.

    A statement and its commit cost PostgreSQL several times what one more row does, and each
    statement is a round trip both sides pay for. In the webhook benchmark at saturation PostgreSQL
    spent 0.10 ms of CPU a webhook with 2 x 8 threads (0.16 with 3 x 4) against 0.27 one row at a
    time, and the web processes about 0.08 ms less.
    """
    try:
        return _webhook_writes.submit(row)
    except (OperationalError, InterfaceError):
        raise  # the database is unreachable: every webhook of the batch is told to come again
    except DatabaseError:
        # A row PostgreSQL refuses (a value too long for its column) fails the whole statement:
        # each of its webhooks tries again alone, so only that one fails.
        [event_id] = _insert_webhook_events([row])
        return event_id


# The hottest write in the system (every webhook): one statement, no ORM, no exception on a
# duplicate. ON CONFLICT covers both unique keys (webhook id and message id). It runs on the calling
# thread's Django connection (in its transaction, if any) through a server-side-binding psycopg cursor
# with a prepared statement (one per number of rows), which costs about half the CPU of Django's
# client-side binding.
_INSERT_WEBHOOK_EVENTS = """
    INSERT INTO leads_webhookevent
        (webhook_id, event_type, location_id, message_id, source, payload, received_at, attempts, error)
    VALUES {rows}
    ON CONFLICT DO NOTHING
    RETURNING id, webhook_id
"""


@lru_cache(maxsize=64)
def _insert_statement(rows: int) -> str:
    return _INSERT_WEBHOOK_EVENTS.format(rows=", ".join(["(%s, %s, %s, %s, %s, %s::jsonb, now(), 0, '')"] * rows))


def _insert_webhook_events(rows: list[EventRow]) -> list[int | None]:
    """Store the rows: the new event id of each, None where the event was stored before (a redelivery).

    A row sharing a webhook id or message id with an earlier row of the same batch (a redelivery
    that arrived at the same moment) waits for a second statement, as it would have queued behind
    it one at a time. So each statement's rows have distinct webhook ids, and the ids that come back
    name their rows.
    """
    event_ids: list[int | None] = [None] * len(rows)
    waiting = list(range(len(rows)))
    while waiting:
        now: list[int] = []
        later: list[int] = []
        keys: set[tuple[str, str]] = set()
        for index in waiting:
            row = rows[index]
            own = {("webhook", row.webhook_id)} | ({("message", row.message_id)} if row.message_id else set())
            (later if own & keys else now).append(index)
            keys |= own
        stored = _execute_insert([rows[index] for index in now])
        for index in now:
            event_ids[index] = stored.get(rows[index].webhook_id)
        waiting = later
    return event_ids


def _execute_insert(rows: list[EventRow]) -> dict[str, int]:
    params = [value for row in rows for value in row]
    with connection.wrap_database_errors:
        connection.ensure_connection()
        with psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(_insert_statement(len(rows)), params, prepare=True)
            return {webhook_id: int(event_id) for event_id, webhook_id in cursor.fetchall()}


_webhook_writes = GroupCommit(_insert_webhook_events)


# An event that failed this many times is left for a person (the admin shows its error).
MAX_EVENT_ATTEMPTS = 5


@dataclass(frozen=True)
class AppliedEvent:
    """What applying an event asks of the bots: a conversation with new inbound text to answer. `drop_event`:
    the event is about an erased lead, and its row goes too."""

    conversation_id: int | None = None
    drop_event: bool = False


def apply_webhook_event(event_id: int) -> AppliedEvent:
    """Apply one stored event to our copy of the CRM, exactly once (a row lock serialises redeliveries)."""
    with transaction.atomic():
        event = WebhookEvent.objects.select_for_update().get(pk=event_id)
        if event.processed_at is not None:
            return AppliedEvent()
        event.attempts += 1
        try:
            applied = _apply(event)
        except ghl_events.MalformedEvent as exc:
            # Stored but unusable: keep the row and say why, never retry it.
            applied = AppliedEvent()
            event.error = str(exc)[:1000]
        if applied.drop_event:
            event.delete()
            logger.info("event %s about an erased lead dropped", event_id)
            return AppliedEvent()
        event.processed_at = timezone.now()
        event.save(update_fields=["attempts", "processed_at", "error"])
    return applied


def record_webhook_failure(event_id: int, error: Exception) -> None:
    WebhookEvent.objects.filter(pk=event_id).update(
        attempts=F("attempts") + 1, error=f"{type(error).__name__}: {error}"[:1000]
    )


def _apply(event: WebhookEvent) -> AppliedEvent:
    location = Location.objects.filter(id=event.location_id).first()
    if location is None:
        return AppliedEvent()
    if event.source == "workflow":
        workflow_event = ghl_events.parse_workflow_event(event.payload)
        if _is_erased(location, workflow_event.contact_id):
            return AppliedEvent(drop_event=True)
        return _apply_workflow_event(location, workflow_event, event.webhook_id)
    parsed = ghl_events.parse_event(event.payload)
    if _is_erased(location, ghl_events.contact_id_of(parsed)):
        return AppliedEvent(drop_event=True)
    if isinstance(parsed, ghl_events.InboundMessage):
        return AppliedEvent(record_inbound_message(location, parsed).conversation_id)
    if isinstance(parsed, ghl_events.OutboundMessage):
        record_outbound_message(location, parsed)
    elif isinstance(parsed, ghl_events.ContactDelete):
        Contact.objects.filter(location=location, ghl_id=parsed.contact_id).update(deleted_at=timezone.now())
    elif isinstance(parsed, ghl_events.ContactEvent):
        apply_contact_event(location, parsed)
    elif isinstance(parsed, ghl_events.OpportunityEvent):
        apply_opportunity_event(location, parsed)
    elif isinstance(parsed, ghl_events.AppointmentCreate):
        _contact_for(location, parsed.appointment.contact_id)
        Contact.objects.filter(location=location, ghl_id=parsed.appointment.contact_id).update(
            status=LeadStatus.APPOINTMENT
        )
    return AppliedEvent()


def _is_erased(location: Location, ghl_contact_id: str) -> bool:
    # Also asked here: the webhook doors' list of erased leads may be half a minute old.
    return bool(ghl_contact_id) and Contact.objects.filter(
        location=location, ghl_id=ghl_contact_id, erased_at__isnull=False
    ).exists()


def _contact_for(location: Location, ghl_contact_id: str) -> Contact:
    """Our row for a GHL contact; a stub when we have not seen it (filled from GHL before its first turn)."""
    contact, _ = Contact.objects.get_or_create(location=location, ghl_id=ghl_contact_id)
    return contact


def _conversation_for(contact: Contact, ghl_conversation_id: str = "") -> Conversation:
    conversation, created = Conversation.objects.get_or_create(
        contact=contact, defaults={"ghl_conversation_id": ghl_conversation_id}
    )
    if not created and ghl_conversation_id and not conversation.ghl_conversation_id:
        conversation.ghl_conversation_id = ghl_conversation_id
        conversation.save(update_fields=["ghl_conversation_id", "updated_at"])
    return conversation


def record_inbound_message(location: Location, event: ghl_events.InboundMessage) -> Message:
    contact = _contact_for(location, event.contact_id)
    sent_at = event.date_added or event.timestamp or timezone.now()
    conversation, created = Conversation.objects.get_or_create(
        contact=contact, defaults={"ghl_conversation_id": event.conversation_id, "last_inbound_at": sent_at}
    )
    if not created:
        changes: dict[str, object] = {"last_inbound_at": max_time(conversation.last_inbound_at, sent_at)}
        if event.conversation_id and not conversation.ghl_conversation_id:
            changes.update(ghl_conversation_id=event.conversation_id, updated_at=timezone.now())
        Conversation.objects.filter(pk=conversation.pk).update(**changes)
    fields = {"conversation": conversation, "direction": Direction.INBOUND, "sender": Sender.LEAD, "body": event.body,
              "message_type": event.message_type, "sent_at": sent_at}
    if not event.message_id:
        return Message.objects.create(**fields)
    # Insert first: GHL's message id is new nearly always (the webhook's unique message id already turned
    # redeliveries away), so looking it up first would be a wasted query on every text.
    try:
        with transaction.atomic():
            return Message.objects.create(ghl_message_id=event.message_id, **fields)
    except IntegrityError:
        return Message.objects.get(ghl_message_id=event.message_id)


def record_outbound_message(location: Location, event: ghl_events.OutboundMessage) -> Message:
    """GHL echoes every outbound text. One a person sent from GHL means a human took over: the bot sleeps."""
    contact = _contact_for(location, event.contact_id)
    conversation = _conversation_for(contact, event.conversation_id)
    ours = _confirm_our_text(contact, event)
    message, _ = Message.objects.get_or_create(
        ghl_message_id=event.message_id,
        defaults={
            "conversation": conversation,
            "direction": Direction.OUTBOUND,
            "sender": Sender.BOT if ours else Sender.HUMAN,
            "body": event.body,
            "message_type": event.message_type,
            "sent_at": event.date_added or event.timestamp or timezone.now(),
        },
    )
    # A person typed it in GHL (GHL sets userId); automations without a user do not wake a human.
    if not ours and event.user_id:
        pause_bot_for_human(contact)
    return message


def _confirm_our_text(contact: Contact, event: ghl_events.OutboundMessage) -> bool:
    """Whether the echoed text is one of ours; a text still `sending` (its answer lost) is now known sent."""
    if OutboxMessage.objects.filter(ghl_message_id=event.message_id).exists():
        return True
    if event.user_id:
        return False  # typed by a person in GHL
    in_flight = (
        OutboxMessage.objects.select_for_update()
        .filter(contact=contact, kind=OutboxKind.SMS, status=OutboxStatus.SENDING, body=event.body)
        .order_by("id")
        .first()
    )
    if in_flight is None:
        return False
    in_flight.status = OutboxStatus.SENT
    in_flight.status_reason = "confirmed by GHL's echo"
    in_flight.ghl_message_id = event.message_id
    in_flight.sent_at = event.date_added or timezone.now()
    in_flight.save(update_fields=["status", "status_reason", "ghl_message_id", "sent_at", "updated_at"])
    return True


def pause_bot_for_human(contact: Contact, hours: float | None = None) -> None:
    """The bot sleeps while a person talks to the lead: its follow-ups and waiting drafts are withdrawn, and the
    reactivation timer (bots.tasks.wake_paused_bots) wakes it when the pause runs out."""
    from bots.config import BotConfig
    from bots.drafts import retire_drafts
    from bots.followups import cancel_follow_ups

    hours = hours if hours is not None else BotConfig.from_overrides(contact.location.bot_settings).human_takeover_hours
    until = timezone.now() + dt.timedelta(hours=hours)
    # Keep the later of the two: a broker's longer manual pause must not shrink to the takeover timer.
    Contact.objects.filter(pk=contact.pk).update(
        bot_paused_until=Greatest(Coalesce("bot_paused_until", until), until), updated_at=timezone.now()
    )
    cancel_follow_ups(contact, "a person took over")
    retire_drafts(contact)
    logger.info("human took over contact=%s; bot paused until %s", contact.pk, until.isoformat())


def apply_contact_event(location: Location, event: ghl_events.ContactEvent) -> None:
    """Keep our copy current; an event older than the last one applied is stale and changes nothing."""
    from bots.human import notice_tags_removed

    contact = Contact.objects.select_for_update().filter(location=location, ghl_id=event.contact_id).first()
    if contact is None:
        contact = _contact_for(location, event.contact_id)
    event_time = event.timestamp
    if event_time and contact.ghl_event_at and event_time < contact.ghl_event_at:
        logger.info("stale %s for contact=%s ignored", event.type, contact.pk)
        return
    if contact.erased_at is not None:
        # The lead asked us to delete their data (leads.privacy): GHL's copy must not flow back in.
        logger.info("%s for erased contact=%s ignored", event.type, contact.pk)
        return
    tags_before = list(contact.tags)
    _copy_contact_fields(contact, event)
    contact.ghl_event_at = event_time or contact.ghl_event_at
    contact.save()
    # Removing AI-Off or Human-Follow-Up-Needed in GHL is how a person hands the lead back to the bot.
    notice_tags_removed(contact, tags_before)


def _copy_contact_fields(contact: Contact, event: ghl_events.ContactEvent) -> None:
    for name in ("first_name", "last_name", "phone", "email", "source", "timezone", "postal_code"):
        value = getattr(event, name)
        if value is not None:
            setattr(contact, name, value)
    contact.tags = list(event.tags)
    if event.custom_fields:
        contact.custom_fields = {**contact.custom_fields, **dict(event.custom_fields)}
    contact.dnd_sms = event.sms_dnd


def apply_opportunity_event(location: Location, event: ghl_events.OpportunityEvent) -> None:
    from analytics.services import record_deal_event

    contact = _contact_for(location, event.contact_id)
    if not record_deal_event(location, contact, event):
        return  # older than the deal's newest update (GHL delivered it late): it must not undo that one
    status_by_deal = {
        ghl_events.OpportunityStatus.WON: LeadStatus.WON,
        ghl_events.OpportunityStatus.LOST: LeadStatus.LOST,
        ghl_events.OpportunityStatus.ABANDONED: LeadStatus.LOST,
    }
    new_status = status_by_deal.get(event.status)
    if new_status and contact.status != new_status:
        contact.status = new_status
        contact.save(update_fields=["status", "updated_at"])


def _apply_workflow_event(location: Location, event: ghl_events.WorkflowEvent, webhook_id: str) -> AppliedEvent:
    """A workflow post is unsigned: what it leaves out stays as it was, and it never takes an opt-out or
    deactivation tag away (only a signed contact event, or a person in the admin, can)."""
    contact = Contact.objects.select_for_update().filter(location=location, ghl_id=event.contact_id).first()
    contact = contact or _contact_for(location, event.contact_id)
    for name in ("first_name", "last_name", "phone", "email"):
        value = getattr(event, name)
        if value:
            setattr(contact, name, value)
    if event.tags is not None:
        contact.tags = _tags_kept_from_unsigned_post(location, contact.tags, event.tags)
    contact.save()
    if not event.message_body:
        return AppliedEvent()
    conversation = _conversation_for(contact)
    now = timezone.now()
    Message.objects.get_or_create(
        ghl_message_id=_workflow_message_id(webhook_id),
        defaults={
            "conversation": conversation,
            "direction": Direction.INBOUND,
            "sender": Sender.LEAD,
            "body": event.message_body,
            "message_type": event.message_type or "SMS",
            "sent_at": now,
        },
    )
    Conversation.objects.filter(pk=conversation.pk).update(last_inbound_at=now)
    return AppliedEvent(conversation.pk)


def _tags_kept_from_unsigned_post(location: Location, current: list[str], posted: tuple[str, ...]) -> list[str]:
    """The posted tags, plus every opt-out and deactivation tag the contact has now: an opt-out held only as a
    GHL tag must survive a workflow that posts a stale or partial list."""
    from bots.config import DEFAULT_TAGS, BotConfig

    silencing = {tag.casefold() for tag in BotConfig.from_overrides(location.bot_settings).deactivation_tags}
    silencing |= {DEFAULT_TAGS[key].casefold() for key in ("opt_out", "ai_off", "stop_bot")}
    posted_folded = {tag.casefold() for tag in posted}
    kept = [tag for tag in current if tag.casefold() in silencing and tag.casefold() not in posted_folded]
    return list(dict.fromkeys([*posted, *kept]))


def _workflow_message_id(webhook_id: str) -> str:
    # The stored event's key names the location and the post (leads.ingest); hashed to fit GHL's 64-character ids.
    return "wf:" + hashlib.sha256(webhook_id.encode()).hexdigest()[:61]


def refresh_contact_from_ghl(contact: Contact) -> None:
    """Read a contact we have never fetched (tags, name, time zone, DND) before its first turn.

    A contact GHL no longer knows (404) is answered from what we have; retryable errors propagate
    so the caller's task retries.
    """
    try:
        remote = ghl_client_for(contact.location).get_contact(contact.ghl_id)
    except GHLFinalError:
        logger.warning("GHL has no readable contact=%s; answering from our copy", contact.pk)
        Contact.objects.filter(pk=contact.pk).update(synced_at=timezone.now())
        return
    with transaction.atomic():
        fresh = Contact.objects.select_for_update().get(pk=contact.pk)
        for name in ("first_name", "last_name", "phone", "email", "source", "timezone", "postal_code"):
            value = getattr(remote, name, None)
            if value:
                setattr(fresh, name, value)
        # Tags changed by a turn after GHL's read would be lost by a plain overwrite: merge instead.
        fresh.tags = list(dict.fromkeys([*remote.tags, *fresh.tags]))
        fresh.dnd_sms = bool(remote.dnd or remote.dnd_sms)
        fresh.synced_at = timezone.now()
        fresh.save()
    contact.refresh_from_db()


def max_time(a: dt.datetime | None, b: dt.datetime) -> dt.datetime:
    return b if a is None or b > a else a
