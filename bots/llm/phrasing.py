"""Claude phrases the reply the state machine chose, and the voice rules of BOTS.md decide whether it is sent.

The draft (bots.texts) is always a complete, compliant reply: Claude's phrasing replaces it only when it keeps
every voice rule below and passes the compliance gate's phrase lists (bots.phrases); otherwise, and whenever
Claude is slow or down, the draft goes out. The gate still checks whatever is sent.
"""
from __future__ import annotations

import re
import unicodedata

from bots.config import config_for
from bots.llm import calls, prompts
from bots.llm.client import ClaudeReply
from bots.llm.models import CallOutcome, LLMTask
from bots.phrases import find_problem
from leads.models import Location

MAX_SMS_CHARACTERS = 320
_DASHES = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2015\u2212")
_SOFTENERS = re.compile(r"\b(?:please|perhaps|i hope|por favor|quizas|quiza|ojala)\b")
_ROBOTIC = re.compile(
    r"\b(?:i'?m here to help|i am here to help|have a (?:great|nice|wonderful) day|as an ai language model|"
    r"estoy aqui para ayudar)\b"
)
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")
# Amounts written in words or signs: a phrasing may only carry the figures of the draft, which come from the
# location's facts and the conversation (BOTS.md: never invent a number, a value or a rate).
_AMOUNT_WORDS = re.compile(
    r"[$%]|\b(?:hundred|thousand|million|billion|percent|cien|cientos|mil|millon|millones|por\s+ciento)\b"
)


def phrase_with_claude(
    draft: str, purpose: str, language: str, lead_text: str, location: Location, *, deadline: float | None
) -> str:
    """Claude's phrasing of `draft` when it keeps the voice rules, else the draft; raises a typed LLMError."""
    request = prompts.phrasing_request(draft, purpose, language, lead_text, location)
    agent_name = config_for(location).agent_name

    def use(reply: ClaudeReply) -> tuple[str, CallOutcome]:
        phrased = reply.text().strip()
        # The compliance gate would block a phrasing that breaks Fair Housing, RESPA or AI honesty and alert the
        # broker; the draft is known to pass, so it goes instead.
        if voice_problems(phrased, draft) or find_problem(phrased, agent_name) is not None:
            return draft, CallOutcome.OFF_VOICE
        return phrased, CallOutcome.OK

    return calls.ask(LLMTask.PHRASING, request, use, location=location, deadline=deadline)


def voice_problems(text: str, draft: str) -> list[str]:
    """The BOTS.md voice rules `text` breaks, as a phrasing of `draft`; empty when it may be sent."""
    folded = _fold(text)
    problems = []
    if not text or len(text) > MAX_SMS_CHARACTERS:
        problems.append("length")
    if any(_is_emoji(char) for char in text):
        problems.append("emoji")
    if any(char in _DASHES for char in text) and not any(char in _DASHES for char in draft):
        problems.append("hyphen")
    if _SOFTENERS.search(folded):
        problems.append("softener")
    if _ROBOTIC.search(folded):
        problems.append("robotic line")
    if folded.startswith("hey"):
        problems.append("opens with hey")
    if "<" in text or ">" in text or "\u2039" in text or "\u203a" in text:
        problems.append("markup")
    if text.count("?") > 1:
        problems.append("more than one question")
    if draft.rstrip().endswith("?") and not text.rstrip().endswith("?"):
        problems.append("lost the closing question")
    if sorted(_NUMBER.findall(text)) != sorted(_NUMBER.findall(draft)):
        problems.append("changed a number")
    if not set(_AMOUNT_WORDS.findall(folded)) <= set(_AMOUNT_WORDS.findall(_fold(draft))):
        problems.append("an amount not in the draft")
    return problems


def _fold(text: str) -> str:
    text = text.replace("\u2019", "'").lower()
    return "".join(char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char))


def _is_emoji(char: str) -> bool:
    code = ord(char)
    return (
        0x1F000 <= code <= 0x1FAFF  # pictographs, emoticons, transport, supplemental symbols
        or 0x2600 <= code <= 0x27BF  # miscellaneous symbols and dingbats
        or code in (0xFE0F, 0x200D, 0x2B50, 0x2B55, 0x2705, 0x203C, 0x2049)
    )
