"""Every endpoint shows a user only the locations they belong to; another location's rows are 404, not 403."""
from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.test import APIClient

from leads.models import Contact, Conversation, Location, Property
from tests.api.conftest import ApiAs


def schema_operations(client: Client) -> list[tuple[str, str]]:
    # The schema is for people who signed in (tests/api/test_exposure.py): read it as one, then sign out.
    reader, _ = get_user_model().objects.get_or_create(username="schema-reader")
    client.force_login(reader)
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    client.logout()
    return [
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def test_every_endpoint_but_sign_in_refuses_an_anonymous_caller(db: None, client: Client) -> None:
    anonymous = APIClient()
    operations = schema_operations(client)

    answered = {
        (method, path): getattr(anonymous, method.lower())(path.replace("{id}", "1")).status_code
        for method, path in operations
        if path != "/api/v1/auth/token/"
    }

    assert len(answered) >= 15
    assert set(answered.values()) == {401}, answered


def test_a_user_with_no_membership_is_refused_everywhere(db: None, client: Client, api_as: ApiAs) -> None:
    from django.contrib.auth import get_user_model

    stranger = get_user_model().objects.create_user(username="dave", password="dave-password")
    api = api_as(stranger)

    answered = {
        (method, path): getattr(api, method.lower())(path.replace("{id}", "1")).status_code
        for method, path in schema_operations(client)
        if path != "/api/v1/auth/token/"
    }

    assert set(answered.values()) == {403}, answered


def test_a_broker_of_one_location_gets_404_for_another_locations_lead(
    api_as: ApiAs, beta_broker: Any, maria: Contact
) -> None:
    api = api_as(beta_broker)

    assert api.get(f"/api/v1/leads/{maria.pk}/").status_code == 404
    assert api.patch(f"/api/v1/leads/{maria.pk}/", {"status": "won"}).status_code == 404
    assert api.post(f"/api/v1/leads/{maria.pk}/pause/").status_code == 404
    assert api.post(f"/api/v1/leads/{maria.pk}/resume/").status_code == 404
    assert api.post(f"/api/v1/leads/{maria.pk}/hand-to-human/").status_code == 404
    assert api.post(f"/api/v1/leads/{maria.pk}/hand-back/").status_code == 404
    maria.refresh_from_db()
    assert maria.status == "new" and maria.bot_paused_until is None


def test_a_broker_gets_404_for_another_locations_conversation_texts_and_listings(
    api_as: ApiAs, beta_broker: Any, maria_texts: Conversation, alpha_listing: Property, alpha_realty: Location
) -> None:
    api = api_as(beta_broker)
    message = maria_texts.messages.first()
    assert message is not None

    assert api.get(f"/api/v1/conversations/{maria_texts.pk}/").status_code == 404
    assert api.get(f"/api/v1/messages/{message.pk}/").status_code == 404
    assert api.get(f"/api/v1/properties/{alpha_listing.pk}/").status_code == 404
    assert api.patch(f"/api/v1/properties/{alpha_listing.pk}/", {"list_price": 1}).status_code == 404
    assert api.delete(f"/api/v1/properties/{alpha_listing.pk}/").status_code == 404
    assert api.get(f"/api/v1/locations/{alpha_realty.pk}/").status_code == 404
    assert Property.objects.filter(pk=alpha_listing.pk, list_price=650_000).exists()


def test_lists_hold_only_the_callers_locations(
    api_as: ApiAs, alpha_agent: Any, maria_texts: Conversation, beta_texts: Conversation, alpha_listing: Property,
    beta_listing: Property,
) -> None:
    api = api_as(alpha_agent)

    def ids(path: str, field: str = "id") -> set[Any]:
        body = api.get(path).json()
        return {row[field] for row in (body["results"] if isinstance(body, dict) else body)}

    assert ids("/api/v1/leads/") == {maria_texts.contact_id}
    assert ids("/api/v1/conversations/") == {maria_texts.pk}
    assert ids("/api/v1/messages/", "conversation") == {maria_texts.pk}
    assert ids("/api/v1/properties/") == {alpha_listing.pk}
    assert ids("/api/v1/locations/") == {alpha_listing.location_id}


def test_a_superuser_sees_every_location(api_as: ApiAs, owner: Any, maria: Contact, beta_lead: Contact) -> None:
    ids = {row["id"] for row in api_as(owner).get("/api/v1/leads/").json()["results"]}

    assert ids == {maria.pk, beta_lead.pk}


def test_the_ghl_token_never_appears_in_any_answer(
    api_as: ApiAs, owner: Any, maria_texts: Conversation, alpha_listing: Property, alpha_realty: Location
) -> None:
    api = api_as(owner)
    paths = ["/api/v1/locations/", f"/api/v1/locations/{alpha_realty.pk}/", "/api/v1/leads/",
             f"/api/v1/leads/{maria_texts.contact_id}/", "/api/v1/conversations/", "/api/v1/messages/",
             "/api/v1/properties/", "/api/v1/schema/"]

    bodies = [api.get(path).content.decode() for path in paths]

    assert all("alpha-token" not in body and "api_token" not in body for body in bodies)
