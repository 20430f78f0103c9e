"""The seam between the state machines and whatever understands and phrases language.

Workflows never call the offline engine or Claude directly: they get an Extraction from
`understand` and pass the text they chose through `phrase`. Both engines return the same types;
the offline engine (bots.nlu and the templates in bots.texts) is the default and the fallback.
A turn uses a `TurnEngine`, whose slow work happens before the turn takes the conversation's
lock (`read_ahead`) and after it commits (`finish_turn`), never while the lock is held.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from bots.llm.engine import ClaudeEngine, ClaudeTurn, claude_is_on_for
from bots.nlu import Extraction, ExtractionContext, extract
from bots.state import ConversationState
from leads.models import Contact, Location


class Engine(Protocol):
    # Read-only: the engines are frozen dataclasses.
    @property
    def name(self) -> str: ...

    def understand(self, message: str, context: ExtractionContext) -> Extraction: ...

    def phrase(self, draft: str, *, purpose: str, state: ConversationState, language: str) -> str: ...


class TurnEngine(Engine, Protocol):
    def read_ahead(self, message: str, context: ExtractionContext, *, reply_due_at: dt.datetime, attempt: int) -> None:
        """Before the lock: read the pending texts (may raise bots.llm.errors.LLMRetryableError to retry the turn)."""

    def finish_turn(self, contact: Contact) -> None:
        """After the commit: whatever the turn left for later (Claude phrases the queued reply)."""


@dataclass(frozen=True)
class OfflineEngine:
    """Rules and regular expressions; the templates are already final text."""

    name: str = "offline"

    def understand(self, message: str, context: ExtractionContext) -> Extraction:
        return extract(message, context)

    def phrase(self, draft: str, *, purpose: str, state: ConversationState, language: str) -> str:
        return draft

    def read_ahead(self, message: str, context: ExtractionContext, *, reply_due_at: dt.datetime, attempt: int) -> None:
        """Nothing to read ahead: the offline engine reads in microseconds, under the lock."""

    def finish_turn(self, contact: Contact) -> None:
        """Nothing left for later: the templates are already final text."""


OFFLINE = OfflineEngine()


def engine_for(location: Location) -> Engine:
    """The engine that answers for a location now: Claude when it is on for it (bots.llm.engine), else offline."""
    return ClaudeEngine(location) if claude_is_on_for(location) else OFFLINE


def engine_for_turn(location: Location) -> TurnEngine:
    """Like `engine_for`, for one bot turn (a fresh engine per turn: it remembers what it read ahead)."""
    return ClaudeTurn(location) if claude_is_on_for(location) else OFFLINE
