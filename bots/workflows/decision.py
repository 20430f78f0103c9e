"""What one bot turn decided (a `TurnPlan`): the reply as lines of text, the tag and field changes, the next
question, a handoff or a booking step, and the bot that answers next."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bots.matching import ListingMatch


@dataclass(frozen=True)
class Line:
    """One sentence of a reply: a text key of bots.texts and the values it is filled with."""

    key: str
    values: dict[str, object] = field(default_factory=dict)


@dataclass
class TurnPlan:
    """Everything one turn decided, before anything is written: `bots.services` applies it through the outbox,
    the simulator applies it to a practice session. `lines` become `reply` once phrased."""

    bot: str
    lines: list[Line] = field(default_factory=list)
    reply: str | None = None
    next_question: str | None = None
    tags_add: list[str] = field(default_factory=list)
    tags_remove: list[str] = field(default_factory=list)
    custom_fields: dict[str, str] = field(default_factory=dict)
    # The answering bot's temperature after this turn ("hot", "warm", "cold"), once it has one.
    temperature: str | None = None
    # The `Handoff-<From>-to-<To>` tag when this turn switched bots.
    handoff: str | None = None
    # Calendar work for after the commit: "offer_slots" (read free slots, text them) or "book_slot".
    booking_step: str | None = None
    matches: list[ListingMatch] = field(default_factory=list)
    # The kind of question the lead asked that no fact of the location answered ("other" when no kind fits):
    # bots.services collects it for the broker.
    unanswered_question: str | None = None
    outcome: str = ""

    def add_tags(self, *tags: str) -> None:
        for tag in tags:
            if tag in self.tags_remove:
                self.tags_remove.remove(tag)
            if tag not in self.tags_add:
                self.tags_add.append(tag)

    def remove_tags(self, *tags: str) -> None:
        for tag in tags:
            if tag in self.tags_add:
                self.tags_add.remove(tag)
            if tag not in self.tags_remove:
                self.tags_remove.append(tag)

    def say(self, key: str, **values: object) -> None:
        self.lines.append(Line(key, values))
