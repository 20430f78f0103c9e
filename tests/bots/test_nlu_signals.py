"""Conversation signals: vague answers, stalls, objections, intent, asks for a human or about AI, slot picks."""
from __future__ import annotations

from datetime import datetime

import pytest

from bots.nlu import Extraction, ExtractionContext, Intent, Objection, Stall, extract

# Three slots as the bot offers them: Tuesday 10:00, Tuesday 14:00, Wednesday 10:30 (local time).
SLOTS = (datetime(2026, 11, 24, 10, 0), datetime(2026, 11, 24, 14, 0), datetime(2026, 11, 25, 10, 30))
MONDAY = datetime(2026, 11, 23, 9, 0)


def read(message: str, last_question: str | None = None) -> Extraction:
    return extract(message, ExtractionContext(last_question=last_question))


def pick(message: str) -> int | None:
    return extract(message, ExtractionContext(last_question="slot_pick", offered_slots=SLOTS, now=MONDAY)).slot_pick


@pytest.mark.parametrize("message", [
    "maybe", "idk", "IDK", "I don't know", "dunno", "we'll see", "not sure", "no idea", "hmm", "possibly",
    "it depends", "who knows", "tal vez", "no sé", "not sure about the timeline",
])
def test_a_non_answer_is_vague(message: str) -> None:
    assert read(message, "timeline").vague


@pytest.mark.parametrize("message", [
    "maybe 650k", "idk, probably within 2 months", "not sure, it needs some work", "maybe Etiwanda",
    "123 Main St", "yes", "650k",
])
def test_a_hedge_with_an_answer_in_it_is_not_vague(message: str) -> None:
    assert not read(message, "price_expectation").vague


@pytest.mark.parametrize(("message", "stall"), [
    ("I need to think about it", Stall.THINKING),
    ("let me think", Stall.THINKING),
    ("I'll sleep on it", Stall.THINKING),
    ("lo voy a pensar", Stall.THINKING),
    ("I'll get back to you", Stall.GET_BACK_LATER),
    ("text me next week", Stall.GET_BACK_LATER),
    ("I'm busy right now", Stall.GET_BACK_LATER),
    ("not a good time", Stall.GET_BACK_LATER),
    ("later", Stall.GET_BACK_LATER),
    ("estoy ocupado", Stall.GET_BACK_LATER),
    ("Zillow says 700k", Stall.ONLINE_ESTIMATE),
    ("the zestimate is higher", Stall.ONLINE_ESTIMATE),
    ("Redfin has it at 680", Stall.ONLINE_ESTIMATE),
    ("I already have an agent", Stall.HAS_AGENT),
    ("we're working with a realtor", Stall.HAS_AGENT),
    ("my cousin is a realtor", Stall.HAS_AGENT),
    ("ya tengo agente", Stall.HAS_AGENT),
    ("just looking", Stall.JUST_LOOKING),
    ("just curious what it's worth", Stall.JUST_LOOKING),
    ("only browsing, just browsing really", Stall.JUST_LOOKING),
    ("I just want to see what it's worth", Stall.JUST_LOOKING),
    ("We already listed with Redfin", Stall.HAS_AGENT),
    ("I'm a realtor myself", Stall.HAS_AGENT),
    ("my agent says we should wait", Stall.HAS_AGENT),
    ("Necesito pensarlo", Stall.THINKING),
    ("My husband and I are still deciding", Stall.THINKING),
])
def test_stalls_are_recognised_by_type(message: str, stall: Stall) -> None:
    assert read(message).stall is stall


@pytest.mark.parametrize("message", [
    "123 Main St", "later this year", "we're driving distance from the school", "yes that works", "650k",
    "can you act as my agent?",
])
def test_an_answer_is_not_a_stall(message: str) -> None:
    assert read(message).stall is None


@pytest.mark.parametrize(("message", "objection"), [
    ("that's too low", Objection.PRICE),
    ("your commission is too high", Objection.PRICE),
    ("I can get more than that", Objection.PRICE),
    ("it's not the right time", Objection.TIMING),
    ("we want to wait for rates to come down", Objection.TIMING),
    ("I'm talking to other agents", Objection.COMPETITION),
    ("Opendoor offered me more", Objection.COMPETITION),
    ("we might sell it ourselves", Objection.COMPETITION),
    ("how did you get my number?", Objection.TRUST),
    ("is this a scam", Objection.TRUST),
    ("who is this", Objection.TRUST),
    ("Sorry, who's this?", Objection.TRUST),
    ("need to check with my wife", Objection.DECISION_AUTHORITY),
    ("I have to talk to my husband first", Objection.DECISION_AUTHORITY),
    ("let me run it by my brother, he co-owns it", Objection.DECISION_AUTHORITY),
    ("tengo que hablar con mi esposa", Objection.DECISION_AUTHORITY),
    ("why should I use you", Objection.VALUE),
    ("what's in it for me", Objection.VALUE),
    ("I don't see the value", Objection.VALUE),
])
def test_objections_are_recognised_by_type(message: str, objection: Objection) -> None:
    assert read(message).objection is objection


