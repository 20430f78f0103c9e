"""Listings are a brokerage's own: two brokerages importing the same MLS feed each keep their copy.

A listing is unique on (location, ListingId); an import, through the API, the admin or `manage.py
import_listings`, updates only its own location's rows and never moves one; the API never says that another
brokerage has an id.
"""
from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from console.api.serializers import PropertySerializer
from leads.listings import import_listings
from leads.models import Location, Property

MLS_ID = "CRMLS-IV24012345"
CSV_HEADER = "ListingId,ListPrice,UnparsedAddress,City\n"


def api_as(user: Any) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def csv_upload(price: int, address: str = "9 Vine St") -> io.BytesIO:
    upload = io.BytesIO(f"{CSV_HEADER}{MLS_ID},{price},{address},Upland\n".encode())
    upload.name = "listings.csv"
    return upload


@pytest.fixture
def alpha_copy(alpha_realty: Location) -> Property:
    """Alpha's copy of the MLS listing, imported first."""
    import_listings([{"ListingId": MLS_ID, "ListPrice": 650_000, "UnparsedAddress": "9 Vine St", "City": "Upland"}],
                    alpha_realty)
    return Property.objects.get(location=alpha_realty, listing_id=MLS_ID)


def assert_alpha_copy_untouched(alpha_copy: Property, alpha_realty: Location) -> None:
    fresh = Property.objects.get(pk=alpha_copy.pk)
    assert (fresh.location_id, fresh.list_price, fresh.address) == (alpha_realty.pk, 650_000, "9 Vine St")


def test_a_broker_of_b_importing_the_same_mls_id_through_the_api_gets_his_own_copy(
    alpha_copy: Property, alpha_realty: Location, beta_broker: Any, beta_homes: Location
) -> None:
    response = api_as(beta_broker).post(
        "/api/v1/properties/import/", {"file": csv_upload(599_000, "9 Vine Street"), "location": beta_homes.pk},
        format="multipart",
    )

    assert response.status_code == 200, response.content
    assert response.json() == {"imported": 1, "updated": 0, "skipped": []}
    assert_alpha_copy_untouched(alpha_copy, alpha_realty)
    assert Property.objects.get(location=beta_homes, listing_id=MLS_ID).list_price == 599_000


def test_a_broker_of_b_importing_the_same_mls_id_in_the_admin_gets_his_own_copy(
    alpha_copy: Property, alpha_realty: Location, beta_broker: Any, beta_homes: Location, client: Client
) -> None:
    client.force_login(beta_broker)

    response = client.post("/admin/leads/property/import/", {"file": csv_upload(599_000), "location": beta_homes.pk})

    assert response.status_code == 302
    assert_alpha_copy_untouched(alpha_copy, alpha_realty)
    assert Property.objects.filter(listing_id=MLS_ID).count() == 2


def test_the_command_imports_into_its_location_without_touching_anothers(
    alpha_copy: Property, alpha_realty: Location, beta_homes: Location, tmp_path: Path
) -> None:
    feed = tmp_path / "feed.csv"
    feed.write_text(f"{CSV_HEADER}{MLS_ID},599000,9 Vine Street,Upland\n")

    call_command("import_listings", str(feed), "--location", beta_homes.pk, stdout=io.StringIO())
    call_command("import_listings", str(feed), stdout=io.StringIO())
    call_command("import_listings", str(feed), stdout=io.StringIO())

    assert_alpha_copy_untouched(alpha_copy, alpha_realty)
    # one copy for beta, and one without a location however often the feed comes in
    owners = Property.objects.filter(listing_id=MLS_ID).values_list("location_id", flat=True)
    assert sorted(map(str, owners)) == sorted([alpha_realty.pk, beta_homes.pk, "None"])


def test_a_reimport_updates_its_own_locations_copy(alpha_copy: Property, alpha_realty: Location) -> None:
    report = import_listings(
        [{"ListingId": MLS_ID, "ListPrice": 640_000, "UnparsedAddress": "9 Vine St", "City": "Upland"}], alpha_realty
    )

    assert (report.imported, report.updated) == (0, 1)
    assert Property.objects.get(pk=alpha_copy.pk).list_price == 640_000


def test_creating_a_listing_alpha_has_does_not_reveal_it_to_beta(
    alpha_copy: Property, alpha_realty: Location, beta_broker: Any, beta_homes: Location
) -> None:
    api = api_as(beta_broker)
    fields = {"listing_id": MLS_ID, "location": beta_homes.pk, "address": "9 Vine St", "city": "Upland",
              "list_price": 610_000}

    created = api.post("/api/v1/properties/", fields, format="json")
    again = api.post("/api/v1/properties/", fields, format="json")

    assert created.status_code == 201, created.content
    assert_alpha_copy_untouched(alpha_copy, alpha_realty)
    # beta hears about its own copy only
    assert again.status_code == 400
    assert Property.objects.filter(location=beta_homes).count() == 1


def test_two_brokers_saving_the_same_id_at_once_get_a_400_not_a_500(
    alpha_copy: Property, alpha_broker: Any, alpha_realty: Location, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the serializer's uniqueness check already passed (the other request had not committed yet)
    monkeypatch.setattr(PropertySerializer, "get_validators", lambda self: [])

    response = api_as(alpha_broker).post("/api/v1/properties/", {
        "listing_id": MLS_ID, "location": alpha_realty.pk, "address": "9 Vine St", "city": "Upland",
        "list_price": 610_000}, format="json")

    assert response.status_code == 400
    assert "listing_id" in response.json()
    assert_alpha_copy_untouched(alpha_copy, alpha_realty)
