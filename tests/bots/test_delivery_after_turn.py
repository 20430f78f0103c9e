"""The turn's own worker sends the reply as soon as the turn commits; the deliver task is only the fallback."""
from __future__ import annotations

import pytest

from bots.tasks import DELIVERY_LOCK_SECONDS
from jorgebot.redis import get_redis
from leads.models import Contact, OutboxMessage
from tests.conftest import PostWebhook, WorkerProcess, tasks_left, wait_for, wait_until_nothing_left_to_do
from tests.fakes import ghl_events
from tests.fakes.ghl import FakeGHL

pytestmark = pytest.mark.worker


def only_a_delivery_retry_left() -> bool:
    """The turn is over and the deliver task found the outbox held and backed off: its retry is all that is left."""
    left = tasks_left()
    return bool(left) and all(name == "bots.tasks.deliver_outbox" and retries >= 1 for name, retries in left)


def test_the_reply_goes_out_from_the_turn_that_wrote_it(
    celery_worker: WorkerProcess, fake_ghl: FakeGHL, maria: Contact, post_webhook: PostWebhook
) -> None:
    post_webhook(ghl_events.inbound_message(body="I want to sell my house"))

    # the reply first, then the turn's tag changes, all from the worker that took the turn
    wait_for(lambda: len(fake_ghl.sms_sent(maria.ghl_id)) == 1, timeout=30)
    wait_for(lambda: not OutboxMessage.objects.filter(contact=maria, status__in=["pending", "sending"]).exists())
    writes = [call.path for call in fake_ghl.calls if call.path.startswith(("/conversations/messages", "/contacts/"))]
    assert writes[0] == "/conversations/messages"
    assert any(path.endswith("/tags") for path in writes[1:])


def test_while_another_worker_holds_the_leads_outbox_the_reply_waits_and_goes_out_once(
    celery_worker: WorkerProcess, fake_ghl: FakeGHL, maria: Contact, post_webhook: PostWebhook
) -> None:
    # given another worker is delivering maria's outbox
    lock = get_redis().lock(f"jorgebot:deliver:{maria.pk}", timeout=DELIVERY_LOCK_SECONDS)
    assert lock.acquire(blocking=False)

    # when she texts, the turn queues the reply but cannot send it
    post_webhook(ghl_events.inbound_message(body="I want to sell my house"))
    wait_for(lambda: OutboxMessage.objects.filter(contact=maria, kind="sms").exists(), timeout=30)
    wait_for(only_a_delivery_retry_left, timeout=30)
    assert fake_ghl.sms_sent(maria.ghl_id) == []

    # then once the other worker is done, the deliver task sends it, once
    lock.release()
    wait_for(lambda: len(fake_ghl.sms_sent(maria.ghl_id)) == 1, timeout=30)
    wait_until_nothing_left_to_do()
    assert len(fake_ghl.sms_sent(maria.ghl_id)) == 1
