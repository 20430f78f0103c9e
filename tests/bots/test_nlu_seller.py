"""A seller's answers: address, motivation and destination, the 30 to 45 day timeline, condition."""
from __future__ import annotations

from datetime import datetime

import pytest

from bots.nlu import (
    Extraction,
    ExtractionContext,
    Motivation,
    PriceRange,
    PropertyCondition,
    TimelineAnswer,
    Urgency,
    extract,
)

NOVEMBER = datetime(2026, 11, 22, 10, 0)


def read(message: str, last_question: str | None = None, now: datetime | None = None) -> Extraction:
    return extract(message, ExtractionContext(last_question=last_question, now=now))


@pytest.mark.parametrize(("message", "address"), [
    ("123 Main St, Rancho Cucamonga", "123 Main St, Rancho Cucamonga"),
    ("123 Main St", "123 Main St"),
    ("it's 8765 Banyan Street, Rancho Cucamonga, CA 91730", "8765 Banyan Street, Rancho Cucamonga, CA 91730"),
    ("456 W 5th St Apt 3, Fontana we want out", "456 W 5th St Apt 3, Fontana"),
    ("7200 Haven Ave.", "7200 Haven Ave"),
    ("The house is at 12 Camino Real, Upland", "12 Camino Real, Upland"),
    ("5678 n. etiwanda ave, rancho cucamonga", "5678 n. etiwanda ave, rancho cucamonga"),
    ("10950 Church St #1204", "10950 Church St #1204"),
    ("1234 Stone Ridge Rd, Chino Hills 91709", "1234 Stone Ridge Rd, Chino Hills 91709"),
])
def test_an_address_needs_a_house_number_and_a_street(message: str, address: str) -> None:
    assert read(message).property_address == address


def test_an_address_without_a_street_type_answers_the_address_question() -> None:
    assert read("8765 Banyan, Rancho Cucamonga", "property_address").property_address == "8765 Banyan, Rancho Cucamonga"


@pytest.mark.parametrize("message", [
    "91730",
    "Rancho Cucamonga 91730",
    "Main Street",
    "it's a 30 min drive from here",
    "3 bed 2 bath",
    "we have a 2 car garage way in the back",
    "3 in a row",
    "I'm on the corner of Main and Foothill",
])
def test_a_bare_zip_or_a_street_without_a_number_is_not_an_address(message: str) -> None:
    assert read(message, "property_address").property_address is None


@pytest.mark.parametrize(("message", "motivation"), [
    ("We're relocating for work, need to sell quickly", Motivation.RELOCATION),
    ("Got a new job in Austin", Motivation.RELOCATION),
    ("moving to Texas to be closer to family", Motivation.RELOCATION),
    ("My husband is getting transferred", Motivation.RELOCATION),
    ("we're moving out of state", Motivation.RELOCATION),
    ("military, we got PCS orders", Motivation.RELOCATION),
    ("Kids moved out, it's too big for us now", Motivation.DOWNSIZING),
    ("We're retiring and want something smaller", Motivation.DOWNSIZING),
    ("looking to downsize", Motivation.DOWNSIZING),
    ("moving to a smaller place", Motivation.DOWNSIZING),
    ("Going through a divorce", Motivation.DIVORCE),
    ("my ex-wife and I are splitting up the assets", Motivation.DIVORCE),
    ("We inherited my mom's house", Motivation.INHERITED),
    ("my dad passed away last year and the house is in probate", Motivation.INHERITED),
    ("behind on my mortgage payments", Motivation.FINANCIAL),
    ("facing foreclosure", Motivation.FINANCIAL),
    ("can't afford it anymore since I lost my job", Motivation.FINANCIAL),
    ("Baby on the way, we need more space", Motivation.UPGRADING),
    ("the house is too small for our growing family", Motivation.UPGRADING),
    ("we want to upgrade to a bigger home", Motivation.UPGRADING),
    ("tired of being a landlord, the tenants are moving out", Motivation.OTHER),
    ("nos mudamos a Texas por un nuevo trabajo", Motivation.RELOCATION),
    ("me estoy divorciando", Motivation.DIVORCE),
    ("heredé la casa de mi mamá", Motivation.INHERITED),
    ("la casa es muy grande para nosotros", Motivation.DOWNSIZING),
    ("we need the money", Motivation.FINANCIAL),
    ("We're getting older and the stairs are too much, thinking of moving to a one story", Motivation.DOWNSIZING),
])
def test_a_motivation_names_a_reason(message: str, motivation: Motivation) -> None:
    assert read(message).motivation is motivation


@pytest.mark.parametrize("message", [
    "Hi, I'm thinking about selling",
    "Hi, I'm thinking about selling my house",
    "Hello! Interested in selling",
    "I want to sell",
    "Quiero vender mi casa",
    "yes",
    "maybe",
    "we're not downsizing",
])
def test_a_greeting_or_a_wish_to_sell_is_not_a_motivation(message: str) -> None:
    assert read(message, "motivation").motivation is None


