"""Try the bot (`POST /api/v1/simulator/`, `manage.py chat`): the real engine in dry run, for members only."""
from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from leads.models import Contact, Conversation, Location, Message, OutboxMessage
from tests.fakes.ghl import FakeGHL

URL = "/api/v1/simulator/"


def simulate(client: Client, location: Location, message: str, **fields: Any) -> Any:
    return client.post(URL, {"location": location.id, "message": message, **fields}, content_type="application/json")


def test_a_member_gets_the_reply_the_bot_and_the_writes_it_would_make(
    client: Client, alpha_agent: Any, alpha_realty: Location
) -> None:
    client.force_login(alpha_agent)

    response = simulate(client, alpha_realty, "Hi, I'm thinking about selling my house", tags=["lead-bot"])

    assert response.status_code == 200
    body = response.json()
    assert body["bot"] == "seller"
    assert "address" in body["reply"]
    assert body["next_question"] == "property_address"
    assert body["tags_add"] == ["Needs Qualifying"] and body["tags_remove"] == ["lead-bot"]
    assert body["tags"] == ["Needs Qualifying"]
    assert body["state"]["bot"] == "seller"
    assert body["contact_key"]


def test_the_same_contact_key_continues_the_conversation(client: Client, owner: Any, alpha_realty: Location) -> None:
    client.force_login(owner)
    first = simulate(client, alpha_realty, "I want to sell my house", tags=["lead-bot"]).json()

    second = simulate(client, alpha_realty, "123 Main St, Rancho Cucamonga", contact_key=first["contact_key"]).json()

    assert second["contact_key"] == first["contact_key"]
    assert second["bot"] == "seller"
    assert second["next_question"] == "motivation"
    assert second["state"]["seller"]["property_address"] == "123 Main St, Rancho Cucamonga"


def test_tags_sent_with_a_message_replace_the_pretend_leads_tags(
    client: Client, owner: Any, alpha_realty: Location
) -> None:
    client.force_login(owner)
    key = simulate(client, alpha_realty, "Hello").json()["contact_key"]

    body = simulate(client, alpha_realty, "Hello again", contact_key=key, tags=["AI-Off"]).json()

    assert body["reply"] is None
    assert body["tags"] == ["AI-Off"]


def test_a_dry_run_writes_nothing_and_calls_no_one(
    client: Client, owner: Any, alpha_realty: Location, fake_ghl: FakeGHL
) -> None:
    client.force_login(owner)
    key = None
    for message in ["Selling 9 Elm St, relocating to Reno, asap", "great shape", "hoping for 700k", "2"]:
        body = simulate(client, alpha_realty, message, **({"contact_key": key} if key else {"tags": ["Seller-Lead"]}))
        key = body.json()["contact_key"]

    assert body.json()["state"]["booking"]["status"] == "booked"
    assert not Contact.objects.exists() and not Conversation.objects.exists() and not Message.objects.exists()
    assert not OutboxMessage.objects.exists()
    assert fake_ghl.calls == []


def test_a_location_the_user_may_not_see_is_not_found(
    client: Client, beta_broker: Any, alpha_realty: Location
) -> None:
    client.force_login(beta_broker)

    response = simulate(client, alpha_realty, "I want to sell")

    assert response.status_code == 404


def test_a_location_that_does_not_exist_is_not_found(client: Client, owner: Any) -> None:
    client.force_login(owner)

    response = client.post(URL, {"location": "NoSuchLocation", "message": "hi"}, content_type="application/json")

    assert response.status_code == 404


def test_someone_signed_out_is_refused(client: Client, alpha_realty: Location) -> None:
    assert simulate(client, alpha_realty, "hi").status_code in (401, 403)


def test_a_token_works_as_well_as_a_session(client: Client, alpha_broker: Any, alpha_realty: Location) -> None:
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=alpha_broker)

    response = client.post(URL, {"location": alpha_realty.id, "message": "Looking to buy"},
                           content_type="application/json", HTTP_AUTHORIZATION=f"Token {token.key}")

    assert response.status_code == 200
    assert response.json()["bot"] == "buyer"


@pytest.mark.parametrize("fields", [{"message": ""}, {"contact_key": "has spaces"}, {"tags": "not-a-list"}])
def test_a_malformed_request_is_a_400(client: Client, owner: Any, alpha_realty: Location, fields: Any) -> None:
    client.force_login(owner)
    payload = {"location": alpha_realty.id, "message": "hi", **fields}

    assert client.post(URL, payload, content_type="application/json").status_code == 400


def test_chat_talks_to_the_bots_in_a_terminal(alpha_realty: Location, monkeypatch: Any) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("Hi, I want to sell my house\n123 Main St\nquit\n"))
    out = io.StringIO()

    call_command("chat", "--location", alpha_realty.id, "--tags", "lead-bot", stdout=out)

    lines = out.getvalue().splitlines()
    assert any(line.startswith("seller bot> ") and "address" in line for line in lines)
    assert any("+Needs Qualifying" in line for line in lines)
    assert not Contact.objects.exists()
