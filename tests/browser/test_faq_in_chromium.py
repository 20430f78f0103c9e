"""The FAQ loop in headless Chromium: a lead asks what no answer covers, the broker finds the question in the admin,
adds an answer from its "Add an answer" button, and the next lead who asks gets that answer in a real turn."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from bots import services
from bots.models import FaqEntry, UnansweredQuestion
from leads.models import Contact, Conversation, Location, Message, OutboxMessage
from tests.browser.conftest import Console

ANSWER = "We focus on sales, and Jorge can refer you to a property manager he trusts."


def lead_texts(location: Location, ghl_id: str, body: str) -> str:
    """A real turn for a new lead of `location` who texts `body`; returns the bot's reply."""
    contact = Contact.objects.create(location=location, ghl_id=ghl_id, first_name=ghl_id, phone="+19095550123")
    conversation = Conversation.objects.create(contact=contact)
    sent_at = timezone.now() - dt.timedelta(seconds=30)
    message = Message.objects.create(conversation=conversation, direction="inbound", sender="lead", body=body,
                                     sent_at=sent_at)
    Message.objects.filter(pk=message.pk).update(created_at=sent_at)
    services.take_turn(conversation.pk)
    return OutboxMessage.objects.get(contact=contact, kind="sms").body


@pytest.mark.django_db(transaction=True)
def test_a_broker_answers_a_collected_question_and_the_next_lead_gets_it(
    live_server: Any, page: Any, console: Console, screenshot: Any, alpha_broker: Any, alpha_realty: Location,
    fake_ghl: Any,
) -> None:
    # given two leads asked, in their own words, something no answer covers
    first = lead_texts(alpha_realty, "Asker1", "do you guys also do property management?")
    lead_texts(alpha_realty, "Asker2", "Property management, do u do that??")
    assert ANSWER not in first and "Jorge" in first
    assert UnansweredQuestion.objects.get(location=alpha_realty).times_asked == 2

    # when the broker signs in and opens the questions leads asked
    page.goto(f"{live_server.url}/admin/login/?next=/admin/bots/unansweredquestion/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", "alice-password")
    page.click("input[type=submit]")
    row = page.locator("#result_list tbody tr").first
    assert "property management" in row.inner_text() and "2" in row.inner_text()

    # and answers it from the row's button, on a form already filled in for that question
    row.get_by_text("Add an answer").click()
    page.wait_for_selector("#id_answer")
    assert page.input_value("#id_keywords")
    page.fill("#id_answer", ANSWER)
    with page.expect_navigation():
        page.click("input[name=_save]")
    screenshot("faq-answered")
    assert "the next lead who asks gets it" in page.inner_text(".messagelist")
    assert "property management" not in page.inner_text("#changelist")

    # then the question is answered, and the next lead who asks gets the broker's words
    entry = FaqEntry.objects.get(location=alpha_realty)
    assert UnansweredQuestion.objects.get(location=alpha_realty).answered_by_id == entry.pk
    reply = lead_texts(alpha_realty, "Asker3", "hey do you do property management")
    assert reply.startswith(ANSWER)
    assert console.errors == []