def test_any_stated_reason_answers_the_motivation_question() -> None:
    assert read("because the commute is killing me", "motivation").motivation is Motivation.OTHER


def test_a_distress_reason_wins_over_a_lifestyle_one() -> None:
    assert read("getting divorced so I'm moving to Phoenix").motivation is Motivation.DIVORCE


@pytest.mark.parametrize(("message", "destination"), [
    ("moving to Austin", "Austin"),
    ("We're relocating to Austin for work", "Austin"),
    ("moving to austin tx next month", "Austin TX"),
    ("got a new job in Denver", "Denver"),
    ("moving to the Bay Area soon", "Bay Area"),
    ("we're moving out of state", "out of state"),
    ("retiring to Arizona", "Arizona"),
    ("nos mudamos a Texas", "Texas"),
    ("moving back to san antonio", "San Antonio"),
    ("Nos vamos a mudar a Arizona porque mi esposo consiguió trabajo allá", "Arizona"),
    ("want to be closer to my daughter in Phoenix", "Phoenix"),
])
def test_a_relocating_seller_says_where_they_go(message: str, destination: str) -> None:
    assert read(message).relocation_destination == destination


@pytest.mark.parametrize("message", [
    "moving to a smaller place",
    "moving to be closer to the kids",
    "I'm going to think about it",
    "need to move quickly",
    "close to my job in Ontario",
])
def test_what_follows_moving_to_is_not_always_a_place(message: str) -> None:
    assert read(message).relocation_destination is None


@pytest.mark.parametrize("message", [
    "that works",
    "That works for us",
    "no problem",
    "sounds good",
    "asap",
    "ASAP!",
    "as soon as possible",
    "need to move quickly",
    "we need to sell fast",
    "within 2 months",
    "in 60 days",
    "30 to 45 days is fine",
    "within 4 months",
    "this spring",
    "the sooner the better",
    "we could close next month",
    "lo antes posible",
    "sí, está bien",
    "no more than 2 months",
    "We're flexible",
    "We need to be out by the end of the month",
    "2-3 months",
])
def test_these_accept_a_30_to_45_day_sale(message: str) -> None:
    assert read(message).timeline_acceptable is TimelineAnswer.YES


@pytest.mark.parametrize("message", [
    "no rush",
    "we're in no hurry",
    "next year",
    "6 months",
    "maybe in 6 months",
    "can't do that fast",
    "that doesn't work for us",
    "not that fast",
    "too soon",
    "not anytime soon",
    "eventually",
    "not within 2 months",
    "no hay prisa",
    "el próximo año",
    "next spring",
    "Probably not, we need at least 3 months to find something",
    "that might be tough, we'd need to find a place first",
    "yes but we need to find a new place first",
    "not until spring",
    "Not before summer",
    "4-6 months",
])
def test_these_refuse_a_30_to_45_day_sale_which_is_still_an_answer(message: str) -> None:
    assert read(message).timeline_acceptable is TimelineAnswer.NO


@pytest.mark.parametrize("message", [
    "not sure about the timeline",
    "I don't know",
    "we lived here for 20 years",
    "built 30 years ago",
    "Hi, I'm thinking about selling",
    "talk soon",
    "Great condition, recently renovated kitchen",
    "we can do about 4500 a month",
])
def test_these_do_not_answer_the_timeline(message: str) -> None:
    assert read(message, "timeline").timeline_acceptable is None


@pytest.mark.parametrize(("message", "answer"), [
    ("yes", TimelineAnswer.YES),
    ("Yeah", TimelineAnswer.YES),
    ("sure", TimelineAnswer.YES),
    ("Sí", TimelineAnswer.YES),
    ("Perfect!", TimelineAnswer.YES),
    ("I guess so", TimelineAnswer.YES),
    ("no", TimelineAnswer.NO),
    ("Nope", TimelineAnswer.NO),
    ("nah", TimelineAnswer.NO),
])
def test_a_bare_yes_or_no_answers_the_timeline_only_when_it_was_asked(message: str, answer: TimelineAnswer) -> None:
    assert read(message, "timeline").timeline_acceptable is answer
    assert read(message, "property_condition").timeline_acceptable is None


@pytest.mark.parametrize(("message", "urgency"), [
    ("asap", Urgency.HIGH),
    ("need to move quickly", Urgency.HIGH),
    ("within 2 months", Urgency.HIGH),
    ("in 3 months", Urgency.MEDIUM),
    ("6 months", Urgency.MEDIUM),
    ("next year", Urgency.LOW),
    ("no rush", Urgency.LOW),
])
def test_urgency_follows_how_soon_they_want_to_move(message: str, urgency: Urgency) -> None:
    assert read(message).timeline_urgency is urgency


def test_when_a_lead_says_two_things_about_timing_the_later_one_counts() -> None:
    assert read("no rush, but this spring would be nice").timeline_acceptable is TimelineAnswer.YES
    assert read("no problem, but not before next year").timeline_acceptable is TimelineAnswer.NO


