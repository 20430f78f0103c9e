"""What the bots say: default texts per step, a few variants each, overridable per location.

Voice (BOTS.md): friendly and direct, one question per message, no emojis, no hyphens, no
softeners, never "Hey". Variants rotate so a contact never gets the same text twice in a row.
"""
from __future__ import annotations

import string
from typing import TYPE_CHECKING

from bots.qualifying_texts import QUALIFYING_TEXTS
from bots.safety_texts import SAFETY_TEXTS
from bots.state import ConversationState

if TYPE_CHECKING:
    # Only a type here: bots.config checks overrides against these texts, so it imports this module.
    from bots.config import BotConfig

DEFAULT_TEXTS: dict[str, list[str]] = {
    "ask_intent": [
        "Thanks for reaching out. Are you looking to buy, sell, or both?",
        "Glad you texted. Is this about buying a home, selling one, or both?",
        "Happy to help. Are you thinking about buying, selling, or both?",
    ],
    "ask_property_address": [
        "Happy to help with the sale. What is the address of the home?",
        "Great. What is the property address?",
        "Sounds good. Which address would you be selling?",
    ],
    "ask_area": [
        "Great, let's find you a home. Which area or neighborhoods are you looking in?",
        "Happy to help you buy. Which part of town are you hoping to live in?",
        "Sounds good. Where would you like to buy?",
    ],
    "opt_out_confirmation": [
        "You are unsubscribed and will get no more texts from us. Reply START to opt back in.",
    ],
    "opt_in_confirmation": [
        "You are subscribed again. Are you looking to buy, sell, or both?",
    ],
    **QUALIFYING_TEXTS,
    **SAFETY_TEXTS,
}


def choose_text(key: str, state: ConversationState, config: BotConfig, **values: object) -> str:
    """The next variant of a text, never the one this contact got last time for the same step.

    A lead who writes Spanish gets the `<key>_es` text when there is one (BOTS.md: answer in their language).
    """
    spanish = f"{key}_es"
    if state.language == "es" and (spanish in config.texts or spanish in DEFAULT_TEXTS):
        key = spanish
    variants = config.texts.get(key) or DEFAULT_TEXTS[key]
    previous = state.last_variant.get(key, -1)
    index = (previous + 1) % len(variants)
    text = variants[index].format(**values)
    if text == state.last_reply and len(variants) > 1:
        index = (index + 1) % len(variants)
        text = variants[index].format(**values)
    state.last_variant[key] = index
    return text


# -- a broker's own wording (Location.bot_settings["texts"]): which keys, which placeholders, a preview ---------

_SPANISH_SUFFIX = "_es"
# Any default text may be overridden, and given a Spanish version even where the bots have none yet.
OVERRIDABLE_TEXT_KEYS: frozenset[str] = frozenset(
    {*DEFAULT_TEXTS, *(f"{key}{_SPANISH_SUFFIX}" for key in DEFAULT_TEXTS if not key.endswith(_SPANISH_SUFFIX))}
)
# What the bots fill in, as a lead would read it, for previews and for checking a text's length.
_SAMPLES: dict[str, object] = {
    "slot": "Tuesday March 3 at 10 AM", "slot_list": "1) Tuesday March 3 at 10 AM, 2) Wednesday March 4 at 2 PM "
    "or 3) Thursday March 5 at 11 AM", "choices": "1, 2 or 3", "address": "1452 Oak Street", "city": "Rancho",
    "price": "$485,000", "count": 3, "reasons": "in Rancho, 3 bedrooms", "wish": "with 3 or more bedrooms in Rancho",
    "budget": "$450,000", "over": "$35,000", "area": "Rancho", "bedrooms": 3, "beds": 4,
    "answer": "Our listing fee is 2.5 percent, and it is paid at closing.", "date": "March 1", "source": "Zillow",
}
_SPANISH_SAMPLES: dict[str, object] = {
    "slot": "el martes 3 de marzo a las 10 AM", "slot_list": "1) el martes 3 de marzo a las 10 AM, 2) el miércoles "
    "4 de marzo a las 2 PM o 3) el jueves 5 de marzo a las 11 AM", "choices": "1, 2 o 3",
    "reasons": "en Rancho, 3 recámaras", "wish": "con 3 recámaras o más en Rancho",
    "answer": "Nuestra comisión es del 2.5 por ciento y se paga al cierre.", "date": "1 de marzo",
}


def placeholders(variant: str) -> set[str]:
    """The names a text asks the bots to fill in (`{agent}`); ValueError for a brace that is not one."""
    return {name for _, name, _, _ in string.Formatter().parse(variant) if name is not None}


def placeholders_of(key: str) -> tuple[frozenset[str], frozenset[str]]:
    """What the bots fill in for this text (any of them may be used) and what every default variant says (each
    of those must stay: a booking confirmation without `{slot}` leaves the lead without the time)."""
    defaults = DEFAULT_TEXTS.get(key) or DEFAULT_TEXTS[key.removesuffix(_SPANISH_SUFFIX)]
    found = [frozenset(placeholders(variant)) for variant in defaults]
    return frozenset().union(*found), frozenset.intersection(*found)


def preview(key: str, variant: str, agent_name: str) -> str:
    """The text as a lead would receive it, filled in with sample values."""
    samples = {**_SAMPLES, **(_SPANISH_SAMPLES if key.endswith(_SPANISH_SUFFIX) else {}), "agent": agent_name}
    return variant.format(**samples)


def variant_problems(key: str, variant: str, agent_name: str, max_chars: int) -> list[str]:
    """Why this wording cannot be sent for `key`, in the broker's words; empty when it can."""
    if not variant.strip():
        return ["is empty"]
    try:
        used = placeholders(variant)
    except ValueError:
        return ["has a { or } that is not a placeholder: write placeholders as {agent}, and no other braces"]
    allowed, required = placeholders_of(key)
    problems = [f"uses {{{name}}}, which this text cannot fill in" + _choices(allowed)
                for name in sorted(used - allowed)]
    problems += [f"must keep {{{name}}}" for name in sorted(required - used)]
    if not problems and len(preview(key, variant, agent_name)) > max_chars:
        problems.append(f"is {len(preview(key, variant, agent_name))} characters with sample values filled in: at "
                        f"most {max_chars} (two SMS segments)")
    return problems


def _choices(allowed: frozenset[str]) -> str:
    return f" (it can use {', '.join(f'{{{name}}}' for name in sorted(allowed))})" if allowed else " (none here)"
