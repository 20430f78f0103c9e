"""Work that always fails does not loop: a failing turn waits longer each time and is parked after too many
failures in our own code, and the sweeper passes over what is waiting out its backoff or parked, longest waiting
first, instead of taking the same oldest rows every minute."""
from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

import pytest
import redis
from django.conf import settings
from django.utils import timezone

from bots import selectors, tasks
from leads import retries
from leads.models import Contact, Conversation, Location, Message, OutboxMessage
from tests.fakes.ghl import FakeGHL

LONG_AGO = dt.timedelta(hours=1)


def tasks_queued(name: str, queue: str = "bots") -> list[int]:
    """The first argument of each `name` task waiting on the broker's queue, in the order they were sent."""
    first_args = []
    # Kombu pushes each task on the list's head: read from the tail for the order they were sent in.
    for raw in reversed(redis.Redis.from_url(settings.CELERY_BROKER_URL).lrange(queue, 0, -1)):
        message = json.loads(raw)
        if message["headers"]["task"].endswith(name):
            args, _, _ = json.loads(base64.b64decode(message["body"]))
            first_args.append(args[0])
    return first_args


def lead(location: Location, n: int) -> Contact:
    return Contact.objects.create(location=location, ghl_id=f"SweepLead{n:011d}", synced_at=timezone.now())


def unanswered_text(contact: Contact, ago: dt.timedelta = LONG_AGO, **conversation: Any) -> Conversation:
    talk, _ = Conversation.objects.get_or_create(contact=contact)
    Conversation.objects.filter(pk=talk.pk).update(**conversation)
    message = Message.objects.create(conversation=talk, direction="inbound", sender="lead", body="I want to sell",
                                     sent_at=timezone.now() - ago)
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - ago)
    return talk


def waiting_write(contact: Contact, ago: dt.timedelta = LONG_AGO, **fields: Any) -> OutboxMessage:
    row = OutboxMessage.objects.create(location=contact.location, contact=contact, kind="add_tags",
                                       idempotency_key=f"w{contact.pk}", payload={"tags": ["Hot-Seller"]}, **fields)
    OutboxMessage.objects.filter(pk=row.pk).update(updated_at=timezone.now() - ago)
    return row


# -- turns ------------------------------------------------------------------------------------------------


def test_a_turn_failing_in_our_code_waits_longer_each_time_and_is_parked_after_too_many(
    maria: Contact, settings: Any
) -> None:
    # given a conversation whose stored state our code cannot read
    settings.JORGEBOT_PARK_AFTER_FAILURES = 3
    talk = unanswered_text(maria, state={"seller": "unreadable"})

    # when its turn fails three times
    waits = []
    for _ in range(3):
        with pytest.raises(AttributeError):
            tasks.take_turn(talk.pk)
        talk.refresh_from_db()
        waits.append((talk.retry_turn_at - timezone.now()).total_seconds())

    # then each failure is counted with its error and a longer wait, and the third parks the turn
    assert talk.failed_turns == 3
    assert waits[0] < waits[1] < waits[2]
    assert "AttributeError" in talk.turn_error
    assert talk.turn_parked_at is not None


def test_ghl_down_past_the_task_retries_never_parks_a_turn(maria: Contact, settings: Any) -> None:
    from leads.ghl.errors import GHLRetryableError

    settings.JORGEBOT_PARK_AFTER_FAILURES = 3
    talk = unanswered_text(maria)

    parked = [retries.record_failed_turn(talk.pk, GHLRetryableError("server error", endpoint="GET /contacts/{id}"),
                                         ours=False) for _ in range(6)]

    talk.refresh_from_db()
    assert parked == [False] * 6
    assert talk.failed_turns == 6 and talk.turn_parked_at is None
    assert talk.retry_turn_at is not None


def test_a_turn_that_goes_through_clears_its_failures(maria: Contact, fake_ghl: FakeGHL) -> None:
    talk = unanswered_text(maria, dt.timedelta(seconds=10), failed_turns=2, turn_error="AttributeError: x",
                           retry_turn_at=timezone.now())

    tasks.take_turn(talk.pk)

    talk.refresh_from_db()
    assert (talk.failed_turns, talk.retry_turn_at, talk.turn_error) == (0, None, "")


def test_the_sweeper_passes_over_turns_waiting_out_their_backoff_or_parked(alpha_realty: Location) -> None:
    # given three conversations with a text unanswered for an hour: one waits out its backoff, one is parked
    waiting = unanswered_text(lead(alpha_realty, 1), failed_turns=1,
                              retry_turn_at=timezone.now() + dt.timedelta(minutes=5))
    parked = unanswered_text(lead(alpha_realty, 2), failed_turns=5, turn_parked_at=timezone.now())
    due = unanswered_text(lead(alpha_realty, 3))

    # when the sweeper runs
    tasks.sweep_stuck_work()

    # then only the third gets its turn
    assert tasks_queued("take_turn") == [due.pk]
    assert waiting.pk != parked.pk


# -- writes to GHL ----------------------------------------------------------------------------------------------


def test_the_sweeper_passes_over_writes_waiting_out_their_backoff_or_parked(alpha_realty: Location) -> None:
    # given four leads with a write to GHL untouched for an hour: one waits out its backoff, one is parked, one was
    # due to be tried again a minute ago
    waiting, parked, stuck, due = (lead(alpha_realty, n) for n in range(4))
    waiting_write(waiting, failures=2, next_attempt_at=timezone.now() + dt.timedelta(minutes=5))
    waiting_write(parked, status="parked", failures=5)
    waiting_write(stuck)
    waiting_write(due, failures=1, next_attempt_at=timezone.now() - dt.timedelta(minutes=1))

    # when the sweeper runs
    tasks.sweep_stuck_work()

    # then the stuck one and the due one are delivered again, the rest left alone
    assert sorted(tasks_queued("deliver_outbox")) == sorted([stuck.pk, due.pk])


def test_the_sweeper_takes_the_longest_waiting_writes_first(
    alpha_realty: Location, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given more leads waiting than one sweep takes, the newest with the lowest ids
    monkeypatch.setattr(selectors, "SWEEP_BATCH", 2)
    leads = [lead(alpha_realty, n) for n in range(5)]
    for age, contact in enumerate(leads, start=1):
        waiting_write(contact, dt.timedelta(minutes=10 * age))

    # when the sweeper runs
    tasks.sweep_stuck_work()

    # then it takes the two that waited longest
    assert tasks_queued("deliver_outbox") == [leads[4].pk, leads[3].pk]
