"""Every text the project ships or generates passes the gate's own phrase lists: the templates of every bot
(bots.texts, with the qualifying and safety texts), the demo's texts, and every message the demo seeds.

A template that failed here would be replaced by a safe line on every send, and tag the lead Compliance-Alert.
"""
from __future__ import annotations

import string
from typing import Any

import pytest

from bots.config import BotConfig
from bots.phrases import Problem, find_problem
from bots.texts import DEFAULT_TEXTS
from console import demo, demo_conversations
from leads import sample_listings
from leads.models import Message, Property

CONFIG = BotConfig()
# Values a template may be filled with; the longest realistic ones, so the length check means something.
SAMPLE_VALUES: dict[str, Any] = {
    "agent": CONFIG.agent_name, "area": "Rancho Cucamonga", "areas": "Rancho Cucamonga and Etiwanda", "beds": 4,
    "bedrooms": 4, "count": 5, "slot": "Wednesday, June 10 at 11:00 AM", "slot1": "Tuesday 10 AM",
    "slot2": "Tuesday 2 PM", "slot3": "Wednesday 11 AM", "choices": "1, 2 or 3",
    "slot_list": "1) Tuesday June 9 at 10:00 AM, 2) Tuesday June 9 at 2:00 PM, 3) Wednesday June 10 at 11:00 AM",
    "first": "Maria", "address": "12345 Foothill Blvd, Rancho Cucamonga", "price": "$650,000",
    "budget": "$700,000", "matches": "12345 Foothill Blvd $650,000 4 bd", "listing": "12345 Foothill Blvd",
    "reasons": "under your budget, in Etiwanda, 4 bedrooms as you wanted", "wish": "with 4 bedrooms in Etiwanda",
    "low": "$600,000", "high": "$700,000", "median": "$680,000", "city": "Fontana",
}


def _filled(template: str) -> str:
    names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    return template.format(**{name: SAMPLE_VALUES.get(name, "Etiwanda") for name in names})


BOT_TEMPLATES = [
    (key, variant)
    for key, variants in {**DEFAULT_TEXTS, **demo_conversations.BOT_TEXTS}.items()
    for variant in variants
]


@pytest.mark.parametrize(("key", "template"), BOT_TEMPLATES,
                         ids=[f"{key}-{i}" for i, (key, _) in enumerate(BOT_TEMPLATES)])
def test_every_bot_template_passes_the_gate(key: str, template: str) -> None:
    text = _filled(template)
    assert find_problem(text, CONFIG.agent_name) is None
    assert len(text) <= CONFIG.max_reply_chars


@pytest.mark.parametrize("template", demo_conversations.HUMAN_TEXTS)
def test_the_demos_agent_texts_say_nothing_a_bot_may_not(template: str) -> None:
    # A person may say who they are; the Fair Housing and RESPA lists apply to anyone texting for the brokerage.
    finding = find_problem(_filled(template), CONFIG.agent_name)
    assert finding is None or finding.problem is Problem.CLAIMS_TO_BE_HUMAN


@pytest.mark.parametrize("feature", sample_listings.LISTING_FEATURES)
def test_every_demo_listing_feature_passes_the_gate(feature: str) -> None:
    assert find_problem(feature, CONFIG.agent_name) is None


@pytest.mark.django_db
def test_every_text_the_demo_seeds_passes_the_gate() -> None:
    # given the demo, as `make run` loads it
    demo.seed_demo()

    # then every bot text is clean, and no human or listing text breaks Fair Housing or RESPA
    texts = Message.objects.exclude(sender="lead").values_list("sender", "body")
    assert texts.count() > 1000
    for sender, body in texts:
        finding = find_problem(body, CONFIG.agent_name)
        allowed = finding is None or (sender == "human" and finding.problem is Problem.CLAIMS_TO_BE_HUMAN)
        assert allowed, (sender, finding)
        if sender == "bot":
            assert len(body) <= CONFIG.max_reply_chars
    for description in Property.objects.values_list("description", flat=True):
        assert find_problem(description, CONFIG.agent_name) is None
