"""Sending fails and is retried with backoff by the real worker: a mail server or chat service saying "later" is
tried again until it takes the message or the attempts run out; a refusal is final at once, with its reason."""
from __future__ import annotations

import socket
from typing import Any

import pytest
from django.db import transaction

from alerts.models import AlertEvent, Channel, Notification, Subscription
from bots.outbox import queue_tag_changes
from leads.models import Contact
from tests.alerts.conftest import FakeChat, SMTPInbox
from tests.conftest import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.usefixtures("alerts_worker")]


def a_fair_housing_alert_for(maria: Contact, **recipient: Any) -> None:
    Subscription.objects.create(location=maria.location, events=[AlertEvent.FAIR_HOUSING], **recipient)
    with transaction.atomic():
        queue_tag_changes(maria, "test:transport", add=["Fair-Housing-Alert"])


def settled() -> Notification:
    return wait_for(lambda: Notification.objects.filter(status__in=["sent", "failed"]).first())


def test_a_mail_server_saying_later_is_tried_again_until_it_takes_the_message(
    maria: Contact, smtp_inbox: SMTPInbox
) -> None:
    smtp_inbox.refuse_next("451 4.3.0 Mail server temporarily busy", times=2)

    a_fair_housing_alert_for(maria, email="desk@alpha.example")

    notification = settled()
    assert notification.status == "sent" and notification.attempts == 3 and notification.last_error == ""
    assert smtp_inbox.attempts == 3 and len(smtp_inbox.mails) == 1


def test_a_mail_server_that_stays_busy_is_given_up_on_after_the_last_attempt(
    maria: Contact, smtp_inbox: SMTPInbox
) -> None:
    smtp_inbox.refuse_next("451 4.3.0 Mail server temporarily busy", times=10)

    a_fair_housing_alert_for(maria, email="desk@alpha.example")

    notification = settled()
    assert notification.status == "failed" and notification.attempts == 3
    assert notification.last_error == "email: SMTP 451 (SMTPDataError) (attempt 3)"
    assert smtp_inbox.attempts == 3


def test_a_refused_address_is_final_at_once(maria: Contact, smtp_inbox: SMTPInbox) -> None:
    smtp_inbox.refuse_next("550 5.1.1 No such user here")

    a_fair_housing_alert_for(maria, email="nobody@alpha.example")

    notification = settled()
    assert notification.status == "failed" and notification.attempts == 1
    assert notification.last_error == "email: SMTP 550 (SMTPDataError)"
    assert "nobody@alpha.example" not in notification.last_error


def test_a_chat_service_failing_is_retried_then_recorded_as_failed(maria: Contact, fake_chat: FakeChat) -> None:
    fake_chat.fail_next(503, times=10)

    a_fair_housing_alert_for(maria, channel=Channel.SLACK, webhook_url=f"{fake_chat.url}/slack/down")

    notification = settled()
    assert notification.status == "failed" and notification.attempts == 3
    assert notification.last_error == "slack: HTTP 503 (attempt 3)"
    assert [call.status for call in fake_chat.calls] == [503, 503, 503]


def test_a_chat_blip_is_retried_and_delivered(maria: Contact, fake_chat: FakeChat) -> None:
    fake_chat.fail_next(429)

    a_fair_housing_alert_for(maria, channel=Channel.TEAMS, webhook_url=f"{fake_chat.url}/teams/blip")

    notification = settled()
    assert notification.status == "sent" and notification.attempts == 2
    assert len(fake_chat.posts_to("/teams/blip")) == 1


def test_a_removed_webhook_is_final_at_once_and_its_url_is_never_in_the_reason(
    maria: Contact, fake_chat: FakeChat
) -> None:
    fake_chat.fail_next(404)

    a_fair_housing_alert_for(maria, channel=Channel.SLACK, webhook_url=f"{fake_chat.url}/slack/removed")

    notification = settled()
    assert notification.status == "failed" and notification.attempts == 1
    assert notification.last_error == "slack: HTTP 404"
    assert len(fake_chat.calls) == 1


def test_a_webhook_nobody_answers_at_is_retried_then_failed(maria: Contact) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = probe.getsockname()[1]
    a_fair_housing_alert_for(maria, channel=Channel.SLACK, webhook_url=f"http://127.0.0.1:{dead}/nobody")

    notification = settled()
    assert notification.status == "failed" and notification.attempts == 3
    assert notification.last_error == "slack: ConnectError (attempt 3)"


def test_a_notification_recorded_while_the_broker_was_down_is_sent_by_the_sweep(
    maria: Contact, smtp_inbox: SMTPInbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datetime as dt

    from django.utils import timezone

    from alerts import services
    from alerts.tasks import resend_stuck_notifications

    # given an alert recorded while its task could not be queued (Redis, the broker, was down)
    def broker_down(ids: list[int]) -> None:
        raise ConnectionError("Error 111 connecting to the broker")

    with monkeypatch.context() as patched:
        patched.setattr(services, "_send_later", broker_down)
        a_fair_housing_alert_for(maria, email="desk@alpha.example")
    stuck = Notification.objects.get()
    assert stuck.status == "waiting" and stuck.attempts == 0
    Notification.objects.filter(pk=stuck.pk).update(updated_at=timezone.now() - dt.timedelta(minutes=6))

    # when the beat's sweep runs, the broker being back
    resend_stuck_notifications.delay()

    # then it goes out
    assert settled().status == "sent"
    assert len(smtp_inbox.mails) == 1


def test_a_broker_sends_a_failed_notification_again_from_the_admin(
    maria: Contact, alpha_broker: Any, smtp_inbox: SMTPInbox
) -> None:
    from django.test import Client

    # given a notification the mail server refused
    smtp_inbox.refuse_next("554 5.7.1 Relay access denied")
    a_fair_housing_alert_for(maria, email="desk@alpha.example")
    failed = settled()
    assert failed.status == "failed"

    # when Alice, the relay fixed, sends it again
    alice = Client()
    alice.force_login(alpha_broker)
    response = alice.post("/admin/alerts/notification/", {"action": "send_again", "_selected_action": [failed.pk]})

    # then it goes out
    assert response.status_code == 302
    wait_for(lambda: Notification.objects.filter(pk=failed.pk, status="sent").exists())
    assert len(smtp_inbox.mails) == 1
