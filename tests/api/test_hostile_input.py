"""Requests the schema fuzz (test_schema_fuzz.py) found answered with a 500, kept as plain tests: each must get a
4xx or a 2xx, never a server error."""
from __future__ import annotations

from typing import Any

import pytest

from leads.models import Contact
from tests.api.conftest import ApiAs


@pytest.mark.parametrize(
    "query",
    [
        {"updated_after": "2000-01-01T00:41:22.5+21:20"},
        {"last_reply_after": "9999-12-31T23:59:59-12:00"},
        {"tag": "hot\x00lead"},
        {"search": "ma\x00ria"},
        {"location": "\x00"},
        {"score_min": "1e400"},
    ],
)
def test_a_hostile_lead_list_query_is_not_a_server_error(
    api_as: ApiAs, alpha_broker: Any, maria: Contact, query: dict[str, str]
) -> None:
    assert api_as(alpha_broker).get("/api/v1/leads/", query).status_code < 500


@pytest.mark.parametrize("location", ["\x00", "JbRealty\x00"])
def test_a_nul_character_in_a_new_listing_is_refused_not_a_server_error(
    api_as: ApiAs, alpha_broker: Any, alpha_realty: Any, location: str
) -> None:
    listing = {"location": location, "listing_id": "NUL0001", "address": "1 Main St", "city": "Ontario",
               "list_price": 500000, "beds": 3}

    response = api_as(alpha_broker).post("/api/v1/properties/", listing, format="json")

    assert response.status_code == 400


def test_a_nul_character_in_a_listing_field_is_refused_not_a_server_error(
    api_as: ApiAs, alpha_broker: Any, alpha_realty: Any
) -> None:
    listing = {"location": alpha_realty.id, "listing_id": "NUL0002", "address": "1 Main\x00 St", "city": "Ontario",
               "list_price": 500000, "beds": 3}

    response = api_as(alpha_broker).post("/api/v1/properties/", listing, format="json")

    assert response.status_code == 400
