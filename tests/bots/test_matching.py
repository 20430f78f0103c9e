"""The buyer's listings (bots.matching): within 20 % of the top of the budget, at least the bedrooms asked, the
buyer's areas first, closest price next; the location's own listings and shared feeds only; one query."""
from __future__ import annotations

from typing import Any

from bots.matching import BuyerWish, PropertyListings
from leads.models import Location, Property


def listing(number: int, location: Location | None, *, price: int, beds: int, city: str = "Fontana",
            neighbourhood: str = "", status: str = "Active") -> Property:
    return Property.objects.create(
        location=location, listing_id=f"T{number:05d}", address=f"{number} Main St", city=city,
        neighbourhood=neighbourhood, list_price=price, beds=beds, status=status,
    )


def ids(wish: BuyerWish, location: Location) -> list[str]:
    return [match.listing_id for match in PropertyListings(location.id).matches(wish)]


def test_prices_beyond_twenty_percent_of_the_top_of_the_budget_are_left_out(alpha_realty: Location) -> None:
    listing(1, alpha_realty, price=790_000, beds=3)
    listing(2, alpha_realty, price=800_000, beds=3)
    listing(3, alpha_realty, price=1_200_000, beds=3)
    listing(4, alpha_realty, price=1_210_000, beds=3)

    # both 200,000 from the top of the budget: the listing id breaks the tie
    assert ids(BuyerWish((), 3, 1_000_000), alpha_realty) == ["T00002", "T00003"]


def test_fewer_bedrooms_than_asked_never_match(alpha_realty: Location) -> None:
    listing(1, alpha_realty, price=600_000, beds=2)
    listing(2, alpha_realty, price=600_000, beds=4)

    assert ids(BuyerWish((), 3, 600_000), alpha_realty) == ["T00002"]


def test_the_buyers_areas_rank_first_then_the_closest_price(alpha_realty: Location) -> None:
    listing(1, alpha_realty, price=600_000, beds=3, city="Ontario")
    listing(2, alpha_realty, price=560_000, beds=3, city="Fontana", neighbourhood="Sierra Lakes")
    listing(3, alpha_realty, price=590_000, beds=3, city="Fontana")

    matches = PropertyListings(alpha_realty.id).matches(BuyerWish(("Sierra Lakes", "north Fontana"), 3, 600_000))

    assert [match.listing_id for match in matches] == ["T00003", "T00002", "T00001"]
    assert [match.in_area for match in matches] == ["north Fontana", "Sierra Lakes", None]
    assert all(match.under_budget for match in matches)


def test_at_most_five_active_listings_of_the_location_or_a_shared_feed(
    alpha_realty: Location, beta_homes: Location
) -> None:
    for number in range(1, 8):
        listing(number, alpha_realty, price=600_000 + number, beds=3)
    listing(8, None, price=600_000, beds=3)
    listing(9, beta_homes, price=600_000, beds=3)
    listing(10, alpha_realty, price=600_000, beds=3, status="Closed")

    found = ids(BuyerWish((), 3, 600_000), alpha_realty)

    assert found == ["T00008", "T00001", "T00002", "T00003", "T00004"]


def test_matching_is_one_query(alpha_realty: Location, django_assert_num_queries: Any) -> None:
    listing(1, alpha_realty, price=600_000, beds=3)

    with django_assert_num_queries(1):
        PropertyListings(alpha_realty.id).matches(BuyerWish(("Fontana",), 3, 600_000))


def test_a_budget_below_every_listing_reports_the_lowest_price_in_the_area(alpha_realty: Location) -> None:
    listing(1, alpha_realty, price=860_000, beds=4, city="Etiwanda")
    listing(2, alpha_realty, price=450_000, beds=4, city="Fontana")

    fact = PropertyListings(alpha_realty.id).market(BuyerWish(("Etiwanda",), 4, 400_000))

    assert (fact.kind, fact.price) == ("below", 860_000)


def test_a_budget_above_every_listing_reports_the_highest_and_no_listings_says_so(alpha_realty: Location) -> None:
    listing(1, alpha_realty, price=500_000, beds=2)

    above = PropertyListings(alpha_realty.id).market(BuyerWish((), 2, 3_000_000))
    empty = PropertyListings(alpha_realty.id).market(BuyerWish(("Redlands",), 2, 500_000))

    assert (above.kind, above.price) == ("above", 500_000)
    assert (empty.kind, empty.price) == ("empty", None)


def test_a_pre_approval_is_a_ceiling_nothing_above_it_matches(alpha_realty: Location) -> None:
    listing(1, alpha_realty, price=749_000, beds=3)
    listing(2, alpha_realty, price=750_000, beds=3)
    listing(3, alpha_realty, price=869_900, beds=3)

    assert ids(BuyerWish((), 3, 750_000), alpha_realty) == ["T00002", "T00001", "T00003"]
    assert ids(BuyerWish((), 3, 750_000, ceiling=True), alpha_realty) == ["T00002", "T00001"]
