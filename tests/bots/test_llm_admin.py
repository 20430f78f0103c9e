"""The broker's read-only view of Claude in the admin: spend per day, calls and alerts, each location's own."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from bots.llm.models import AlertKind, CallOutcome, DailySpend, LLMAlert, LLMCall
from leads.models import Location

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 21)


@pytest.fixture
def spend(alpha_realty: Location, beta_homes: Location) -> None:
    DailySpend.objects.create(location=alpha_realty, day=TODAY, cost_usd=Decimal("1.234567"), calls=40, cache_hits=60)
    DailySpend.objects.create(location=beta_homes, day=TODAY, cost_usd=Decimal("9.876543"), calls=10)
    LLMCall.objects.create(location=alpha_realty, task="phrasing", model="claude-sonnet-4-6", outcome=CallOutcome.OK,
                           input_tokens=120, output_tokens=40, cost_usd=Decimal("0.000960"))
    LLMAlert.objects.create(kind=AlertKind.SPEND_LIMIT, location=alpha_realty, day=TODAY, detail="alpha over its limit")
    LLMAlert.objects.create(kind=AlertKind.SPEND_LIMIT, location=beta_homes, day=TODAY, detail="beta over its limit")
    LLMAlert.objects.create(kind=AlertKind.ACCOUNT, day=TODAY, detail="Anthropic refused our calls")


def page(client: Client, user: Any, name: str) -> str:
    client.force_login(user)
    response = client.get(reverse(f"admin:llm_{name}_changelist"))
    assert response.status_code == 200
    return response.content.decode()


def test_a_broker_sees_her_locations_spend_per_day_and_hit_rate_only(
    client: Client, alpha_broker: Any, spend: None
) -> None:
    html = page(client, alpha_broker, "dailyspend")

    assert "$1.2346" in html and "60%" in html
    assert "$9.8765" not in html


def test_a_broker_is_alerted_to_her_spend_limit_and_to_the_account_but_not_to_others(
    client: Client, alpha_broker: Any, spend: None
) -> None:
    html = page(client, alpha_broker, "llmalert")

    assert "alpha over its limit" in html and "Anthropic refused our calls" in html
    assert "beta over its limit" not in html


def test_the_records_are_read_only(client: Client, alpha_broker: Any, spend: None) -> None:
    client.force_login(alpha_broker)
    call = LLMCall.objects.get()

    assert client.get(reverse("admin:llm_llmcall_add")).status_code == 403
    assert client.post(reverse("admin:llm_llmcall_delete", args=[call.pk]), {"post": "yes"}).status_code == 403
    assert "$0.000960" in page(client, alpha_broker, "llmcall")
