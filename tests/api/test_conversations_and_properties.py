"""Conversations, texts, listings (CRUD and CSV import) and locations through the API."""
from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.utils import timezone

from leads.models import Contact, Conversation, Location, Message, Property
from tests.api.conftest import ApiAs, listing


def results(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content
    return list(response.json()["results"])


# -- conversations and texts ----------------------------------------------------------------------------


def test_a_conversation_carries_the_bots_qualification_state(
    api_as: ApiAs, alpha_agent: Any, maria_texts: Conversation
) -> None:
    maria_texts.state = {"bot": "seller", "seller": {"property_address": "123 Main St"}}
    maria_texts.save()

    body = api_as(alpha_agent).get(f"/api/v1/conversations/{maria_texts.pk}/").json()

    assert body["lead"] == maria_texts.contact_id
    assert body["state"]["seller"]["property_address"] == "123 Main St"


def test_conversations_filter_by_lead(
    api_as: ApiAs, alpha_agent: Any, maria_texts: Conversation, alpha_realty: Location
) -> None:
    other = Conversation.objects.create(contact=Contact.objects.create(location=alpha_realty, ghl_id="other"))
    api = api_as(alpha_agent)

    assert [row["id"] for row in results(api.get("/api/v1/conversations/", {"lead": maria_texts.contact_id}))] == [
        maria_texts.pk
    ]
    assert len(results(api.get("/api/v1/conversations/"))) == 2
    assert other.pk in {row["id"] for row in results(api.get("/api/v1/conversations/"))}


def test_texts_come_newest_first_and_filter_by_conversation_direction_and_time(
    api_as: ApiAs, alpha_agent: Any, maria_texts: Conversation
) -> None:
    api = api_as(alpha_agent)
    texts = list(maria_texts.messages.order_by("id"))

    newest_first = results(api.get("/api/v1/messages/", {"conversation": maria_texts.pk}))
    from_the_lead = results(api.get("/api/v1/messages/", {"lead": maria_texts.contact_id, "direction": "inbound"}))
    later = results(api.get("/api/v1/messages/", {"sent_after": (timezone.now() + dt.timedelta(hours=1)).isoformat()}))

    assert [row["id"] for row in newest_first] == [texts[1].pk, texts[0].pk]
    assert [row["body"] for row in from_the_lead] == ["Hi, I want to sell"]
    assert later == []


def test_one_text_reads_as_it_was_sent(api_as: ApiAs, alpha_agent: Any, maria_texts: Conversation) -> None:
    text = Message.objects.filter(conversation=maria_texts, sender="bot").get()

    body = api_as(alpha_agent).get(f"/api/v1/messages/{text.pk}/").json()

    assert body == {**body, "direction": "outbound", "sender": "bot", "body": "What is the address?",
                    "conversation": maria_texts.pk}


# -- listings ------------------------------------------------------------------------------------------------


def test_members_read_listings_and_filter_them_by_price_beds_and_city(
    api_as: ApiAs, alpha_agent: Any, alpha_realty: Location
) -> None:
    cheap = listing(alpha_realty, "A1", list_price=500_000, beds=2, city="Upland")
    roomy = listing(alpha_realty, "A2", list_price=800_000, beds=5, city="Etiwanda")
    api = api_as(alpha_agent)

    assert [row["id"] for row in results(api.get("/api/v1/properties/", {"price_max": 600_000}))] == [cheap.pk]
    assert [row["id"] for row in results(api.get("/api/v1/properties/", {"beds_min": 4}))] == [roomy.pk]
    assert [row["id"] for row in results(api.get("/api/v1/properties/", {"city": "etiwanda"}))] == [roomy.pk]
    assert [row["id"] for row in results(api.get("/api/v1/properties/", {"search": "A1"}))] == [cheap.pk]


def test_a_broker_adds_changes_and_removes_a_listing(
    api_as: ApiAs, alpha_broker: Any, alpha_realty: Location
) -> None:
    api = api_as(alpha_broker)
    new = {"listing_id": "NEW1", "location": alpha_realty.pk, "address": "9 Elm St", "city": "Upland",
           "list_price": 700_000, "beds": 4, "baths": "2.5"}

    created = api.post("/api/v1/properties/", new, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert api.patch(f"/api/v1/properties/{pk}/", {"list_price": 689_000}, format="json").status_code == 200
    assert Property.objects.get(pk=pk).list_price == 689_000
    assert api.put(f"/api/v1/properties/{pk}/", {**new, "status": "Pending"}, format="json").status_code == 200
    assert Property.objects.get(pk=pk).status == "Pending"
    assert api.delete(f"/api/v1/properties/{pk}/").status_code == 204
    assert not Property.objects.filter(pk=pk).exists()


def test_an_agent_reads_listings_but_may_not_change_them(
    api_as: ApiAs, alpha_agent: Any, alpha_listing: Property, alpha_realty: Location
) -> None:
    api = api_as(alpha_agent)

    assert api.get(f"/api/v1/properties/{alpha_listing.pk}/").status_code == 200
    assert api.patch(f"/api/v1/properties/{alpha_listing.pk}/", {"list_price": 1}, format="json").status_code == 403
    assert api.delete(f"/api/v1/properties/{alpha_listing.pk}/").status_code == 403
    assert api.post("/api/v1/properties/", {"listing_id": "X", "location": alpha_realty.pk, "address": "1 A St",
                                            "city": "Upland", "list_price": 1}, format="json").status_code == 403


def test_a_broker_cannot_put_a_listing_in_another_brokerage(
    api_as: ApiAs, alpha_broker: Any, alpha_listing: Property, beta_homes: Location
) -> None:
    api = api_as(alpha_broker)

    moved = api.patch(f"/api/v1/properties/{alpha_listing.pk}/", {"location": beta_homes.pk}, format="json")
    planted = api.post("/api/v1/properties/", {"listing_id": "X", "location": beta_homes.pk, "address": "1 A St",
                                               "city": "Upland", "list_price": 1}, format="json")

    assert moved.status_code == 400 and "location" in moved.json()
    assert planted.status_code == 400 and "location" in planted.json()
    assert not Property.objects.filter(location=beta_homes).exists()


def test_a_broker_imports_a_reso_csv_and_hears_which_rows_were_skipped(
    api_as: ApiAs, alpha_broker: Any, alpha_realty: Location, alpha_listing: Property
) -> None:
    csv = (
        "ListingId,ListPrice,UnparsedAddress,City,BedroomsTotal\n"
        f"{alpha_listing.listing_id},640000,123 Main St,Rancho Cucamonga,3\n"
        "NEW0002,\"$725,000\",7 Oak Ave,Upland,4\n"
        "BROKEN,not a price,8 Oak Ave,Upland,4\n"
    )
    upload = io.BytesIO(csv.encode())
    upload.name = "listings.csv"

    response = api_as(alpha_broker).post(
        "/api/v1/properties/import/", {"file": upload, "location": alpha_realty.pk}, format="multipart"
    )

    assert response.status_code == 200, response.content
    assert response.json() == {"imported": 1, "updated": 1,
                               "skipped": [{"line": 4, "reason": "ListPrice 'not a price' is not a number"}]}
    assert Property.objects.get(listing_id="NEW0002").location == alpha_realty


def test_an_agent_may_not_import_listings(api_as: ApiAs, alpha_agent: Any, alpha_realty: Location) -> None:
    upload = io.BytesIO(b"ListingId,ListPrice,UnparsedAddress,City\nX1,1,1 A St,Upland\n")
    upload.name = "listings.csv"

    response = api_as(alpha_agent).post(
        "/api/v1/properties/import/", {"file": upload, "location": alpha_realty.pk}, format="multipart"
    )

    assert response.status_code == 403
    assert not Property.objects.exists()


# -- locations --------------------------------------------------------------------------------------------------


def test_locations_list_the_brokerages_you_belong_to_without_their_token(
    api_as: ApiAs, alpha_agent: Any, alpha_realty: Location, beta_homes: Location
) -> None:
    api = api_as(alpha_agent)

    listed = api.get("/api/v1/locations/").json()
    one = api.get(f"/api/v1/locations/{alpha_realty.pk}/").json()

    assert listed == [one]
    assert one == {"id": alpha_realty.pk, "name": alpha_realty.name, "timezone": "America/Chicago",
                   "calendar_id": "", "sending_paused": False}


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_locations_are_read_only_through_the_api(
    api_as: ApiAs, alpha_broker: Any, alpha_realty: Location, method: str
) -> None:
    response = getattr(api_as(alpha_broker), method)(f"/api/v1/locations/{alpha_realty.pk}/", {"name": "X"})

    assert response.status_code == 405
