"""Messy answers read right (issue 14): motivation paraphrases, spoken numbers, corrections, durations that are not
about moving, clean addresses, destinations, and a lead's own plan to sell first as a strong handoff signal."""
from __future__ import annotations

import pytest

from bots.nlu import Extraction, ExtractionContext, Motivation, PropertyCondition, extract


def read(message: str, last_question: str | None) -> Extraction:
    return extract(message, ExtractionContext(last_question=last_question))


@pytest.mark.parametrize(("message", "motivation"), [
    ("we're re-locating to San Diego", Motivation.RELOCATION),
    ("we're heading to Texas for my wifes job", Motivation.RELOCATION),
    ("husband quit his job so we need to sell", Motivation.FINANCIAL),
    ("im behind 3 months on my mortgage", Motivation.FINANCIAL),
    ("got a letter from the bank", Motivation.FINANCIAL),
])
def test_a_motivation_said_in_other_words(message: str, motivation: Motivation) -> None:
    assert read(message, "motivation").motivation is motivation


@pytest.mark.parametrize(("message", "question", "low", "high"), [
    ("6-7 hundred", "price_expectation", 600_000, 700_000),
    ("like 5 and a half", "price_expectation", 550_000, 550_000),
    ("actually make it 700k", "price_expectation", 700_000, 700_000),
    ("make it 700", "price_expectation", 700_000, 700_000),
    ("1 and a half million", "price_expectation", 1_500_000, 1_500_000),
])
def test_spoken_prices(message: str, question: str, low: int, high: int) -> None:
    assert read(message, question).price_expectation == (low, high)


@pytest.mark.parametrize("message", ["I make 120k a year", "2 and a half baths", "5 and a half years here"])
def test_figures_that_are_not_prices_or_plans(message: str) -> None:
    reading = read(message, "timeline")
    assert reading.price_expectation is None
    assert reading.buyer_timeline_days is None or message != "I make 120k a year"


@pytest.mark.parametrize("message", [
    "she hasn't called me back in 2 weeks", "havent heard from him in a month", "nobody texted back in 3 days",
])
def test_how_long_someone_was_silent_is_not_a_timeline(message: str) -> None:
    reading = read(message, "timeline")
    assert reading.timeline_acceptable is None and reading.buyer_timeline_days is None


def test_after_school_ends_is_a_timeline() -> None:
    assert read("after school ends", "buyer_timeline").buyer_timeline_days is not None


@pytest.mark.parametrize(("message", "address"), [
    ("4321 Vine St, selling", "4321 Vine St"),
    ("4321 Vine St, Fontana", "4321 Vine St, Fontana"),
    ("1420 Cedar St, Ontario asap", "1420 Cedar St, Ontario"),
])
def test_an_address_keeps_its_city_and_drops_the_words_after_it(message: str, address: str) -> None:
    assert read(message, "property_address").property_address == address


@pytest.mark.parametrize("message", ["needs paint and carpet", "original 1978 everything"])
def test_condition_words_that_mean_work(message: str) -> None:
    assert read(message, "property_condition").property_condition is PropertyCondition.NEEDS_WORK


@pytest.mark.parametrize("message", [
    "we'd have to sell our current house first", "contingent on selling our house", "we need to sell first",
    "after we sell our place we want to buy",
])
def test_a_plan_to_sell_first_is_a_strong_sell_signal(message: str) -> None:
    assert read(message, "budget").sell_intent == 1.0


def test_a_passing_mention_stays_weak() -> None:
    assert read("my neighbor sold hers fast", "budget").sell_intent < 0.8
