"""Leads with threads, answers and outcomes for the analytics tests, written with bulk_create (hundreds in a blink).

`synthetic_leads` draws a deterministic population whose outcomes follow facts the prior ignores (where the lead
came from, how fast they reply), so a trained model has something real to find and the prior cannot see it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from leads.models import Contact, Conversation, Location, Message

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
SELLER_ANSWERS = {"motivation": "relocation", "timeline_acceptable": "yes", "property_condition": "needs_work",
                  "price_high": 500000}
Texts = list[tuple[str, str, dt.datetime]]


@dataclass
class LeadSpec:
    """One lead to seed: who, where it stands, what the bot learned, and its texts as (direction, sender, when)."""

    status: str = "contacted"
    source: str = "Zillow"
    active_bot: str = "seller"
    state: dict[str, Any] = field(default_factory=dict)
    texts: Texts = field(default_factory=list)
    created_at: dt.datetime = NOW - dt.timedelta(days=30)
    score: int | None = None
    first_name: str = "Lead"


def seed_leads(location: Location, specs: list[LeadSpec], prefix: str = "Seed") -> list[Contact]:
    """The leads of `specs`, with a conversation each and their texts, in three INSERTs (plus one UPDATE)."""
    contacts = Contact.objects.bulk_create([
        Contact(location=location, ghl_id=f"{prefix}{number:08d}", first_name=spec.first_name, last_name=str(number),
                phone=f"+1909555{number:04d}", postal_code="91730", source=spec.source, status=spec.status,
                active_bot=spec.active_bot, score=spec.score)
        for number, spec in enumerate(specs)
    ])
    for contact, spec in zip(contacts, specs, strict=True):
        contact.created_at = spec.created_at
    Contact.objects.bulk_update(contacts, ["created_at"])
    conversations = Conversation.objects.bulk_create([
        Conversation(contact=contact, state=spec.state) for contact, spec in zip(contacts, specs, strict=True)
    ])
    Message.objects.bulk_create([
        Message(conversation=conversation, direction=direction, sender=sender, body="text", sent_at=sent_at)
        for conversation, spec in zip(conversations, specs, strict=True)
        for direction, sender, sent_at in spec.texts
    ])
    return contacts


def exchange(start: dt.datetime, reply_minutes: list[float], gap_hours: float = 20.0) -> Texts:
    """A bot text, then the lead's reply after each of `reply_minutes`, one exchange every `gap_hours`."""
    texts = []
    for turn, minutes in enumerate(reply_minutes):
        asked = start + dt.timedelta(hours=gap_hours * turn)
        texts.append(("outbound", "bot", asked))
        texts.append(("inbound", "lead", asked + dt.timedelta(minutes=minutes)))
    return texts


def hot_seller_state() -> dict[str, Any]:
    return {"bot": "seller", "seller": {"motivation": "relocation", "timeline_acceptable": "yes",
                                        "property_condition": "move_in_ready", "price_high": 650000}}


def synthetic_leads(count: int, seed: int, *, status: str | None = None, now: dt.datetime = NOW) -> list[LeadSpec]:
    """Leads whose chance of closing won rises with a referral and fast replies; `status` None draws won or lost."""
    rng = np.random.default_rng(seed)
    specs = []
    for _ in range(count):
        source = str(rng.choice(["Referral", "Zillow", "Website"], p=[0.3, 0.4, 0.3]))
        fast = bool(rng.random() < 0.5)
        minutes = list(rng.uniform(1, 8, size=3) if fast else rng.uniform(120, 900, size=3))
        log_odds = -1.2 + 2.2 * (source == "Referral") + 1.6 * fast
        won = rng.random() < 1 / (1 + np.exp(-log_odds))
        answers = int(rng.integers(0, 5))
        seller = dict(list(SELLER_ANSWERS.items())[:answers])
        start = now - dt.timedelta(days=float(rng.uniform(20, 60)))
        specs.append(LeadSpec(
            status=status or ("won" if won else "lost"), source=source, state={"seller": seller},
            texts=exchange(start, minutes), created_at=start - dt.timedelta(hours=1),
        ))
    return specs


def freeze_updated_at(contacts: list[Contact], moment: dt.datetime) -> None:
    """Set the leads' last change (the outcome time of a lead closed without a deal)."""
    Contact.objects.filter(pk__in=[contact.pk for contact in contacts]).update(updated_at=moment)
