"""The location's FAQ (bots.faq): a broker's answer overrides the default, an "other" answer is found by its
keywords, questions nobody answered are collected and counted, and the broker's answer reaches the next lead."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django.utils import timezone

from bots import services
from bots.faq import LocationFacts, answer_question, collect_unanswered, question_words
from bots.models import FaqEntry, UnansweredQuestion
from leads.models import Contact, Conversation, Location, Message, OutboxMessage

MANAGEMENT = "do you guys also do property management?"


def ask_the_simulator(client: Client, location: Location, message: str, tags: list[str]) -> dict[str, Any]:
    response = client.post("/api/v1/simulator/", {"location": location.id, "message": message, "tags": tags},
                           content_type="application/json")
    assert response.status_code == 200, response.content
    return dict(response.json())


def test_the_same_question_in_other_words_order_and_punctuation_is_the_same_words() -> None:
    assert question_words("Do you do property management??") == question_words("property management, do u?")
    assert question_words(MANAGEMENT) == ["management", "property"]


def test_a_brokers_answer_of_a_kind_wins_over_the_default_and_other_locations_answers_never_leak(
    alpha_realty: Location, beta_homes: Location
) -> None:
    FaqEntry.objects.create(location=alpha_realty, kind="fees", answer="Our fee is set with you before listing.")
    FaqEntry.objects.create(location=beta_homes, kind="fees", answer="Beta's fee text.")

    assert LocationFacts(alpha_realty.id).answer("fees", "whats the commission", "en") == \
        "Our fee is set with you before listing."
    assert LocationFacts(alpha_realty.id).answer("process", "how does this work", "en") is None


def test_an_other_answer_is_found_by_every_word_of_one_of_its_keyword_phrases(alpha_realty: Location) -> None:
    FaqEntry.objects.create(location=alpha_realty, kind="other", keywords="property management, rentals",
                            answer="We do not manage rentals, but Jorge knows who does.")
    facts = LocationFacts(alpha_realty.id)

    assert facts.answer("other", MANAGEMENT, "en") == "We do not manage rentals, but Jorge knows who does."
    assert facts.answer("other", "do you handle rentals?", "en") is not None
    assert facts.answer("other", "do you do management consulting?", "en") is None


def test_a_kind_answered_by_default_in_the_leads_language_is_not_replaced_by_an_answer_in_another(
    alpha_realty: Location,
) -> None:
    FaqEntry.objects.create(location=alpha_realty, kind="fees", answer="English fees.", language="en")
    assert LocationFacts(alpha_realty.id).answer("fees", "cuanto cobran", "es") is None


def test_an_unanswered_question_is_counted_each_time_it_is_asked_again(alpha_realty: Location) -> None:
    first = collect_unanswered(alpha_realty.id, "other", MANAGEMENT, "en")
    again = collect_unanswered(alpha_realty.id, "other", "Property management, do you do it?", "en")
    other = collect_unanswered(alpha_realty.id, "other", "do you work weekends?", "en")

    assert first is not None and again is not None and other is not None
    assert again.pk == first.pk and again.times_asked == 2
    assert again.question == MANAGEMENT
    assert other.pk != first.pk and other.times_asked == 1


def test_a_question_with_no_words_worth_keeping_is_not_collected(alpha_realty: Location) -> None:
    assert collect_unanswered(alpha_realty.id, "other", "what?", "en") is None
    assert not UnansweredQuestion.objects.exists()


def test_the_brokers_answer_reaches_the_next_lead_who_asks(
    client: Client, owner: Any, alpha_realty: Location
) -> None:
    # given a lead asked something no answer covers
    client.force_login(owner)
    first = ask_the_simulator(client, alpha_realty, MANAGEMENT, ["lead-bot"])
    assert "pass it to Jorge" in first["reply"] or "passing it to Jorge" in first["reply"]
    question = collect_unanswered(alpha_realty.id, "other", MANAGEMENT, "en")
    assert question is not None

    # when the broker answers it
    entry = answer_question(question, "We focus on sales, and Jorge can refer you to a property manager.")

    # then the question is marked answered, and the next lead who asks gets the answer before the next question
    question.refresh_from_db()
    assert question.answered_by_id == entry.pk
    later = ask_the_simulator(client, alpha_realty, "Do you do property management?", ["lead-bot"])
    assert later["reply"].startswith("We focus on sales, and Jorge can refer you to a property manager.")
    assert later["next_question"] == "intent"


def test_a_real_turn_collects_the_question_nobody_answered(maria: Contact) -> None:
    # given maria's text asks something no answer covers
    conversation, _ = Conversation.objects.get_or_create(contact=maria)
    message = Message.objects.create(conversation=conversation, direction="inbound", sender="lead", body=MANAGEMENT,
                                     sent_at=timezone.now() - dt.timedelta(seconds=30))
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - dt.timedelta(seconds=30))

    # when her turn is taken
    services.take_turn(conversation.pk)

    # then the reply says it goes to the agent, and the broker's list has the question once
    reply = OutboxMessage.objects.get(contact=maria, kind="sms").body
    assert "Jorge" in reply
    question = UnansweredQuestion.objects.get(location_id=maria.location_id)
    assert (question.question, question.times_asked, question.kind) == (MANAGEMENT, 1, "other")
