"""The sender's own failure paths: a write withdrawn while it was on its way, delivery right after a turn when it
cannot finish there, GHL down for long (a retry budget in time, consent writes never given up) and a write that
keeps failing in our own code (parked)."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import redis
from django.conf import settings
from django.utils import timezone

from bots import sender, tasks
from bots.sender import DeliveryReport
from leads.models import Contact, Conversation, OutboxMessage
from tests.fakes.ghl import FakeGHL


def queued_in_the_broker(queue: str = "bots") -> int:
    return int(redis.Redis.from_url(settings.CELERY_BROKER_URL).llen(queue))


def test_a_tag_write_cancelled_after_it_was_read_is_not_sent(maria: Contact, fake_ghl: FakeGHL) -> None:
    # given the sender has read the lead's pending writes
    OutboxMessage.objects.create(location=maria.location, contact=maria, kind="add_tags", idempotency_key="t1",
                                 payload={"tags": ["Hot-Seller"]})
    [row] = sender._pending(maria.pk)

    # when the write is withdrawn before its turn comes (a person took over, the lead opted out)
    OutboxMessage.objects.filter(pk=row.pk).update(status="cancelled")
    report = DeliveryReport()
    sender._deliver(row, report)

    # then GHL never hears of it, and it stays cancelled
    assert fake_ghl.tags_added(maria.ghl_id) == []
    assert OutboxMessage.objects.get(pk=row.pk).status == "cancelled"
    assert report.sent == 0


def test_when_delivery_right_after_the_turn_fails_the_deliver_task_takes_over(
    maria: Contact, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(contact_id: int) -> DeliveryReport:
        raise RuntimeError("a bug in the sender")

    monkeypatch.setattr(tasks, "deliver_pending", broken)

    tasks._deliver_right_away(maria.pk)

    assert queued_in_the_broker() == 1


def test_when_ghl_asks_us_to_wait_the_deliver_task_comes_back_later(
    maria: Contact, monkeypatch: pytest.MonkeyPatch
) -> None:
    def deferred(contact_id: int) -> DeliveryReport:
        raise sender.DeliveryDeferred(30.0)

    monkeypatch.setattr(tasks, "deliver_pending", deferred)

    tasks._deliver_right_away(maria.pk)

    assert queued_in_the_broker() == 1


def test_a_wait_longer_than_a_minute_is_left_to_the_sweeper(maria: Contact, monkeypatch: pytest.MonkeyPatch) -> None:
    # A task held in the broker past its visibility timeout would come back twice; the sweeper picks the row when due.
    def deferred(contact_id: int) -> DeliveryReport:
        raise sender.DeliveryDeferred(600.0)

    monkeypatch.setattr(tasks, "deliver_pending", deferred)

    tasks._deliver_right_away(maria.pk)

    assert queued_in_the_broker() == 0


# -- GHL down for long: a retry budget in time, never giving up on consent ------------------------------------


def _deliver_when_due(contact: Contact) -> DeliveryReport | sender.DeliveryDeferred:
    """One delivery run as the task would make it once the rows' wait is over."""
    OutboxMessage.objects.filter(contact=contact).update(next_attempt_at=None)
    try:
        return sender.deliver_pending(contact.pk)
    except sender.DeliveryDeferred as deferred:
        return deferred


def _row(contact: Contact, kind: str, key: str, **fields: Any) -> OutboxMessage:
    return OutboxMessage.objects.create(location=contact.location, contact=contact, kind=kind, idempotency_key=key,
                                        **fields)


def _she_just_texted(contact: Contact) -> None:
    """The text answers a message she just sent, so it may go at any hour: without it the test would meet quiet
    hours whenever it ran in her evening (it failed so when CI ran at 03:00 UTC, 9 PM in Texas)."""
    Conversation.objects.update_or_create(contact=contact, defaults={"last_inbound_at": timezone.now()})


def test_ghl_answering_500_for_many_attempts_keeps_the_text_waiting_within_its_budget(
    maria: Contact, fake_ghl: FakeGHL, settings: Any
) -> None:
    _she_just_texted(maria)
    # given GHL answers 500 to every text, and a retry budget of an hour
    settings.JORGEBOT_DELIVERY_RETRY_HOURS = 1.0
    fake_ghl.fail_next(500, times=1000, path_prefix="/conversations/messages")
    text = _row(maria, "sms", "t1", body="Hi Maria, what is the address?")

    # when the sender tries eight times
    outcomes = [_deliver_when_due(maria) for _ in range(8)]

    # then each try is put off, and the text still waits to go, with what failed and when to try again
    assert all(isinstance(outcome, sender.DeliveryDeferred) for outcome in outcomes)
    text.refresh_from_db()
    assert text.status in ("pending", "sending")
    assert text.failures == 8
    assert "status=500" in text.last_error
    assert text.next_attempt_at is not None and text.next_attempt_at > timezone.now()
    assert not Contact.objects.get(pk=maria.pk).has_tag("Delivery-Failed")


