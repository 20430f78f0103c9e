"""Turns a plan's lines into the one SMS the lead gets: templates filled in, at most 320 characters with the
closing question kept, never the text this lead got last, then phrased by the engine (Claude or as written).
"""
from __future__ import annotations

import re

from bots.config import BotConfig
from bots.engine import Engine
from bots.state import ConversationState
from bots.texts import choose_text
from bots.workflows.decision import Line, TurnPlan

_SPACES = re.compile(r"\s{2,}")
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([.,?])")


def render(plan: TurnPlan, state: ConversationState, config: BotConfig, engine: Engine) -> None:
    """Set `plan.reply` (None when the plan says nothing) and remember it as this lead's last text."""
    if not plan.lines:
        return
    draft = _compose(plan.lines, state, config)
    if draft == state.last_reply:
        # Every text rotates its variants, so composing again gives different words.
        draft = _compose(plan.lines, state, config)
    plan.reply = engine.phrase(draft, purpose=plan.lines[-1].key, state=state, language=state.language)
    state.last_reply = plan.reply


def _compose(lines: list[Line], state: ConversationState, config: BotConfig) -> str:
    parts = [choose_text(line.key, state, config, **_values(line, config)) for line in lines]
    # Too long for two SMS segments: drop what comes before the question, never cut a sentence or the question.
    while len(parts) > 1 and len(" ".join(parts)) > config.max_reply_chars:
        parts.pop(0)
    text = _SPACES.sub(" ", " ".join(parts)).strip()
    return _SPACE_BEFORE_PUNCTUATION.sub(r"\1", text)


def _values(line: Line, config: BotConfig) -> dict[str, object]:
    # Words that come from data (a listing's address, a city the lead typed) follow the voice rules too.
    values = {key: value.replace("-", " ") if isinstance(value, str) else value for key, value in line.values.items()}
    return {"agent": config.agent_name, **values}
