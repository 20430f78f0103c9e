"""Fixtures of the bots' tests: the demo listings, imported for Alpha Realty so buyers have real matches."""
from __future__ import annotations

import random

import pytest

from leads.listings import import_listings
from leads.models import Location
from leads.sample_listings import INLAND, RANCHO, listing_rows


@pytest.fixture
def demo_listings(alpha_realty: Location) -> int:
    """About 220 active listings in Rancho Cucamonga, Etiwanda, Alta Loma, Upland, Fontana and Ontario, the same
    on every run (seeded generators)."""
    rows = listing_rows(random.Random(7), RANCHO) + listing_rows(random.Random(8), INLAND)
    report = import_listings(rows, alpha_realty)
    return report.imported
