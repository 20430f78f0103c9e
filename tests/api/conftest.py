"""API clients signed in as the personas (token auth, as GHL and scripts use it), and a little data per location."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from leads.models import Contact, Conversation, Location, Message, Property

ApiAs = Callable[[Any], APIClient]


@pytest.fixture
def api_as() -> ApiAs:
    """`api_as(alpha_broker)`: a client sending that user's token."""

    def client_for(user: Any) -> APIClient:
        client = APIClient()
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return client_for


@pytest.fixture
def maria_texts(maria: Contact) -> Conversation:
    """Maria's conversation: she wrote, the bot answered."""
    conversation = Conversation.objects.create(contact=maria, ghl_conversation_id="MariaConvo")
    Message.objects.create(conversation=conversation, direction="inbound", sender="lead", body="Hi, I want to sell")
    Message.objects.create(conversation=conversation, direction="outbound", sender="bot", body="What is the address?")
    return conversation


@pytest.fixture
def beta_texts(beta_lead: Contact) -> Conversation:
    conversation = Conversation.objects.create(contact=beta_lead, ghl_conversation_id="BetaConvo")
    Message.objects.create(conversation=conversation, direction="inbound", sender="lead", body="Looking to buy")
    return conversation


def listing(location: Location | None, listing_id: str, **fields: Any) -> Property:
    values = {"address": "123 Main St", "city": "Rancho Cucamonga", "list_price": 650_000, "beds": 3, **fields}
    return Property.objects.create(location=location, listing_id=listing_id, **values)


@pytest.fixture
def alpha_listing(alpha_realty: Location) -> Property:
    return listing(alpha_realty, "ALPHA0001")


@pytest.fixture
def beta_listing(beta_homes: Location) -> Property:
    return listing(beta_homes, "BETA0001", city="Fontana", list_price=450_000)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "fuzz: generated requests from the OpenAPI schema (schemathesis); -m fuzz")
