"""Prices and budgets: every way leads write money, and every number that only looks like money."""
from __future__ import annotations

import pytest

from bots.nlu import Extraction, ExtractionContext, PriceRange, extract


def read(message: str, last_question: str | None = None) -> Extraction:
    return extract(message, ExtractionContext(last_question=last_question))


@pytest.mark.parametrize(("message", "low", "high"), [
    ("Hoping for around $650,000", 650_000, 650_000),
    ("$650,000", 650_000, 650_000),
    ("650k", 650_000, 650_000),
    ("650K", 650_000, 650_000),
    ("I'd want 650k for it", 650_000, 650_000),
    ("$1.2m", 1_200_000, 1_200_000),
    ("1.2 million", 1_200_000, 1_200_000),
    ("1.2M", 1_200_000, 1_200_000),
    ("around 650 thousand", 650_000, 650_000),
    ("650 grand", 650_000, 650_000),
    ("650,000 dollars", 650_000, 650_000),
    ("hoping for 650", 650_000, 650_000),
    ("asking 650", 650_000, 650_000),
    ("we'd list it for 725", 725_000, 725_000),
    ("hoping to get 1.1", 1_100_000, 1_100_000),
    ("between 600 and 650k", 600_000, 650_000),
    ("600-650k", 600_000, 650_000),
    ("$600k-$650k", 600_000, 650_000),
    ("600 to 650 thousand", 600_000, 650_000),
    ("somewhere between 1.1 and 1.2 million", 1_100_000, 1_200_000),
    ("950 to 1.1m", 950_000, 1_100_000),
    ("650k, maybe 700k if the market holds", 650_000, 700_000),
    ("half a million", 500_000, 500_000),
    ("a million and a half", 1_500_000, 1_500_000),
    ("Zillow says 700k but I want 650k", 650_000, 650_000),
    ("I owe 300k and want 650k", 650_000, 650_000),
    ("650000", 650_000, 650_000),
    ("Something in the high 600s", 670_000, 700_000),
    ("the low 500s", 500_000, 530_000),
    ("mid 700's", 740_000, 760_000),
    ("We bought in 2019 for 480 and I'd like to get 700 now", 700_000, 700_000),
    ("I'd need to net at least 500 after paying off the mortgage", 500_000, 500_000),
    ("six fifty", 650_000, 650_000),
    ("seven twenty five", 725_000, 725_000),
    ("seven hundred thousand", 700_000, 700_000),
])
def test_a_seller_price_is_read_in_every_common_form(message: str, low: int, high: int) -> None:
    assert read(message, "price_expectation").price_expectation == PriceRange(low, high)


@pytest.mark.parametrize(("message", "low", "high"), [
    ("Hoping for around $650,000", 650_000, 650_000),
    ("650k", 650_000, 650_000),
    ("hoping for 650", 650_000, 650_000),
    ("between 600 and 650k", 600_000, 650_000),
    ("$1.2m", 1_200_000, 1_200_000),
])
def test_a_seller_price_is_read_whatever_the_last_question_was(message: str, low: int, high: int) -> None:
    assert read(message).price_expectation == PriceRange(low, high)


@pytest.mark.parametrize(("message", "low", "high"), [
    ("$450k", 360_000, 450_000),
    ("450k", 360_000, 450_000),
    ("under 700k", 560_000, 700_000),
    ("below $700,000", 560_000, 700_000),
    ("up to 700k", 560_000, 700_000),
    ("700k max", 560_000, 700_000),
    ("no more than 700k", 560_000, 700_000),
    ("between 600 and 700k", 600_000, 700_000),
    ("1.2 million", 960_000, 1_200_000),
    ("around 500", 400_000, 500_000),
    ("our budget is 550", 440_000, 550_000),
    ("pre-approved for 500k", 400_000, 500_000),
    ("3 bed 2 bath under 600k", 480_000, 600_000),
    ("at least 500k", 500_000, 625_000),
    ("500k+", 500_000, 625_000),
])
def test_a_buyer_budget_of_one_figure_means_roughly_80_percent_of_it_to_it(message: str, low: int, high: int) -> None:
    assert read(message, "budget").budget == PriceRange(low, high)


@pytest.mark.parametrize(("message", "low", "high"), [
    ("entre 400 y 500 mil", 400_000, 500_000),
    ("hasta 500 mil", 400_000, 500_000),
    ("tengo un presupuesto de 450 mil", 360_000, 450_000),
    ("1,2 millones", 960_000, 1_200_000),
    ("medio millon", 400_000, 500_000),
    ("650.000 dolares", 520_000, 650_000),
])
def test_a_spanish_budget_is_understood(message: str, low: int, high: int) -> None:
    assert read(message, "budget").budget == PriceRange(low, high)


@pytest.mark.parametrize("message", [
    "91730",
    "my zip is 91730",
    "Rancho Cucamonga, CA 91739",
    "30-60 days",
    "within 30 to 45 days",
    "3 bed 2 bath",
    "3/2 with a pool",
    "4 bedrooms 2.5 baths",
    "about 2,400 sq ft",
    "2400 sqft",
    "$5,000",
    "$10,000",
    "10k",
    "Tuesday at 10",
    "10:30 works",
    "call me at 909-555-1234",
    "9095551234",
    "we bought it in 2015",
    "lived here since 1998",
    "65 years old",
    "HOA is $350 a month",
    "I make 150k a year",
    "about 5 minutes from the freeway",
    "2 car garage",
    "650",
    "We have 3 kids and 2 dogs",
    "option 2",
    "Are you the listing agent for 123 Main?",
    "we can do about 4500 a month",
    "we have a 10k down payment",
    "We owe about 350k on it",
    "What did the house next door sell for? They got 720",
    "we put about 50k into it last year",
    "we spent 40k on the kitchen",
    "one hundred percent",
])
def test_numbers_that_only_look_like_money_are_never_a_price(message: str) -> None:
    found = read(message)
    assert found.price_expectation is None
    assert found.budget is None


def test_a_zip_code_is_never_a_price_even_when_the_price_was_asked() -> None:
    assert read("91730", "price_expectation").price_expectation is None


def test_a_day_count_is_never_a_price_even_when_the_price_was_asked() -> None:
    assert read("30-60 days", "price_expectation").price_expectation is None


def test_bed_and_bath_counts_are_never_a_budget_even_when_the_budget_was_asked() -> None:
    assert read("3 bed 2 bath", "budget").budget is None


def test_a_house_number_is_never_a_price() -> None:
    found = read("It's 1234 Main St, Upland", "price_expectation")
    assert found.property_address == "1234 Main St, Upland"
    assert found.price_expectation is None


def test_a_bare_number_without_a_price_word_is_not_a_price() -> None:
    assert read("650", "property_condition").price_expectation is None


def test_a_bare_number_answers_the_price_question() -> None:
    assert read("650", "price_expectation").price_expectation == PriceRange(650_000, 650_000)


def test_an_online_estimate_alone_is_not_the_sellers_price() -> None:
    found = read("Zillow says it's worth 700k")
    assert found.price_expectation is None
    assert found.stall is not None


@pytest.mark.parametrize("message", [
    "asking 650k", "I'd take 600 if you can close fast", "we'd put it on the market for 650k", "hoping for 650",
])
def test_a_price_word_for_the_seller_does_not_fill_the_buyer_budget(message: str) -> None:
    found = read(message)
    assert found.price_expectation is not None
    assert found.budget is None


def test_a_budget_word_does_not_fill_the_seller_price() -> None:
    assert read("our budget is 650k").price_expectation is None
