"""What a lead's text does besides answering (bots.nlu.acts): questions by kind, feelings, disinterest, complaints,
corrections, and senders who are not leads. Each phrase class also has a near miss that must not be read."""
from __future__ import annotations

import pytest

from bots.nlu import Extraction, ExtractionContext, extract
from bots.nlu.types import Disinterest, Feeling, NotALead, QuestionKind


def read(message: str, last_question: str | None = "motivation") -> Extraction:
    return extract(message, ExtractionContext(last_question=last_question))


@pytest.mark.parametrize(("message", "kind"), [
    ("whats my house worth?", QuestionKind.VALUE),
    ("just tell me a number", QuestionKind.VALUE),
    ("how much could we get for it", QuestionKind.VALUE),
    ("whats the percent", QuestionKind.FEES),
    ("how much do you guys charge", QuestionKind.FEES),
    ("¿cuánto cobran?", QuestionKind.FEES),
    ("not yet, do i need that?", QuestionKind.PREAPPROVAL),
    ("what is a pre-approval", QuestionKind.PREAPPROVAL),
    ("what are rates right now", QuestionKind.RATES),
    ("how are the schools over there", QuestionKind.SCHOOLS),
    ("can you buy fast?", QuestionKind.FAST_SALE),
    ("what happens next", QuestionKind.NEXT_STEPS),
    ("how does this work", QuestionKind.PROCESS),
    ("where did you get my number", QuestionKind.HOW_REACHED),
    ("do you guys do property management?", QuestionKind.OTHER),
])
def test_a_question_is_read_with_its_kind(message: str, kind: QuestionKind) -> None:
    assert read(message).question is kind


@pytest.mark.parametrize("message", ["who knows", "4410 Etiwanda Ave", "we're relocating to Boise", "yes"])
def test_a_non_question_is_no_question(message: str) -> None:
    assert read(message).question is None


@pytest.mark.parametrize(("message", "feeling"), [
    ("ur all vultures. my dad JUST died", Feeling.GRIEF),
    ("my mother passed away last month", Feeling.GRIEF),
    ("murio mi papa hace una semana", Feeling.GRIEF),
    ("im so stressed, we might lose the house", Feeling.DISTRESS),
    ("are you even reading my texts", Feeling.FRUSTRATION),
    ("i already told you, 4 bedrooms", Feeling.FRUSTRATION),
    ("ya le dije que es por divorcio", Feeling.FRUSTRATION),
    ("you people are sharks", Feeling.ANGER),
])
def test_a_feeling_is_heard(message: str, feeling: Feeling) -> None:
    assert read(message).feeling is feeling


@pytest.mark.parametrize("message", ["the water heater died", "my neighbor sold", "it passed inspection", "great"])
def test_ordinary_words_are_no_feeling(message: str) -> None:
    assert read(message).feeling is None


@pytest.mark.parametrize(("message", "reason"), [
    ("not interested", Disinterest.NOT_INTERESTED),
    ("no thanks", Disinterest.NOT_INTERESTED),
    ("we changed our minds", Disinterest.NOT_INTERESTED),
    ("no me interesa", Disinterest.NOT_INTERESTED),
    ("back off", Disinterest.BACK_OFF),
    ("quit bugging me", Disinterest.BACK_OFF),
    ("we already sold it", Disinterest.ALREADY_SOLD),
    ("already bought a place", Disinterest.ALREADY_SOLD),
])
def test_disinterest_is_read_with_its_reason(message: str, reason: Disinterest) -> None:
    assert read(message).disinterest is reason


@pytest.mark.parametrize("message", [
    "not interested in a cash offer, we want to list", "not selling until next year", "my neighbor sold last week",
])
def test_a_near_miss_is_no_disinterest(message: str) -> None:
    assert read(message).disinterest is None


@pytest.mark.parametrize("message", [
    "why the hell are you texting me at 7am", "this is too many texts", "its the middle of the night",
    "por que me escriben tanto",
])
def test_a_complaint_about_the_texts(message: str) -> None:
    assert read(message).complaint


def test_a_time_for_a_call_is_no_complaint() -> None:
    assert not read("call me at 7pm", "slot_pick").complaint


@pytest.mark.parametrize(("message", "kind"), [
    ("my buyers are interested, whats the co-op commission?", NotALead.AGENT),
    ("can I get showing instructions for my client", NotALead.AGENT),
    ("we buy houses cash in any condition", NotALead.WHOLESALER),
    ("got any off market deals?", NotALead.WHOLESALER),
    ("we help realtors grow their business with SEO services", NotALead.VENDOR),
    ("you have won a $500 gift card", NotALead.SPAM),
    ("no one here by that name", NotALead.WRONG_NUMBER),
])
def test_a_sender_who_is_not_a_lead(message: str, kind: NotALead) -> None:
    assert read(message).not_a_lead is kind


@pytest.mark.parametrize("message", [
    "we're cash buyers looking for a 3 bed", "I'm a realtor myself but want to sell my own place",
    "would you buy my house?",
])
def test_a_real_lead_is_not_taken_for_a_non_lead(message: str) -> None:
    assert read(message).not_a_lead is None


@pytest.mark.parametrize("message", ["actually make it 700k", "scratch that, fontana instead", "I meant 4 beds"])
def test_a_correction_is_read(message: str) -> None:
    assert read(message).correction


def test_a_single_spanish_looking_token_does_not_switch_the_language() -> None:
    assert read("asking around 1.2 mil").language == "en"


@pytest.mark.parametrize("message", [
    "desperate to sell fast", "having a hard time finding a place in Upland", "scared of the market right now",
])
def test_urgency_and_a_hard_search_are_no_distress(message: str) -> None:
    assert read(message).feeling is None


@pytest.mark.parametrize("message", ["tuesday at 10am works", "is it too early to list?", "option 2 at 9 am"])
def test_an_hour_or_an_early_question_is_no_complaint(message: str) -> None:
    assert not read(message, "slot_pick").complaint


@pytest.mark.parametrize("message", ["hello?", "ok?", "right?", "you there?", "hello? anyone?"])
def test_checking_someone_is_there_is_no_question_for_the_agent(message: str) -> None:
    assert read(message).question is None


@pytest.mark.parametrize("message", ["property management?", "VA loans?", "open houses on weekends?"])
def test_a_short_question_about_something_is_a_question(message: str) -> None:
    assert read(message).question is QuestionKind.OTHER


@pytest.mark.parametrize("message", [
    "hey do you do property management", "ok so how does the open house thing work",
    "hi, can you guys help with a 1031 exchange", "quick question do u work with VA loans",
])
def test_a_question_without_a_question_mark_after_a_greeting_is_a_question(message: str) -> None:
    assert read(message).question is not None


@pytest.mark.parametrize("message", ["hey we want to sell", "ok so we decided to wait", "hi im selling my moms house"])
def test_a_greeting_before_an_answer_is_no_question(message: str) -> None:
    assert read(message).question is None


@pytest.mark.parametrize("message", [
    "how is your day going", "hows it going", "how are you?", "how r u doing today", "how was your weekend",
    "como estas?", "hi how are you",
])
def test_small_talk_is_a_courtesy_not_a_question_for_the_agent(message: str) -> None:
    assert read(message).question is QuestionKind.SMALL_TALK


@pytest.mark.parametrize(("message", "kind"), [
    ("how does this work", QuestionKind.PROCESS), ("how are you guys different from zillow", QuestionKind.OTHER),
])
def test_a_real_question_that_starts_like_small_talk_is_not_small_talk(message: str, kind: QuestionKind) -> None:
    assert read(message).question is kind
