"""Try-the-bot (`POST /api/v1/simulator/`) shows a broker the screen's real answers before going live: the issue's
wordings, in the lead's language, with what was caught; and nothing is logged or written for a pretend lead."""
from __future__ import annotations

from typing import Any

from django.test import Client

from bots.models import ComplianceEvent
from leads.models import Location, OutboxMessage

URL = "/api/v1/simulator/"


def simulate(client: Client, location: Location, message: str, **fields: Any) -> Any:
    response = client.post(URL, {"location": location.id, "message": message, **fields},
                           content_type="application/json")
    assert response.status_code == 200
    return response.json()


def test_delete_my_data_is_acknowledged_tagged_and_shown_as_screened(
    client: Client, alpha_broker: Any, alpha_realty: Location
) -> None:
    client.force_login(alpha_broker)
    turn = simulate(client, alpha_realty, "delete my data please")
    assert "45 days" in turn["reply"]
    assert set(turn["tags_add"]) == {"CCPA-Deletion-Request", "AI-Off"}
    assert turn["screened"] == ["Deletion request"]
    # and the practice lead is silent after it, as a real one would be
    after = simulate(client, alpha_realty, "hello?", contact_key=turn["contact_key"])
    assert after["reply"] is None
    assert not ComplianceEvent.objects.exists() and not OutboxMessage.objects.exists()


def test_a_spanish_opt_out_is_confirmed_in_spanish(client: Client, alpha_broker: Any, alpha_realty: Location) -> None:
    client.force_login(alpha_broker)
    turn = simulate(client, alpha_realty, "ya no me escriban")
    assert turn["reply"].startswith("Ya no recibirá mensajes")
    assert turn["outcome"] == "lead opted out"


def test_sellers_choosing_buyers_are_refused_naming_fair_housing_law(
    client: Client, alpha_broker: Any, alpha_realty: Location
) -> None:
    client.force_login(alpha_broker)
    for message in ("and no muslims either", "whites only", "no mexicans", "isn't gay right?", "fewer minorities"):
        turn = simulate(client, alpha_realty, message, tags=["Needs Qualifying"])
        assert "fair housing law" in turn["reply"].lower(), message
        assert not turn["reply"].lower().startswith(("no problem", "sure", "of course")), message
        assert turn["tags_add"] == ["Fair-Housing-Alert"], message
        assert turn["screened"][0].startswith("Fair Housing request ("), message


def test_are_you_a_bot_asked_again_gets_the_honest_answer_and_never_ai_off(
    client: Client, alpha_broker: Any, alpha_realty: Location
) -> None:
    client.force_login(alpha_broker)
    first = simulate(client, alpha_realty, "are you a bot?", tags=["Buyer-Lead"])
    key = first["contact_key"]
    again = simulate(client, alpha_realty, "seriously is this AI or a real person", contact_key=key)
    answer = simulate(client, alpha_realty, "Fontana", contact_key=key)
    assert "AI assistant" in first["reply"] and "AI assistant" in again["reply"]
    assert "AI-Off" not in again["tags"]
    assert answer["reply"] and answer["state"]["buyer"]["areas"] == ["Fontana"]