def test_seasons_are_read_against_today_when_it_is_known() -> None:
    assert read("this spring", now=NOVEMBER).timeline_acceptable is TimelineAnswer.YES
    assert read("this summer", now=NOVEMBER).timeline_acceptable is TimelineAnswer.NO
    assert read("by June", now=NOVEMBER).timeline_acceptable is TimelineAnswer.NO
    assert read("by February", now=NOVEMBER).timeline_acceptable is TimelineAnswer.YES


@pytest.mark.parametrize(("message", "condition"), [
    ("Great condition, recently renovated kitchen", PropertyCondition.MOVE_IN_READY),
    ("it's in great shape", PropertyCondition.MOVE_IN_READY),
    ("recently renovated", PropertyCondition.MOVE_IN_READY),
    ("new roof last year", PropertyCondition.MOVE_IN_READY),
    ("turnkey", PropertyCondition.MOVE_IN_READY),
    ("move-in ready", PropertyCondition.MOVE_IN_READY),
    ("well maintained, nothing needs fixing", PropertyCondition.MOVE_IN_READY),
    ("doesn't need any work", PropertyCondition.MOVE_IN_READY),
    ("está en buen estado", PropertyCondition.MOVE_IN_READY),
    ("needs work", PropertyCondition.NEEDS_WORK),
    ("it needs a lot of work", PropertyCondition.NEEDS_WORK),
    ("total fixer", PropertyCondition.NEEDS_WORK),
    ("fixer-upper", PropertyCondition.NEEDS_WORK),
    ("it's pretty dated", PropertyCondition.NEEDS_WORK),
    ("needs a new roof", PropertyCondition.NEEDS_WORK),
    ("not in great shape honestly", PropertyCondition.NEEDS_WORK),
    ("new floors but the kitchen is dated", PropertyCondition.NEEDS_WORK),
    ("selling as-is", PropertyCondition.NEEDS_WORK),
    ("necesita reparaciones", PropertyCondition.NEEDS_WORK),
    ("It's okay, kitchen is original but we put in new floors", PropertyCondition.NEEDS_WORK),
    ("the roof is 5 years old, everything else original", PropertyCondition.NEEDS_WORK),
    ("meh it's ok, could use some updating", PropertyCondition.NEEDS_WORK),
    ("needs a little TLC but nothing major", PropertyCondition.NEEDS_WORK),
    ("we put about 50k into it last year, new kitchen and roof", PropertyCondition.MOVE_IN_READY),
])
def test_condition_is_move_in_ready_or_needs_work(message: str, condition: PropertyCondition) -> None:
    assert read(message).property_condition is condition


@pytest.mark.parametrize("message", ["Pretty good", "good", "It's in really good shape", "great!"])
def test_a_plain_good_answers_the_condition_question_as_move_in_ready(message: str) -> None:
    assert read(message, "property_condition").property_condition is PropertyCondition.MOVE_IN_READY


def test_a_plain_good_answers_nothing_when_the_condition_was_not_asked() -> None:
    assert read("Pretty good", "motivation").property_condition is None


def test_several_answers_in_one_message_are_all_kept() -> None:
    found = read("We're relocating to Dallas for work, need to sell quickly. House is turnkey, hoping for 700k",
                 "motivation")
    assert found.motivation is Motivation.RELOCATION
    assert found.relocation_destination == "Dallas"
    assert found.timeline_acceptable is TimelineAnswer.YES
    assert found.timeline_urgency is Urgency.HIGH
    assert found.property_condition is PropertyCondition.MOVE_IN_READY
    assert found.price_expectation == PriceRange(700_000, 700_000)


def test_an_answer_out_of_order_is_kept() -> None:
    found = read("asap, and it needs work", "property_address")
    assert found.timeline_acceptable is TimelineAnswer.YES
    assert found.property_condition is PropertyCondition.NEEDS_WORK


@pytest.mark.parametrize(("message", "last_question", "expected"), [
    ("Hi, I'm thinking about selling my house", None, {"sell_intent": 0.9}),
    ("123 Main St, Rancho Cucamonga", "property_address", {"property_address": "123 Main St, Rancho Cucamonga"}),
    ("We're relocating for work, need to sell quickly", "motivation",
     {"motivation": Motivation.RELOCATION, "timeline_acceptable": TimelineAnswer.YES}),
    ("Great condition, recently renovated kitchen", "timeline",
     {"property_condition": PropertyCondition.MOVE_IN_READY, "timeline_acceptable": None}),
    ("Hoping for around $650,000", "property_condition", {"price_expectation": PriceRange(650_000, 650_000)}),
])
def test_the_seller_happy_path_of_bots_md(message: str, last_question: str | None, expected: dict[str, object]) -> None:
    found = read(message, last_question)
    assert {field: getattr(found, field) for field in expected} == expected
    assert not found.vague
