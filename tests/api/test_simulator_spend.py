"""Who spends the brokerage's Claude budget through the simulator: its brokers. An agent of the same location practises
on the offline engine, which costs nothing."""
from __future__ import annotations

from typing import Any

from leads.models import Location
from tests.api.conftest import ApiAs
from tests.fakes.anthropic import FakeAnthropic

URL = "/api/v1/simulator/"
MESSAGE = "Hi, I'm thinking about selling my house on Maple Ave"


def test_a_broker_practises_with_claude(
    api_as: ApiAs, alpha_broker: Any, alpha_realty: Location, fake_anthropic: FakeAnthropic
) -> None:
    response = api_as(alpha_broker).post(URL, {"location": alpha_realty.id, "message": MESSAGE}, format="json")

    assert response.status_code == 200
    assert fake_anthropic.message_requests(), "Claude read the broker's practice text"


def test_an_agent_of_the_same_location_practises_offline_and_spends_nothing(
    api_as: ApiAs, alpha_agent: Any, alpha_realty: Location, fake_anthropic: FakeAnthropic
) -> None:
    response = api_as(alpha_agent).post(URL, {"location": alpha_realty.id, "message": MESSAGE}, format="json")

    assert response.status_code == 200
    assert response.json()["reply"], "the offline engine still answers"
    assert fake_anthropic.calls == []