def test_past_its_budget_a_text_fails_and_the_lead_is_tagged_delivery_failed(
    maria: Contact, fake_ghl: FakeGHL, settings: Any
) -> None:
    _she_just_texted(maria)
    # given a text GHL has refused with 500 for longer than the budget
    settings.JORGEBOT_DELIVERY_RETRY_HOURS = 1.0
    fake_ghl.fail_next(500, times=1000, path_prefix="/conversations/messages")
    text = _row(maria, "sms", "t1", body="Hi Maria, what is the address?")
    assert isinstance(_deliver_when_due(maria), sender.DeliveryDeferred)
    OutboxMessage.objects.filter(pk=text.pk).update(failing_since=timezone.now() - dt.timedelta(hours=2))

    # when it fails once more
    outcome = _deliver_when_due(maria)

    # then it is failed for good, with why, and the contact is flagged
    assert isinstance(outcome, DeliveryReport) and outcome.failed == 1
    text.refresh_from_db()
    assert text.status == "failed"
    assert text.status_reason.startswith("gave up after 2 attempts in 2.0 h")
    assert Contact.objects.get(pk=maria.pk).has_tag("Delivery-Failed")


@pytest.mark.parametrize(
    ("kind", "fields"),
    [("add_tags", {"payload": {"tags": ["TCPA-Opt-Out"]}}), ("set_dnd", {"payload": {"dnd": True}})],
)
def test_an_opt_out_or_dnd_write_is_never_given_up(
    maria: Contact, fake_ghl: FakeGHL, settings: Any, kind: str, fields: dict[str, Any]
) -> None:
    # given GHL has failed the lead's opt-out write for days, and keeps failing it
    settings.JORGEBOT_DELIVERY_RETRY_HOURS = 1.0
    fake_ghl.fail_next(503, times=1000, path_prefix="/contacts/")
    consent = _row(maria, kind, "optout", **fields)
    for _ in range(7):
        assert isinstance(_deliver_when_due(maria), sender.DeliveryDeferred)
    OutboxMessage.objects.filter(pk=consent.pk).update(failing_since=timezone.now() - dt.timedelta(days=5))

    # when it fails once more
    outcome = _deliver_when_due(maria)

    # then it is still waiting to go: GHL must learn of the opt-out
    assert isinstance(outcome, sender.DeliveryDeferred)
    consent.refresh_from_db()
    assert consent.status in ("pending", "sending")
    assert consent.next_attempt_at is not None


def test_an_opt_out_write_waits_out_a_token_ghl_no_longer_takes_but_a_tag_write_fails(
    maria: Contact, fake_ghl: FakeGHL
) -> None:
    # given GHL refuses the brokerage's token (revoked; the broker reconnects later)
    fake_ghl.fail_next(401, times=1000, path_prefix="/contacts/")
    consent = _row(maria, "set_dnd", "dnd", payload={"dnd": True})

    # when the do-not-disturb write is tried, then a plain tag write
    assert isinstance(_deliver_when_due(maria), sender.DeliveryDeferred)
    OutboxMessage.objects.filter(pk=consent.pk).update(status="sent")
    tag = _row(maria, "add_tags", "hot", payload={"tags": ["Hot-Seller"]})
    outcome = _deliver_when_due(maria)

    # then the consent write waits to go again, and the tag write fails at once, as any refused write does
    consent.refresh_from_db()
    assert consent.failures == 1 and "status=401" in consent.last_error
    assert isinstance(outcome, DeliveryReport) and outcome.failed == 1
    assert OutboxMessage.objects.get(pk=tag.pk).status == "failed"


def test_the_wait_between_attempts_doubles_and_is_capped(maria: Contact, fake_ghl: FakeGHL, settings: Any) -> None:
    settings.JORGEBOT_DELIVERY_RETRY_SECONDS = 5.0
    settings.JORGEBOT_RETRY_MAX_BACKOFF_SECONDS = 60.0
    fake_ghl.fail_next(500, times=1000, path_prefix="/contacts/")
    _row(maria, "add_tags", "tags", payload={"tags": ["Hot-Seller"]})

    waits = []
    for _ in range(6):
        outcome = _deliver_when_due(maria)
        assert isinstance(outcome, sender.DeliveryDeferred)
        waits.append(round(outcome.retry_after))

    assert waits == [5, 10, 20, 40, 60, 60]


def test_a_write_waiting_for_its_next_attempt_is_not_tried_before_then(maria: Contact, fake_ghl: FakeGHL) -> None:
    # given a write that failed a moment ago, to be tried again in a minute
    _row(maria, "add_tags", "tags", payload={"tags": ["Hot-Seller"]}, failures=1,
         next_attempt_at=timezone.now() + dt.timedelta(minutes=1))

    # when a delivery task runs early (the sweeper, a turn's delivery)
    with pytest.raises(sender.DeliveryDeferred) as deferred:
        sender.deliver_pending(maria.pk)

    # then GHL hears nothing, and the task is told how long to wait
    assert fake_ghl.calls == []
    assert 50 < deferred.value.retry_after <= 60


def test_a_write_that_keeps_failing_in_our_own_code_is_parked_and_the_next_one_goes(
    maria: Contact, fake_ghl: FakeGHL, settings: Any
) -> None:
    # given a field write our code cannot read (no custom_fields in its payload), then a tag write
    settings.JORGEBOT_PARK_AFTER_FAILURES = 3
    broken = _row(maria, "update_fields", "fields", payload={"fields": {"motivation": "relocating"}})
    _row(maria, "add_tags", "tags", payload={"tags": ["Hot-Seller"]})

    # when the sender tries three times
    outcomes = [_deliver_when_due(maria) for _ in range(3)]

    # then the first two tries wait, the third parks the broken row with why, and the tag write goes out
    assert [type(outcome).__name__ for outcome in outcomes] == ["DeliveryDeferred", "DeliveryDeferred",
                                                                "DeliveryReport"]
    broken.refresh_from_db()
    assert broken.status == "parked"
    assert "KeyError" in broken.status_reason
    assert fake_ghl.tags_added(maria.ghl_id) == ["Hot-Seller"]
