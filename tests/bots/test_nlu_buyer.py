"""A buyer's answers: areas, bedrooms and bathrooms, must-haves, financing, and how soon they move."""
from __future__ import annotations

from datetime import datetime

import pytest

from bots.nlu import Extraction, ExtractionContext, Financing, PriceRange, extract


def read(message: str, last_question: str | None = None, now: datetime | None = None) -> Extraction:
    return extract(message, ExtractionContext(last_question=last_question, now=now))


@pytest.mark.parametrize(("message", "areas"), [
    ("Etiwanda", ("Etiwanda",)),
    ("Looking in Etiwanda or north Fontana", ("Etiwanda", "north Fontana")),
    ("rancho cucamonga", ("Rancho Cucamonga",)),
    ("Rancho or Upland", ("Rancho Cucamonga", "Upland")),
    ("somewhere in Alta Loma, maybe Claremont", ("Alta Loma", "Claremont")),
    ("Chino Hills", ("Chino Hills",)),
    ("Ontario Ranch area", ("Ontario Ranch",)),
    ("anything near Springfield", ("Springfield",)),
    ("en Fontana o Rialto", ("Fontana", "Rialto")),
    ("North Fontana", ("north Fontana",)),
])
def test_areas_are_the_places_the_buyer_names(message: str, areas: tuple[str, ...]) -> None:
    assert read(message).areas == areas


@pytest.mark.parametrize(("message", "areas"), [
    ("Springfield or Shelbyville", ("Springfield", "Shelbyville")),
    ("eastvale", ("Eastvale",)),
    ("mira loma and norco", ("Mira Loma", "Norco")),
])
def test_a_short_answer_to_the_area_question_is_a_list_of_areas(message: str, areas: tuple[str, ...]) -> None:
    assert read(message, "area").areas == areas


@pytest.mark.parametrize("message", [
    "anywhere really",
    "not sure yet",
    "idk",
    "somewhere with a good commute",
    "In March we want to move",
    "Hmm",
    "Depends",
    "whatever is cheapest",
])
def test_a_non_answer_to_the_area_question_names_no_area(message: str) -> None:
    assert read(message, "area").areas == ()


def test_a_sellers_own_city_and_destination_are_not_buyer_areas() -> None:
    found = read("123 Main St, Fontana. We're moving to Austin")
    assert found.areas == ()
    assert found.relocation_destination == "Austin"


@pytest.mark.parametrize(("message", "bedrooms", "bathrooms"), [
    ("3 bed 2 bath", 3, 2.0),
    ("3 bedrooms", 3, None),
    ("at least 3 bedrooms", 3, None),
    ("3+ beds", 3, None),
    ("3-4 bedrooms", 3, None),
    ("4br 3ba", 4, 3.0),
    ("three bedroom two bath", 3, 2.0),
    ("a 3/2 with a pool", 3, 2.0),
    ("4/2.5", 4, 2.5),
    ("4 bedrooms 2.5 baths", 4, 2.5),
    ("need 5 bdrm", 5, None),
    ("3 recámaras y 2 baños", 3, 2.0),
    ("tres habitaciones", 3, None),
])
def test_bedrooms_and_bathrooms_are_counted(message: str, bedrooms: int, bathrooms: float | None) -> None:
    found = read(message)
    assert (found.bedrooms, found.bathrooms) == (bedrooms, bathrooms)


@pytest.mark.parametrize(("message", "bedrooms"), [("3", 3), ("at least 4", 4), ("4, with a pool", 4), ("3 or 4", 3)])
def test_a_bare_number_answers_the_bedrooms_question(message: str, bedrooms: int) -> None:
    assert read(message, "bedrooms").bedrooms == bedrooms


@pytest.mark.parametrize("message", ["3", "need a bedroom downstairs", "a 1/2 acre lot", "650k", "2 car garage"])
def test_these_are_not_bedroom_counts(message: str) -> None:
    assert read(message, "budget").bedrooms is None


