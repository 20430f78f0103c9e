"""The sender's own failure paths: a write withdrawn while it was on its way, and delivery right after a turn
when it cannot finish there."""
from __future__ import annotations

import pytest
import redis
from django.conf import settings

from bots import sender, tasks
from bots.sender import DeliveryReport
from leads.models import Contact, OutboxMessage
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
