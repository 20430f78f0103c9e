"""The inbound screen on its own: the wordings real leads used, the typed result, precedence and the look-alikes."""
from __future__ import annotations

import pytest

from bots.inbound_screen import PASSED, ProtectedClass, ScreenClass, label_of, screen

FH = ScreenClass.FAIR_HOUSING


@pytest.mark.parametrize(("text", "protected"), [
    ("I don't want to sell to a family with kids, they'll wreck it", ProtectedClass.FAMILIAL_STATUS),
    ("make sure we don't get any Jewish buyers", ProtectedClass.RELIGION),
    ("only to a white family please", ProtectedClass.RACE),
    ("pero no a familias con niños", ProtectedClass.FAMILIAL_STATUS),
    ("and no muslims either", ProtectedClass.RELIGION),
    ("whites only", ProtectedClass.RACE),
    ("no mexicans", ProtectedClass.NATIONAL_ORIGIN),
    ("as long as the buyer isn't gay", ProtectedClass.SEXUAL_ORIENTATION),
    ("fewer minorities", ProtectedClass.RACE),
    ("somewhere without section 8 people and not a lot of black families", ProtectedClass.SOURCE_OF_INCOME),
    ("we want to be around other christians, is there a safe area for kids?", ProtectedClass.RELIGION),
    ("no wheelchairs", ProtectedClass.DISABILITY),
    ("no old people", ProtectedClass.AGE),
    ("female buyers only", ProtectedClass.SEX),
    ("no dark skinned people please", ProtectedClass.COLOUR),
])
def test_a_choice_by_a_protected_trait_is_caught_with_its_protected_class(
    text: str, protected: ProtectedClass
) -> None:
    found = screen(text)
    assert found.primary is FH
    assert found.protected_class is protected


@pytest.mark.parametrize("text", [
    "is the school district good", "Is Fontana safe?", "what kind of people live there?", "families like ours",
])
def test_steering_questions_are_fair_housing_without_a_protected_class(text: str) -> None:
    found = screen(text)
    assert found.primary is FH
    assert found.protected_class is None
    assert found.hit_of(FH) is not None and found.hit_of(FH).family  # type: ignore[union-attr]


@pytest.mark.parametrize(("text", "expected"), [
    ("will you pay me if I refer my brother?", ScreenClass.RESPA),
    ("do I have to use your lender?", ScreenClass.RESPA),
    ("i never signed up for anything", ScreenClass.CONSENT_DISPUTE),
    ("how did you get my number??", ScreenClass.CONSENT_DISPUTE),
    ("seriously is this AI or a real person", ScreenClass.BOT_QUESTION),
    ("delete my data please", ScreenClass.DELETION),
    ("ya no me escriban", ScreenClass.OPT_OUT),
    ("why are you texting me at 6am", ScreenClass.COMPLAINT),
    ("can I talk to Jorge", ScreenClass.PERSON_REQUEST),
    ("START", ScreenClass.OPT_IN),
])
def test_each_class_is_recognised(text: str, expected: ScreenClass) -> None:
    assert screen(text).primary is expected


@pytest.mark.parametrize("text", [
    "single-family home", "kids' rooms", "good for a family of five", "my husband quit his job", "cancel our listing",
    "no rush", "white cabinets", "we have no kids", "close to schools", "is it safe to buy now?",
    "I was referred by Ana", "my lender is Chase", "are you a real estate agent?", "don't call me, text me",
    "please don't remove me", "the inspection report came back",
])
def test_look_alikes_pass(text: str) -> None:
    assert screen(text) == PASSED


def test_one_text_can_hit_several_classes_and_opt_out_answers_first() -> None:
    found = screen("stop texting me, and no section 8 people in my house")
    assert found.classes[:2] == (ScreenClass.OPT_OUT, FH)
    assert found.protected_class is ProtectedClass.SOURCE_OF_INCOME


def test_deletion_comes_before_fair_housing() -> None:
    assert screen("delete my data, I only wanted christian buyers anyway").classes[:2] == (ScreenClass.DELETION, FH)


def test_a_request_for_a_person_comes_before_the_ai_question_but_the_ai_question_is_not_one() -> None:
    assert screen("are you a bot? i want to talk to a real person").primary is ScreenClass.PERSON_REQUEST
    assert screen("am i talking to a real person?").classes == (ScreenClass.BOT_QUESTION,)


def test_the_agent_asked_for_by_name_is_the_locations() -> None:
    assert screen("can I talk to Ana?", agent_names=("Ana",)).primary is ScreenClass.PERSON_REQUEST
    assert screen("is Ana available?").primary is None


def test_the_result_names_the_family_and_where_it_matched() -> None:
    text = "123 Main St, but no kids allowed"
    hit = screen(text).hit_of(FH)
    assert hit is not None
    assert text[hit.start:hit.end].lower().startswith("no kids")
    assert hit.family == "familial status"


def test_labels_are_the_brokers_words() -> None:
    assert label_of("fair_housing") == "Fair Housing request"
    assert label_of("familial_status") == "familial status"


@pytest.mark.parametrize(("text", "language"), [
    ("ya no me escriban", "es"), ("alto", "es"), ("pero no a familias con niños", "es"), ("eres un bot?", "es"),
    ("stop texting me", "en"), ("how did you get my number", "en"), ("STOP", None),
])
def test_the_matched_words_tell_the_language_of_the_reply(text: str, language: str | None) -> None:
    assert screen(text).language == language
