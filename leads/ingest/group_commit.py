"""Storing GHL's webhooks: one INSERT shared by the webhooks arriving together (a group commit), then an enqueue
once committed. Measured by bench/webhook_ingest.py; gunicorn.conf.py says how many threads share it."""
from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Generic, NamedTuple, TypeVar, cast

import psycopg
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction

from leads.ingest.doors import is_erased_contact, is_served_location


@dataclass(frozen=True)
class WebhookReceipt:
    status: str  # "accepted", "duplicate" or "ignored"
    event_id: int | None = None


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
