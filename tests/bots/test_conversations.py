"""The conversation corpus, one test per file, through the simulator API (`POST /api/v1/simulator/`).

Each turn is checked for what its file says must hold, and every reply for the voice rules (tests/bots/corpus.py).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from leads.models import Location
from tests.bots.corpus import TurnSeen, check_turn, corpus_files, load


@pytest.mark.parametrize("path", corpus_files(), ids=lambda path: path.stem)
def test_the_conversation_goes_as_its_file_says(
    path: Path, client: Client, owner: Any, alpha_realty: Location, demo_listings: int
) -> None:
    # given a location with listings, and a pretend lead with the file's tags
    conversation = load(path)
    alpha_realty.bot_settings = conversation.settings
    alpha_realty.save()
    client.force_login(owner)
    now, key, previous_reply = conversation.start, None, None

    for number, turn in enumerate(conversation.turns, start=1):
        # when the lead texts
        now += dt.timedelta(minutes=turn.get("after", 1))
        payload: dict[str, Any] = {"location": alpha_realty.id, "message": turn["lead"], "now": now.isoformat()}
        if key is None:
            payload["tags"] = conversation.tags
        else:
            payload["contact_key"] = key
        if "set_tags" in turn:
            payload["tags"] = turn["set_tags"]
        response = client.post("/api/v1/simulator/", payload, content_type="application/json")

        # then the turn does what the file says, in the bots' voice
        assert response.status_code == 200, response.content
        body = response.json()
        key = body.pop("contact_key")
        seen = TurnSeen(**body)
        check_turn(turn, seen, previous_reply, f"{path.name} turn {number} ({turn['lead']!r})")
        previous_reply = seen.reply or previous_reply


def test_the_corpus_holds_at_least_two_hundred_fifty_conversations() -> None:
    assert len(corpus_files()) >= 250
