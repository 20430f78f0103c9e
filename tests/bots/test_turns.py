"""bots.services.take_turn: one turn at a time per contact, debounce, the stop rules, idempotent outbox."""
from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from bots import services
from bots.models import FollowUp
from leads.models import Contact, Conversation, Message, OutboxMessage


def text_from(contact: Contact, body: str, seconds_ago: float = 10.0) -> Message:
    conversation, _ = Conversation.objects.get_or_create(contact=contact)
    message = Message.objects.create(
        conversation=conversation, direction="inbound", sender="lead", body=body,
        sent_at=timezone.now() - dt.timedelta(seconds=seconds_ago),
    )
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - dt.timedelta(seconds=seconds_ago))
    return message


def texts_queued(contact: Contact) -> list[str]:
    return list(OutboxMessage.objects.filter(contact=contact, kind="sms").values_list("body", flat=True))


@pytest.mark.django_db(transaction=True)
def test_two_workers_taking_the_same_turn_answer_once(maria: Contact) -> None:
    # given one unanswered text
    message = text_from(maria, "I want to sell my house")
    outcomes: list[str] = []

    # when two workers take the turn at the same moment
    def take() -> None:
        try:
            outcomes.append(services.take_turn(message.conversation_id).outcome)
        finally:
            connection.close()

    workers = [threading.Thread(target=take) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    # then one answered and the other found nothing left to answer
    assert sorted(outcomes) == ["nothing to answer", "seller bot replied"]
    assert len(texts_queued(maria)) == 1


def test_a_turn_waits_while_the_lead_is_still_typing(maria: Contact, settings: Any) -> None:
    settings.JORGEBOT_REPLY_DEBOUNCE_SECONDS = 3.0
    message = text_from(maria, "Hi", seconds_ago=1.0)

    result = services.take_turn(message.conversation_id)

    assert result.retry_in is not None and 1.5 < result.retry_in <= 2.0
    assert texts_queued(maria) == []
    assert Message.objects.get(pk=message.pk).answered_at is None


def test_a_burst_is_answered_once_in_arrival_order(maria: Contact) -> None:
    text_from(maria, "Hi", seconds_ago=30)
    last = text_from(maria, "I'm thinking about selling", seconds_ago=20)

    result = services.take_turn(last.conversation_id)

    assert result.outcome == "seller bot replied"
    assert len(texts_queued(maria)) == 1
    assert not Message.objects.filter(answered_at__isnull=True).exists()


def test_running_a_turn_again_queues_nothing_new(maria: Contact) -> None:
    message = text_from(maria, "I want to buy a home")
    services.take_turn(message.conversation_id)
    Message.objects.filter(pk=message.pk).update(answered_at=None)
    state_before = Conversation.objects.get(pk=message.conversation_id).state

    # a redelivered turn whose first run's commit we could not see rebuilds the same rows
    Conversation.objects.filter(pk=message.conversation_id).update(state={})
    services.take_turn(message.conversation_id)

    assert len(texts_queued(maria)) == 1
    assert state_before["bot"] == "buyer"


@pytest.mark.parametrize("tag", ["AI-Off", "Stop-Bot", "TCPA-Opt-Out"])
def test_a_deactivation_tag_keeps_every_bot_quiet(maria: Contact, tag: str) -> None:
    maria.tags = [tag]
    maria.save()
    message = text_from(maria, "I want to sell my house")

    result = services.take_turn(message.conversation_id)

    assert result.outcome == f"no reply: contact has the {tag} tag"
    assert texts_queued(maria) == []
    assert Message.objects.get(pk=message.pk).answered_at is not None


def test_a_hot_seller_keeps_the_seller_bots_mode_after_losing_needs_qualifying(maria: Contact) -> None:
    # given a location where only the seller bot texts, and a seller who turned hot: Needs Qualifying gave way
    # to Seller-Qualified (BOTS.md "Becoming hot"), and the seller bot has her conversation
    maria.location.bot_settings = {"lead_bot_mode": "off", "seller_bot_mode": "auto"}
    maria.location.save()
    maria.tags = ["Seller-Qualified", "Hot-Seller"]
    maria.save()
    Conversation.objects.create(contact=maria, state={"bot": "seller", "last_question": "booking"})
    message = text_from(maria, "Thanks, talk soon")

    # when she texts again
    result = services.take_turn(message.conversation_id)

    # then the seller bot, which is on, answers her: the lead bot being off does not silence it
    assert result.outcome == "seller bot replied"
    assert len(texts_queued(maria)) == 1


def test_a_paused_bot_stays_quiet_until_the_pause_ends(maria: Contact) -> None:
    maria.bot_paused_until = timezone.now() + dt.timedelta(hours=1)
    maria.save()
    first = text_from(maria, "I want to sell my house")
    assert services.take_turn(first.conversation_id).outcome == "no reply: a human took over"

    maria.bot_paused_until = timezone.now() - dt.timedelta(minutes=1)
    maria.save()
    text_from(maria, "Hello? I want to sell")
    assert services.take_turn(first.conversation_id).outcome == "seller bot replied"


def test_opt_out_confirms_once_even_if_the_lead_repeats_it(maria: Contact) -> None:
    first = text_from(maria, "STOP")
    services.take_turn(first.conversation_id)
    text_from(maria, "stop texting me")
    services.take_turn(first.conversation_id)

    maria.refresh_from_db()
    assert maria.opted_out_at is not None
    assert maria.has_tag("TCPA-Opt-Out") and maria.has_tag("AI-Off")
    texts = OutboxMessage.objects.filter(contact=maria, kind="sms")
    assert texts.count() == 1
    assert texts.get().bypass_opt_out is True


def test_start_opts_the_lead_back_in(maria: Contact) -> None:
    first = text_from(maria, "STOP")
    services.take_turn(first.conversation_id)

    text_from(maria, "START")
    result = services.take_turn(first.conversation_id)

    maria.refresh_from_db()
    assert result.outcome == "lead opted back in"
    assert maria.opted_out_at is None
    assert not maria.has_tag("TCPA-Opt-Out")
    assert OutboxMessage.objects.filter(contact=maria, kind="remove_tags").exists()
    assert OutboxMessage.objects.filter(contact=maria, kind="sms").count() == 2


def test_an_unclear_first_message_asks_buy_sell_or_both(maria: Contact) -> None:
    message = text_from(maria, "Hello")

    services.take_turn(message.conversation_id)

    [text] = texts_queued(maria)
    assert "buy" in text and "sell" in text
    assert Conversation.objects.get(pk=message.conversation_id).state["last_question"] == "intent"


def test_a_turn_stays_within_its_query_budget(maria: Contact, django_assert_num_queries: Any) -> None:
    # given a lead's first text
    message = text_from(maria, "I want to sell my house")

    # when the bot answers, it spends: the conversation under its lock (with the contact and the location), the
    # unanswered texts, the drafts retired, the outbox rows in one INSERT, the contact, the seller cadence's start,
    # the waiting follow-up cancelled and the next one planned, the texts marked answered, the state; and the
    # savepoint pair that stands for the turn's transaction inside the test's
    with django_assert_num_queries(12):
        result = services.take_turn(message.conversation_id)

    # then it answered, and no read was spent asking whether it queued anything
    assert result.outcome == "seller bot replied" and result.queued_writes


def test_a_seller_answering_again_the_same_day_keeps_the_follow_up_that_waits(
    maria: Contact, django_assert_num_queries: Any
) -> None:
    # given a seller the bot answered, whose day 2 follow-up waits
    services.take_turn(text_from(maria, "I want to sell my house").conversation_id)
    waiting = FollowUp.objects.get(contact=maria)
    message = text_from(maria, "123 Main St, Rancho Cucamonga")

    # when she answers again a few seconds later: one read of the cadence, nothing cancelled nor planned again
    with django_assert_num_queries(10):
        services.take_turn(message.conversation_id)

    # then the same attempt still waits, as it was
    assert list(FollowUp.objects.filter(contact=maria).values("pk", "status", "step", "due_at")) == [
        {"pk": waiting.pk, "status": "scheduled", "step": 1, "due_at": waiting.due_at}
    ]
