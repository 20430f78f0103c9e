"""One screen for every door: the corpus through the real turn (auto and suggest mode), try-the-bot and
`manage.py chat` gets the same decisions: the same outcome, reply and tags."""
from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.utils import timezone

from bots import services
from bots.inbound_screen import screen
from bots.inbound_screen_evaluation import BENIGN, load_corpus
from bots.management.commands.chat import QUIT
from bots.models import ComplianceEvent, Draft
from bots.simulator import MemorySessions, simulate_turn
from leads.models import Contact, Location, OutboxMessage
from tests.safety.conftest import text_from

CORPUS = load_corpus()
SCREENED = [item for item in CORPUS if item.label != BENIGN]


@dataclass(frozen=True)
class Decision:
    outcome: str
    reply: str | None
    tags: frozenset[str]


@pytest.fixture
def new_lead(alpha_realty: Location) -> Callable[[], Contact]:
    numbers: Iterator[int] = iter(range(1, 100_000))

    def make() -> Contact:
        number = next(numbers)
        return Contact.objects.create(location=alpha_realty, ghl_id=f"DoorLead{number:06d}",
                                      phone=f"+1512556{number:04d}", synced_at=timezone.now())

    return make


def through_the_turn(lead: Contact, text: str) -> Decision:
    message = text_from(lead, text)
    outcome = services.take_turn(message.conversation_id).outcome
    rows = OutboxMessage.objects.filter(contact=lead).order_by("id")
    replies = [row.body for row in rows if row.kind == "sms"]
    replies += list(Draft.objects.filter(contact=lead).values_list("body", flat=True))
    tags = {tag for row in rows if row.kind == "add_tags" for tag in row.payload["tags"]}
    return Decision(outcome, replies[0] if replies else None, frozenset(tags))


def through_the_simulator(location: Location, text: str) -> Decision:
    turn = simulate_turn(location, text, sessions=MemorySessions())
    return Decision(turn.outcome, turn.reply, frozenset(turn.tags_add))


def through_chat(location: Location, text: str, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    """The reply line and the details line `manage.py chat` prints for one message."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(text + "\n"))
    out = io.StringIO()
    call_command("chat", location=location.pk, stdout=out)
    _, reply, *details = out.getvalue().splitlines()
    return reply, details[0].strip() if details else ""


def test_the_turn_the_simulator_and_the_chat_command_decide_the_same(
    alpha_realty: Location, new_lead: Callable[[], Contact], monkeypatch: pytest.MonkeyPatch
) -> None:
    differences = []
    for item in CORPUS:
        turn = through_the_turn(new_lead(), item.text)
        simulated = through_the_simulator(alpha_realty, item.text)
        if turn != simulated:
            differences.append((item.text, turn, simulated))
        if item.text.lower() in QUIT:
            continue  # the chat's own word for leaving it
        reply_line, details = through_chat(alpha_realty, item.text, monkeypatch)
        chat_reply = reply_line.split("> ", 1)[1]
        if chat_reply != (simulated.reply or f"(no reply: {simulated.outcome})"):
            differences.append((item.text, simulated, chat_reply))
        elif item.label != BENIGN and not details.startswith("screened: "):
            differences.append((item.text, "chat did not show the screen", details))
    assert differences == []


def test_in_suggest_mode_a_screened_text_gets_the_same_reply_as_a_draft(
    alpha_realty: Location, new_lead: Callable[[], Contact]
) -> None:
    # given a brokerage whose bots only suggest
    alpha_realty.bot_settings = {"mode": "suggest"}
    alpha_realty.save()
    for item in SCREENED:
        # when a lead's text is screened
        lead = new_lead()
        decision = through_the_turn(lead, item.text)
        # then the reply a broker approves is the one try-the-bot shows, and the tags and log are the same
        simulated = through_the_simulator(alpha_realty, item.text)
        assert (decision.outcome, decision.reply, decision.tags) == (
            simulated.outcome, simulated.reply, simulated.tags), item.text
        receipt = decision.outcome in ("lead opted out", "deletion request acknowledged", "lead opted back in")
        if decision.reply and not receipt and item.label not in ("person_request", "bot_question"):
            assert Draft.objects.filter(contact=lead, body=decision.reply).exists(), item.text
            assert not OutboxMessage.objects.filter(contact=lead, kind="sms").exists(), item.text
        logged = set(ComplianceEvent.objects.filter(contact=lead).values_list("kind", flat=True))
        assert logged == {c.value for c in screen(item.text).classes} - {"person_request"}, item.text