@pytest.mark.parametrize(("message", "intent"), [
    ("Hi, I'm thinking about selling my house", Intent.SELL),
    ("I want to sell", Intent.SELL),
    ("what's my home worth?", Intent.SELL),
    ("Quiero vender mi casa", Intent.SELL),
    ("looking to buy a home in Etiwanda", Intent.BUY),
    ("we're first time buyers", Intent.BUY),
    ("quiero comprar una casa", Intent.BUY),
    ("need to sell our place and buy a bigger one", Intent.BOTH),
    ("Hi", Intent.UNCLEAR),
    ("who is this?", Intent.UNCLEAR),
    ("I don't want to sell", Intent.UNCLEAR),
    ("we buy houses for cash", Intent.UNCLEAR),
    ("I got a letter from you guys about buying my house", Intent.SELL),
    ("Hi we're looking for a 4 bedroom with a pool in Eastvale", Intent.BUY),
    ("Would you buy it for cash?", Intent.SELL),
])
def test_a_first_message_is_triaged_by_intent(message: str, intent: Intent) -> None:
    assert read(message).intent is intent


@pytest.mark.parametrize(("message", "intent"), [
    ("sell", Intent.SELL), ("selling", Intent.SELL), ("buy", Intent.BUY), ("buying", Intent.BUY),
    ("both", Intent.BOTH), ("ambos", Intent.BOTH), ("vender", Intent.SELL), ("idk", Intent.UNCLEAR),
])
def test_a_one_word_answer_to_the_intent_question_is_an_intent(message: str, intent: Intent) -> None:
    assert read(message, "intent").intent is intent


def test_each_intent_phrase_adds_about_a_third_and_the_phrases_are_listed() -> None:
    found = read("I want to sell my house")
    assert found.sell_intent == 0.9
    assert found.sell_phrases == ("sell", "want to sell", "sell my house")
    assert found.buy_intent == 0.0


def test_intent_is_capped_at_one() -> None:
    found = read("first time buyer, pre-approved, want to buy a home, house hunting now, can we tour homes?")
    assert found.buy_intent == 1.0


@pytest.mark.parametrize("message", [
    "can I talk to Jorge", "I want to speak with a real person", "call me", "Call me at 5",
    "can someone call me?", "give me a call", "I'd rather talk on the phone, is Jorge available?",
    "quiero hablar con una persona", "llámame",
])
def test_a_request_for_a_human_is_recognised(message: str) -> None:
    assert read(message).wants_human


@pytest.mark.parametrize("message", ["don't call me, text only", "are you a real person?", "my husband will call"])
def test_these_are_not_requests_for_a_human(message: str) -> None:
    assert not read(message).wants_human


def test_a_per_location_agent_name_is_a_request_for_a_human() -> None:
    context = ExtractionContext(last_question=None, agent_names=("María",))
    assert extract("can I talk to Maria?", context).wants_human
    assert not extract("can I talk to Jorge?", context).wants_human


@pytest.mark.parametrize("message", [
    "are you a bot?", "Are you a robot", "is this AI?", "is this an automated message", "are you real?",
    "am I talking to a real person", "Am I texting with a human?", "is this really Jorge?", "r u a bot",
    "¿eres un bot?", "are you human", "¿Es usted una persona real?", "who am I texting with?",
    "are these texts automated?",
])
def test_a_sincere_question_about_ai_is_recognised(message: str) -> None:
    assert read(message).asks_if_bot


@pytest.mark.parametrize("message", [
    "are you a real estate agent?", "you sound like a bot lol", "I want to talk to a real person",
    "is this a good time", "Is this Jorge Salas Realty?",
])
def test_these_do_not_ask_whether_the_bot_is_ai(message: str) -> None:
    assert not read(message).asks_if_bot


@pytest.mark.parametrize(("message", "index"), [
    ("1", 0), ("2", 1), ("3", 2), ("#2", 1), ("option 3", 2), ("2 please", 1), ("2 works", 1), ("lets do 2", 1),
    ("the second one", 1), ("first", 0), ("the last one", 2), ("Tuesday at 10", 0), ("tuesday 2pm", 1),
    ("Wednesday", 2), ("10:30", 2), ("2pm works", 1), ("tomorrow at 2", 1), ("la segunda", 1), ("opción 3", 2),
    ("two", 1), ("Tuesday afternoon", 1), ("10am", 0), ("at 10", 0), ("Wed 10:30am", 2),
])
def test_a_slot_pick_is_an_index_into_the_offered_slots(message: str, index: int) -> None:
    assert pick(message) == index


@pytest.mark.parametrize("message", [
    "4", "none of those work", "Tuesday", "Friday at 10", "at 11", "1 or 2", "what times do you have?", "hello",
])
def test_an_unreadable_or_ambiguous_slot_pick_is_none(message: str) -> None:
    assert pick(message) is None


def test_a_time_offered_on_two_days_needs_the_day() -> None:
    slots = (datetime(2026, 11, 24, 10, 0), datetime(2026, 11, 25, 10, 0))
    context = ExtractionContext(last_question="slot_pick", offered_slots=slots)
    assert extract("10am", context).slot_pick is None
    assert extract("Wednesday at 10", context).slot_pick == 1


def test_without_offered_slots_there_is_no_slot_pick() -> None:
    assert read("2", "slot_pick").slot_pick is None
