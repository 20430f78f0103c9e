"""Two sample brokerages of the Inland Empire and the listings their MLS feeds would export (RESO names).

Shared by the demo data (console.demo), the conversation corpus (bots evaluate_conversations) and the benchmarks,
so a buyer is matched against the same homes everywhere. Generated from the caller's `random.Random`.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

LISTINGS_PER_BROKERAGE = 150
PRICE_RANGE = (450_000, 1_600_000)  # what single family homes in these towns list for

@dataclass(frozen=True)
class Town:
    """A city of the demo market: its ZIP codes, neighbourhoods and a typical price per square foot."""

    city: str
    postal_codes: tuple[str, ...]
    neighbourhoods: tuple[str, ...]
    price_per_sqft: tuple[int, int]


@dataclass(frozen=True)
class Brokerage:
    """A demo GHL location and the towns it lists in. `feed` says how its MLS export names the RESO columns."""

    id: str
    name: str
    towns: tuple[Town, ...]
    listing_prefix: str
    feed: dict[str, str]


RANCHO = Brokerage(
    id="DemoRanchoLoc0000001",
    name="Rancho Cucamonga Realty",
    towns=(
        Town("Rancho Cucamonga", ("91730", "91739"), ("Terra Vista", "Victoria", "Caryn", "Day Creek"), (430, 560)),
        Town("Etiwanda", ("91739",), ("Etiwanda Heights", "Rancho Etiwanda Estates", "Windrows"), (470, 620)),
        Town("Alta Loma", ("91701", "91737"), ("Haven View Estates", "Deer Creek", "Alta Loma Heights"), (450, 600)),
    ),
    listing_prefix="DEMORC",
    feed={"neighbourhood": "SubdivisionName", "baths": "BathroomsTotalInteger"},
)
INLAND = Brokerage(
    id="DemoInlandLoc0000002",
    name="Inland Empire Homes",
    towns=(
        Town("Upland", ("91784", "91786"), ("San Antonio Heights", "The Colonies", "College Park"), (420, 580)),
        Town("Fontana", ("92335", "92336", "92337"), ("Sierra Lakes", "Summit Heights", "Hunters Ridge"), (330, 430)),
        Town("Ontario", ("91761", "91762", "91764"), ("Ontario Ranch", "New Haven", "Edenglen"), (340, 450)),
    ),
    listing_prefix="DEMOIE",
    # Another MLS, another export: the importer's alternative column names get used too.
    feed={"neighbourhood": "Neighborhood", "baths": "BathroomsTotalDecimal"},
)
BROKERAGES = (RANCHO, INLAND)


STREETS = (
    "Banyan St", "Haven Ave", "Base Line Rd", "Archibald Ave", "Milliken Ave", "Etiwanda Ave", "Wilson Ave",
    "Summit Ave", "Carnelian St", "Hillside Rd", "Euclid Ave", "Mountain Ave", "Foothill Blvd", "Sierra Ave",
    "Cherry Ave", "Vineyard Ave", "Day Creek Blvd", "Amethyst St", "Almond St", "Beryl St", "Sapphire St",
    "Lemon Ave", "Highland Ave", "Cypress Ave", "Mulberry Ave", "Victoria Park Ln", "Golden Oak Rd",
)
LISTING_FEATURES = (
    "Updated kitchen with quartz counters.", "Owned solar panels keep the power bill low.", "Pool and spa in back.",
    "RV parking on the side.", "Mountain views from the primary suite.", "Three car garage.", "Corner lot.",
    "Fresh interior paint and new flooring.", "Primary suite on the ground floor.", "Covered patio for shade.",
    "Walk to Victoria Gardens shops.", "Low maintenance yard with drip irrigation.", "Vaulted ceilings.",
    "Gated community with a clubhouse.", "Bonus loft upstairs.", "Dual pane windows throughout.",
)
LISTING_STATUSES = ("Active", "ActiveUnderContract", "Pending", "Closed")  # RESO StandardStatus values



def listing_rows(rng: random.Random, brokerage: Brokerage) -> list[dict[str, object]]:
    """A brokerage's listings as its MLS would export them: RESO Data Dictionary names, one dict per listing."""
    return [_listing_row(rng, brokerage, number) for number in range(1, LISTINGS_PER_BROKERAGE + 1)]


def _listing_row(rng: random.Random, brokerage: Brokerage, number: int) -> dict[str, object]:
    town = rng.choice(brokerage.towns)
    beds = rng.choices((2, 3, 4, 5, 6), weights=(10, 30, 35, 18, 7))[0]
    baths = max(1, beds - rng.choice((0, 1, 1, 2))) + rng.choice((0, 0, 0.5))
    living_area = round(beds * rng.uniform(380, 560) + rng.uniform(150, 500), -1)
    price = living_area * rng.uniform(*town.price_per_sqft)
    neighbourhood = rng.choice(town.neighbourhoods)
    features = rng.sample(LISTING_FEATURES, 3)
    stories = "Single story" if rng.random() < 0.4 else "Two story"
    return {
        "ListingId": f"{brokerage.listing_prefix}{number:06d}",
        "UnparsedAddress": street_address(rng),
        "City": town.city,
        "StateOrProvince": "CA",
        "PostalCode": rng.choice(town.postal_codes),
        brokerage.feed["neighbourhood"]: neighbourhood,
        "ListPrice": _asking_price(rng, price),
        "BedroomsTotal": beds,
        brokerage.feed["baths"]: baths if brokerage.feed["baths"] == "BathroomsTotalDecimal" else int(baths),
        "LivingArea": int(living_area),
        "PropertyType": "Residential",
        "StandardStatus": rng.choices(LISTING_STATUSES, weights=(75, 10, 10, 5))[0],
        "PublicRemarks": f"{stories} home in {neighbourhood} with {beds} bedrooms. {' '.join(features)}",
    }


def _asking_price(rng: random.Random, value: float) -> int:
    # Asking prices end the way agents set them: 749,900 rather than 751,237.
    asking = int(round(value, -4)) - rng.choice((0, 100, 1000))
    return min(max(asking, PRICE_RANGE[0]), PRICE_RANGE[1])


def street_address(rng: random.Random) -> str:
    return f"{rng.randint(5000, 14999)} {rng.choice(STREETS)}"
