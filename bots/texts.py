"""What the bots say: default texts per step, a few variants each, overridable per location.

Voice (BOTS.md): friendly and direct, one question per message, no emojis, no hyphens, no
softeners, never "Hey". Variants rotate so a contact never gets the same text twice in a row.
"""
from __future__ import annotations

from bots.config import BotConfig
from bots.qualifying_texts import QUALIFYING_TEXTS
from bots.safety_texts import SAFETY_TEXTS
from bots.state import ConversationState

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
