"""The seam between the state machines and whatever understands and phrases language.

Workflows never call the offline engine or Claude directly: they get an Extraction from
`understand` and pass the text they chose through `phrase`. Both engines return the same types;
the offline engine (bots.nlu and the templates in bots.texts) is the default and the fallback.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bots.nlu import Extraction, ExtractionContext, extract
from bots.state import ConversationState
from leads.models import Location


class Engine(Protocol):
    name: str

    def understand(self, message: str, context: ExtractionContext) -> Extraction: ...

    def phrase(self, draft: str, *, purpose: str, state: ConversationState, language: str) -> str: ...


@dataclass(frozen=True)
class OfflineEngine:
    """Rules and regular expressions; the templates are already final text."""

    name: str = "offline"

    def understand(self, message: str, context: ExtractionContext) -> Extraction:
        return extract(message, context)

    def phrase(self, draft: str, *, purpose: str, state: ConversationState, language: str) -> str:
        return draft


OFFLINE = OfflineEngine()


def engine_for(location: Location) -> Engine:
    """The engine a location's turns use now."""
    return OFFLINE
