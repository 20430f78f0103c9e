"""Claude phrases the draft the state machine chose; a phrasing that breaks a BOTS.md voice rule sends the draft."""
from __future__ import annotations

import pytest

from bots.llm.engine import ClaudeEngine
from bots.llm.models import CallOutcome, LLMCall
from bots.llm.phrasing import voice_problems
from bots.state import ConversationState
from leads.models import Location
from tests.fakes.anthropic import FakeAnthropic

pytestmark = pytest.mark.django_db

DRAFT = "Great. What is the property address?"


def phrase(location: Location, draft: str = DRAFT, purpose: str = "ask_property_address", language: str = "en") -> str:
    return ClaudeEngine(location).phrase(draft, purpose=purpose, state=ConversationState(), language=language)


def test_claude_phrases_the_draft_and_keeps_its_closing_question(
    fake_anthropic: FakeAnthropic, alpha_realty: Location
) -> None:
    phrased = phrase(alpha_realty)

    assert phrased == "Thanks, that helps. Great. What is the property address?"
    [request] = fake_anthropic.message_requests("phrasing")
    assert request["model"] == "claude-sonnet-4-6"
    assert f"<draft>\n{DRAFT}\n</draft>" in request["messages"][0]["content"]
    assert LLMCall.objects.get().outcome == CallOutcome.OK


@pytest.mark.parametrize("phrasing", [
    "Love it \U0001F3E1 What is the property address?",
    "Great - what is the property address?",
    "Could you please share the property address?",
    "Hey! What is the property address?",
    "Great. What is the address? And the price?",
    "Great, I will look up the address for you.",
    "Homes here sell in 21 days. What is the property address?",
    "I'm a real person on the team. What is the property address?",
    "Great. " + "Really. " * 50 + "What is the property address?",
])
def test_a_phrasing_that_breaks_a_voice_rule_sends_the_draft(
    fake_anthropic: FakeAnthropic, alpha_realty: Location, phrasing: str
) -> None:
    fake_anthropic.answer_next(text=phrasing)

    assert phrase(alpha_realty) == DRAFT
    assert LLMCall.objects.get().outcome == CallOutcome.OFF_VOICE


def test_the_opt_out_confirmation_is_sent_exactly_as_written(
    fake_anthropic: FakeAnthropic, alpha_realty: Location
) -> None:
    confirmation = "You are unsubscribed and will get no more texts from us. Reply START to opt back in."

    assert phrase(alpha_realty, confirmation, purpose="opt_out_confirmation") == confirmation
    assert fake_anthropic.message_requests() == []


def test_a_spanish_speaking_lead_gets_a_phrasing_asked_for_in_spanish(
    fake_anthropic: FakeAnthropic, alpha_realty: Location
) -> None:
    phrased = phrase(alpha_realty, language="es")

    assert phrased.startswith("Gracias por escribir.")
    assert "<language>es</language>" in fake_anthropic.message_requests()[0]["messages"][0]["content"]


def test_when_claude_is_down_the_draft_is_sent(fake_anthropic: FakeAnthropic, alpha_realty: Location) -> None:
    fake_anthropic.fail_next(529)

    assert phrase(alpha_realty) == DRAFT
    assert LLMCall.objects.get().outcome == CallOutcome.RETRYABLE_ERROR


def test_a_slot_offer_keeps_every_number() -> None:
    draft = "I have 3 times: 1. Tue 10:00 AM, 2. Tue 2:30 PM, 3. Wed 9:00 AM. Reply 1, 2 or 3."

    assert voice_problems("Great. " + draft, draft) == []
    assert voice_problems(draft.replace("2:30", "3:30"), draft) == ["changed a number"]


@pytest.mark.parametrize("phrasing", [
    "Homes like yours go for about six hundred thousand. Jorge can do a free market analysis on a call.",
    "Jorge charges 5 percent. Jorge goes over the fees with you on a call, before anything is signed.",
    "Jorge's fee is a few % at most, and Jorge goes over the fees with you on a call, before anything is signed.",
])
def test_an_answer_phrased_with_an_amount_the_facts_do_not_hold_is_not_sent(phrasing: str) -> None:
    facts = "Jorge goes over the fees with you on a call, before anything is signed."
    assert "an amount not in the draft" in voice_problems(phrasing, facts) or "changed a number" in voice_problems(
        phrasing, facts)
    assert "an amount not in the draft" in voice_problems(phrasing.replace("5 ", "five "), facts)


def test_an_amount_the_facts_hold_may_be_phrased() -> None:
    draft = "I found one home that fits: 12 Main St in Fontana at $609,900, under your budget."
    assert voice_problems("Good news: 12 Main St in Fontana at $609,900 is under your budget.", draft) == []
