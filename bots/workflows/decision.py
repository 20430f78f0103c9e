"""What one bot turn decided: the reply, the tag and field changes, and the bot that answers next."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class TurnDecision:
    bot: str
    reply_key: str | None = None
    reply_values: dict[str, object] = field(default_factory=dict)
    tags_add: list[str] = field(default_factory=list)
    tags_remove: list[str] = field(default_factory=list)
    custom_fields: dict[str, str] = field(default_factory=dict)
    next_question: str | None = None