@pytest.mark.parametrize(("message", "must_haves"), [
    ("a pool", ("pool",)),
    ("pool and a big backyard, single story, no HOA", ("pool", "yard", "single story", "no hoa")),
    ("2 car garage", ("garage",)),
    ("one story, RV parking", ("single story", "rv parking")),
    ("need a bedroom downstairs for my mom", ("downstairs bedroom",)),
    ("a casita or ADU for my in-laws", ("adu",)),
    ("home office and solar", ("home office", "solar")),
    ("cul-de-sac with a view", ("cul-de-sac", "view")),
    ("con alberca y patio grande", ("pool", "yard")),
    ("don't need a pool but want a garage", ("garage",)),
    ("no pool please", ()),
    ("single-family home with kids' rooms", ()),
])
def test_must_haves_are_what_the_buyer_asks_for_and_not_what_they_refuse(message: str,
                                                                         must_haves: tuple[str, ...]) -> None:
    assert read(message).must_haves == must_haves


@pytest.mark.parametrize(("message", "financing"), [
    ("we're pre-approved", Financing.PRE_APPROVED),
    ("Preapproved for 500k", Financing.PRE_APPROVED),
    ("yes we have a pre-approval letter", Financing.PRE_APPROVED),
    ("paying cash", Financing.CASH),
    ("all cash", Financing.CASH),
    ("cash buyer", Financing.CASH),
    ("talking to a lender now", Financing.TALKING_TO_LENDER),
    ("working with my bank on it", Financing.TALKING_TO_LENDER),
    ("getting pre-approved this week", Financing.TALKING_TO_LENDER),
    ("we're prequalified", Financing.TALKING_TO_LENDER),
    ("not pre-approved yet", Financing.NONE),
    ("haven't talked to a lender", Financing.NONE),
    ("need to get pre-approved", Financing.NONE),
    ("estamos pre-aprobados", Financing.PRE_APPROVED),
    ("en efectivo", Financing.CASH),
])
def test_financing_is_pre_approved_cash_talking_to_a_lender_or_none(message: str, financing: Financing) -> None:
    assert read(message).financing is financing


@pytest.mark.parametrize(("message", "financing"), [
    ("yes", Financing.PRE_APPROVED),
    ("yep", Financing.PRE_APPROVED),
    ("no", Financing.NONE),
    ("not yet", Financing.NONE),
    ("cash", Financing.CASH),
])
def test_a_bare_answer_to_the_preapproval_question_is_financing(message: str, financing: Financing) -> None:
    assert read(message, "preapproval").financing is financing
    assert read(message, "timeline").financing is None


@pytest.mark.parametrize(("message", "days"), [
    ("next month", 30),
    ("within 3 months", 90),
    ("asap", 30),
    ("next year", 365),
    ("in 2 weeks", 14),
    ("in a few months", 90),
    ("a couple of months", 60),
    ("in 6 months", 180),
    ("3-6 months", 180),
    ("en dos meses", 60),
    ("el año que viene", 365),
])
def test_a_buyer_timeline_is_an_estimate_in_days(message: str, days: int) -> None:
    assert read(message, "buyer_timeline").buyer_timeline_days == days


def test_a_month_is_counted_from_today_when_it_is_known() -> None:
    assert read("by March", now=datetime(2026, 11, 22)).buyer_timeline_days == 99


@pytest.mark.parametrize("message", ["we've been looking for 6 months", "no rush", "3 bedrooms", "lived here 10 years"])
def test_these_give_no_buyer_timeline(message: str) -> None:
    assert read(message, "buyer_timeline").buyer_timeline_days is None


def test_a_full_buyer_answer_fills_every_field_it_names() -> None:
    found = read("Pre-approved, looking for a 4 bed 3 bath in Etiwanda with a pool, under 900k, moving within 3 months")
    assert found.financing is Financing.PRE_APPROVED
    assert found.bedrooms == 4
    assert found.bathrooms == 3.0
    assert found.areas == ("Etiwanda",)
    assert found.must_haves == ("pool",)
    assert found.budget == PriceRange(720_000, 900_000)
    assert found.buyer_timeline_days == 90
