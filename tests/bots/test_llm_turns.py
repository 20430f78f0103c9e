"""A bot turn with Claude on: Claude reads before the turn takes the conversation's lock and phrases after it
commits, retries while the reply's budget lasts, and answers offline past it.
"""
from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone

from bots import services
from bots.llm.engine import ClaudeTurn
from bots.llm.errors import LLMRetryableError
from bots.models import ClaudeRephrasing
from bots.nlu import ExtractionContext, extract
from bots.outbox import queue_text, rephrase_waiting_text
from leads.models import Contact, Conversation, Message, OutboxMessage
from leads.privacy import erase_contact
from tests.conftest import wait_for
from tests.fakes.anthropic import FakeAnthropic

MESSY = "ya so my wife got a job out in denver and we gotta move, place is kinda a fixer tbh"


def text_from(contact: Contact, body: str, seconds_ago: float = 0.0) -> Message:
    conversation, _ = Conversation.objects.get_or_create(contact=contact)
    message = Message.objects.create(conversation=conversation, direction="inbound", sender="lead", body=body)
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - dt.timedelta(seconds=seconds_ago))
    return message


def queued_text(contact: Contact) -> str:
    return OutboxMessage.objects.get(contact=contact, kind="sms").body


def lock_is_free(conversation_id: int) -> bool:
    """Whether another connection can take the conversation's row lock right now, without waiting."""
    try:
        with transaction.atomic():
            Conversation.objects.select_for_update(nowait=True).get(pk=conversation_id)
        return True
    except Exception:
        return False


@pytest.mark.django_db(transaction=True)
def test_a_slow_claude_never_holds_the_conversations_lock(
    fake_anthropic: FakeAnthropic, maria: Contact
) -> None:
    # given a slow Claude and a messy text to read and answer
    fake_anthropic.latency_seconds = 0.8
    message = text_from(maria, MESSY)
    outcomes: list[str] = []

    def take_turn() -> None:
        try:
            outcomes.append(services.take_turn(message.conversation_id).outcome)
        finally:
            connection.close()

    # when the turn runs
    turn = threading.Thread(target=take_turn)
    turn.start()

    # then while Claude reads, and again while it phrases, the conversation's lock is free
    wait_for(lambda: fake_anthropic.in_flight and fake_anthropic.message_requests("reading") == [])
    assert lock_is_free(message.conversation_id)
    wait_for(lambda: fake_anthropic.in_flight and len(fake_anthropic.message_requests()) == 1)
    assert lock_is_free(message.conversation_id)
    turn.join()
    assert outcomes == ["seller bot replied"]
    assert queued_text(maria).startswith("Thanks, that helps.")


@pytest.mark.django_db
def test_the_phrased_reply_replaces_the_draft_in_the_outbox(fake_anthropic: FakeAnthropic, maria: Contact) -> None:
    message = text_from(maria, "Hi, I want to sell my house")

    services.take_turn(message.conversation_id)

    assert queued_text(maria) == "Thanks, that helps. Happy to help with the sale. What is the address of the home?"
    assert [len(fake_anthropic.message_requests(task)) for task in ("reading", "phrasing")] == [0, 1]
    state = Conversation.objects.get(pk=message.conversation_id).state
    assert state["last_reply"] == "Happy to help with the sale. What is the address of the home?"


@pytest.mark.django_db
def test_the_bots_own_text_is_kept_beside_claudes_rephrasing(fake_anthropic: FakeAnthropic, maria: Contact) -> None:
    message = text_from(maria, "Hi, I want to sell my house")

    services.take_turn(message.conversation_id)

    row = OutboxMessage.objects.get(contact=maria, kind="sms")
    assert row.body == "Thanks, that helps. Happy to help with the sale. What is the address of the home?"
    assert row.claude_rephrasing.bot_wrote == "Happy to help with the sale. What is the address of the home?"


@pytest.mark.django_db
def test_an_off_voice_phrasing_sends_the_draft_and_keeps_no_rephrasing(
    fake_anthropic: FakeAnthropic, maria: Contact
) -> None:
    fake_anthropic.answer_next(text="Hey!! Happy to help \U0001F600 What is the address of the home?", task="phrasing")
    message = text_from(maria, "Hi, I want to sell my house")

    services.take_turn(message.conversation_id)

    assert queued_text(maria) == "Happy to help with the sale. What is the address of the home?"
    assert not ClaudeRephrasing.objects.exists()


@pytest.mark.django_db
def test_a_text_already_on_its_way_is_not_rephrased(maria: Contact) -> None:
    # the delivery took the draft before Claude answered: the lead gets the draft, and nothing claims otherwise
    sent = queue_text(maria, "What is the address of the home?", "turn:sent")
    OutboxMessage.objects.filter(pk=sent.pk).update(status="sent")

    assert not rephrase_waiting_text(maria, "What is the address of the home?", "Got it. What is the address?")

    assert OutboxMessage.objects.get(pk=sent.pk).body == "What is the address of the home?"
    assert not ClaudeRephrasing.objects.exists()


@pytest.mark.django_db
def test_erasing_the_lead_deletes_the_bots_texts_kept_beside_claudes(maria: Contact) -> None:
    queue_text(maria, "What is the address of the home?", "turn:one")
    assert rephrase_waiting_text(maria, "What is the address of the home?", "Got it. What is the address?")

    erased = erase_contact(maria)

    assert erased.claude_rephrasings == 1 and not ClaudeRephrasing.objects.exists()


@pytest.mark.django_db
def test_a_busy_claude_asks_celery_to_retry_the_turn_while_the_budget_lasts(
    fake_anthropic: FakeAnthropic, maria: Contact
) -> None:
    # given Claude is overloaded
    fake_anthropic.fail_next(529)
    message = text_from(maria, MESSY)

    # when the turn reads ahead
    with pytest.raises(LLMRetryableError) as retry:
        services.take_turn(message.conversation_id)

    # then the turn asks for a short backoff, and has answered nothing yet
    assert retry.value.retry_after is not None and 0 < retry.value.retry_after < 2.5
    assert Message.objects.get(pk=message.pk).answered_at is None
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_past_the_budget_the_turn_answers_offline(fake_anthropic: FakeAnthropic, maria: Contact) -> None:
    # given the lead's text is older than the reply's budget (retries already spent it)
    fake_anthropic.fail_next(529, times=10)
    message = text_from(maria, MESSY, seconds_ago=10)

    # when the turn runs
    result = services.take_turn(message.conversation_id, attempt=3)

    # then the offline engine answered (it cannot tell this lead sells), with the draft, and Claude was not asked
    assert result.outcome == "lead bot replied"
    assert queued_text(maria) == "Thanks for reaching out. Are you looking to buy, sell, or both?"
    assert fake_anthropic.message_requests() == []


def test_a_reading_done_ahead_is_not_used_once_the_texts_changed(
    fake_anthropic: FakeAnthropic, alpha_realty: Any, db: None
) -> None:
    turn = ClaudeTurn(alpha_realty)
    context = ExtractionContext(last_question=None)
    turn.read_ahead(MESSY, context, reply_due_at=timezone.now(), attempt=0)

    burst = f"{MESSY}\nactually we might stay"
    assert turn.understand(burst, context) == extract(burst, context)
    assert len(fake_anthropic.message_requests()) == 1
