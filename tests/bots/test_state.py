"""bots.state: the conversation state saved as JSON on every turn, and loaded back as it was."""
from __future__ import annotations

import json

from bots.state import Booking, ConversationState, Handoff


def _a_seller_who_became_a_buyer() -> ConversationState:
    state = ConversationState(
        bot="buyer", last_question="budget", language="es", unknown=["timeline"], misses={"price": 1},
        temperatures={"seller": "warm"}, handoffs=[Handoff("seller", "buyer", "2026-06-01T10:00:00+00:00")],
        matches=["MLS1", "MLS2"], fields_written={"motivation": "relocation"}, last_variant={"ask_budget": 2},
        booking=Booking(status="offered", offered=["2026-06-02T10:00:00-07:00"]),
        extra={"from_a_newer_worker": {"kept": [1, {"as": "is"}]}},
    )
    state.seller.property_address = "123 Main St"
    state.buyer.areas = ["Etiwanda"]
    state.buyer.bathrooms = 2.5
    return state


def test_a_saved_state_loads_back_as_it_was() -> None:
    state = _a_seller_who_became_a_buyer()

    saved = json.loads(json.dumps(state.to_dict()))

    assert ConversationState.from_dict(saved) == state
    assert saved["from_a_newer_worker"] == {"kept": [1, {"as": "is"}]}
    assert saved["handoffs"] == [{"from_bot": "seller", "to_bot": "buyer", "at": "2026-06-01T10:00:00+00:00"}]


def test_the_saved_copy_shares_no_list_or_dict_with_the_state() -> None:
    state = _a_seller_who_became_a_buyer()

    saved = state.to_dict()
    saved["buyer"]["areas"].append("Upland")
    saved["booking"]["offered"].clear()
    saved["from_a_newer_worker"]["kept"][1]["as"] = "changed"

    assert state.buyer.areas == ["Etiwanda"]
    assert state.booking.offered == ["2026-06-02T10:00:00-07:00"]
    assert state.extra["from_a_newer_worker"]["kept"][1] == {"as": "is"}
