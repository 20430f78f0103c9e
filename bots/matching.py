"""Listings for a buyer, from the `Property` table: the selector the buyer bot's "match properties" step reads.

BOTS.md: price within 20 % of the top of the budget and at least the bedrooms asked are hard filters; being in
an area the buyer named and a price close to the top of the budget raise a listing's rank. Both queries are
one indexed range scan on (status, list_price) with LIMIT, whatever the size of the feed. When nothing fits,
`market` says what we do have, so the bot can educate honestly instead of inventing listings.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Literal, Protocol

from django.db.models import Case, F, IntegerField, Max, Min, Q, QuerySet, Value, When
from django.db.models.functions import Abs

from leads.models import Property

# RESO StandardStatus of a listing a buyer can still buy.
ACTIVE = "Active"
# "north Fontana" is matched as Fontana: listings carry the city and the subdivision, not the side of town.
_SIDES = ("north ", "south ", "east ", "west ", "northern ", "southern ", "eastern ", "western ", "central ",
          "downtown ", "old town ")


@dataclass(frozen=True)
class BuyerWish:
    """What the buyer asked for that matching uses; `budget_high` is the top of their budget."""

    areas: tuple[str, ...]
    bedrooms: int | None
    budget_high: int
    # A pre-approval is a ceiling: nothing above it is offered. A budget alone allows homes a little over it, and
    # those are told as over it, never as "close to your budget".
    ceiling: bool = False

    @property
    def key(self) -> str:
        """Identifies the wish, so the same matches are not told twice."""
        areas = "|".join(sorted(a.lower() for a in self.areas))
        return f"{areas};{self.bedrooms or 0};{self.budget_high}" + (";ceiling" if self.ceiling else "")


@dataclass(frozen=True)
class ListingMatch:
    """One listing that fits, with what makes it fit in the buyer's own terms (and nothing else)."""

    listing_id: str
    address: str
    city: str
    neighbourhood: str
    price: int
    beds: int
    # The buyer's area it is in, when it is in one of them.
    in_area: str | None
    under_budget: bool


@dataclass(frozen=True)
class MarketFact:
    """What the listings we have say about a budget that matched nothing: they all cost more ("below"), they all
    cost less ("above"), or there are none for those bedrooms and areas ("empty")."""

    kind: Literal["below", "above", "empty"]
    price: int | None = None


class ListingSearch(Protocol):
    def matches(self, wish: BuyerWish) -> list[ListingMatch]: ...

    def market(self, wish: BuyerWish) -> MarketFact: ...


@dataclass(frozen=True)
class PropertyListings:
    """The listings of one location (plus feeds imported without a location, shared by every location)."""

    location_id: str
    price_tolerance: float = 0.2
    limit: int = 5

    def matches(self, wish: BuyerWish) -> list[ListingMatch]:
        low = round(wish.budget_high * (1 - self.price_tolerance))
        high = wish.budget_high if wish.ceiling else round(wish.budget_high * (1 + self.price_tolerance))
        in_area = _area_filter(wish.areas)
        rows = (
            self._listings(wish.bedrooms)
            .filter(list_price__gte=low, list_price__lte=high)
            .annotate(
                area_match=Case(When(in_area, then=Value(1)), default=Value(0), output_field=IntegerField())
                if in_area is not None else Value(0, output_field=IntegerField()),
                price_distance=Abs(F("list_price") - wish.budget_high),
            )
            .order_by("-area_match", "price_distance", "listing_id")
            .values_list("listing_id", "address", "city", "neighbourhood", "list_price", "beds", "area_match")[
                : self.limit
            ]
        )
        return [
            ListingMatch(
                listing_id=listing_id, address=address, city=city, neighbourhood=neighbourhood, price=price,
                beds=beds, in_area=_named_area(wish.areas, city, neighbourhood) if area_match else None,
                under_budget=price <= wish.budget_high,
            )
            for listing_id, address, city, neighbourhood, price, beds, area_match in rows
        ]

    def market(self, wish: BuyerWish) -> MarketFact:
        listings = self._listings(wish.bedrooms)
        in_area = _area_filter(wish.areas)
        if in_area is not None:
            listings = listings.filter(in_area)
        high = round(wish.budget_high * (1 + self.price_tolerance))
        cheapest_above = listings.filter(list_price__gt=high).aggregate(price=Min("list_price"))["price"]
        if cheapest_above is not None:
            return MarketFact("below", cheapest_above)
        dearest = listings.aggregate(price=Max("list_price"))["price"]
        if dearest is not None:
            return MarketFact("above", dearest)
        return MarketFact("empty")

    def _listings(self, bedrooms: int | None) -> QuerySet[Property]:
        listings = Property.objects.filter(
            Q(location_id=self.location_id) | Q(location__isnull=True), status=ACTIVE
        )
        return listings.filter(beds__gte=bedrooms) if bedrooms else listings


def _area_filter(areas: tuple[str, ...]) -> Q | None:
    names = [_without_side(area) for area in areas]
    if not names:
        return None
    return reduce(or_, (Q(city__iexact=name) | Q(neighbourhood__iexact=name) for name in names))


def _named_area(areas: tuple[str, ...], city: str, neighbourhood: str) -> str | None:
    """The buyer's own name for the area a listing is in ("north Fontana" for a Fontana listing)."""
    for area in areas:
        if _without_side(area).casefold() in (city.casefold(), neighbourhood.casefold()):
            return area
    return None


def _without_side(area: str) -> str:
    lowered = area.lower()
    for side in _SIDES:
        if lowered.startswith(side):
            return area[len(side):]
    return area
